"""District energy data: boundaries, indicators and SPARCS sites, checked when they are read.

Plain Python (no Streamlit), so the /map page, the CLI and the tests share one set of rules.

Files of a city, under ``data/cities/<city>/``:

- ``districts.geojson``: a FeatureCollection in EPSG:4326 (WGS 84 longitude/latitude); each
  feature has the properties ``id``, ``name_<lang>`` for each language of the city (its
  city.toml's ``languages``), ``approximate`` and ``source``, and a valid Polygon or
  MultiPolygon (``districts``).
- ``indicators.csv``: long form, header ``district,indicator,year,value,unit,source,note``,
  one row per district, indicator and data year (``indicators``). City averages are never
  stored; they are computed by :func:`city_average` (``tables``).
- ``sites.toml``: the SPARCS demonstration sites as ``[[site]]`` tables (``sites``).

The indicators themselves (unit, direction, names and explanations in every language some
city speaks) are defined once, for all cities, in ``data/indicators.toml`` (``registry``).
``city`` reads a city's three files in one call; every public name is re-exported here.

Every problem raises :class:`EnergyDataError` (``errors``), which names the file, the line (CSV)
or the feature, and the field, and carries a short English ``code`` that a page can translate.
"""

from sparcs_engage.energy.city import CityEnergy, check_city_files, load_city_energy
from sparcs_engage.energy.districts import (
    COORDINATE_DECIMALS,
    DISTRICT_ID,
    District,
    check_location,
    district_at,
    district_feature,
    districts_geojson,
    import_districts,
    load_districts,
    write_districts,
    write_text_atomic,
)
from sparcs_engage.energy.errors import (
    E_BAD_AGGREGATION,
    E_BAD_ID,
    E_COLUMNS,
    E_COORDINATES,
    E_CRS,
    E_DUPLICATE_ID,
    E_DUPLICATE_ROW,
    E_FILE_EMPTY,
    E_FILE_ENCODING,
    E_FILE_MISSING,
    E_GEOMETRY_EMPTY,
    E_GEOMETRY_INVALID,
    E_GEOMETRY_MALFORMED,
    E_GEOMETRY_TYPE,
    E_HEADER,
    E_ID_MISSING,
    E_LATLON,
    E_LOCATION,
    E_MISSING,
    E_NAME_MISSING,
    E_NO_FEATURES,
    E_NOT_COLLECTION,
    E_NOT_FEATURE,
    E_NOT_JSON,
    E_NOT_TOML,
    E_SOURCE_MISSING,
    E_SOURCE_URL,
    E_TEXT_MISSING,
    E_UNIT,
    E_UNKNOWN_DISTRICT,
    E_UNKNOWN_INDICATOR,
    E_VALUE,
    E_VALUE_RANGE,
    E_WRONG_TYPE,
    E_YEAR,
    E_YEAR_RANGE,
    EnergyDataError,
)
from sparcs_engage.energy.indicators import (
    CSV_COLUMNS,
    DEMO_NOTE,
    FRAME_COLUMNS,
    POPULATION,
    YEAR_RANGE,
    load_indicators,
    missing_rows,
)
from sparcs_engage.energy.registry import AGGREGATIONS, Indicator, load_indicator_registry
from sparcs_engage.energy.sites import Site, load_sites
from sparcs_engage.energy.tables import (
    city_average,
    class_breaks,
    district_card,
    district_table,
    latest_year,
    trend,
)

__all__ = [
    "AGGREGATIONS",
    "COORDINATE_DECIMALS",
    "CSV_COLUMNS",
    "DEMO_NOTE",
    "DISTRICT_ID",
    "E_BAD_AGGREGATION",
    "E_BAD_ID",
    "E_COLUMNS",
    "E_COORDINATES",
    "E_CRS",
    "E_DUPLICATE_ID",
    "E_DUPLICATE_ROW",
    "E_FILE_EMPTY",
    "E_FILE_ENCODING",
    "E_FILE_MISSING",
    "E_GEOMETRY_EMPTY",
    "E_GEOMETRY_INVALID",
    "E_GEOMETRY_MALFORMED",
    "E_GEOMETRY_TYPE",
    "E_HEADER",
    "E_ID_MISSING",
    "E_LATLON",
    "E_LOCATION",
    "E_MISSING",
    "E_NAME_MISSING",
    "E_NOT_COLLECTION",
    "E_NOT_FEATURE",
    "E_NOT_JSON",
    "E_NOT_TOML",
    "E_NO_FEATURES",
    "E_SOURCE_MISSING",
    "E_SOURCE_URL",
    "E_TEXT_MISSING",
    "E_UNIT",
    "E_UNKNOWN_DISTRICT",
    "E_UNKNOWN_INDICATOR",
    "E_VALUE",
    "E_VALUE_RANGE",
    "E_WRONG_TYPE",
    "E_YEAR",
    "E_YEAR_RANGE",
    "FRAME_COLUMNS",
    "POPULATION",
    "YEAR_RANGE",
    "CityEnergy",
    "District",
    "EnergyDataError",
    "Indicator",
    "Site",
    "check_city_files",
    "check_location",
    "city_average",
    "class_breaks",
    "district_at",
    "district_card",
    "district_feature",
    "district_table",
    "districts_geojson",
    "import_districts",
    "latest_year",
    "load_city_energy",
    "load_districts",
    "load_indicator_registry",
    "load_indicators",
    "load_sites",
    "missing_rows",
    "trend",
    "write_districts",
    "write_text_atomic",
]
