"""District energy data: boundaries, indicators and SPARCS sites, checked when they are read.

Plain Python (no Streamlit), so the /map page, the CLI and the tests share one set of rules.

Files of a city, under ``data/cities/<city>/``:

- ``districts.geojson``: a FeatureCollection in EPSG:4326 (WGS 84 longitude/latitude); each
  feature has the properties ``id``, ``name_fi``, ``name_de``, ``name_en``, ``approximate`` and
  ``source``, and a valid Polygon or MultiPolygon.
- ``indicators.csv``: long form, header ``district,indicator,year,value,unit,source,note``,
  one row per district, indicator and data year. City averages are never stored; they are
  computed by :func:`city_average`.
- ``sites.toml``: the SPARCS demonstration sites as ``[[site]]`` tables.

The indicators themselves (unit, direction, names and explanations in every language) are
defined once, for all cities, in ``data/indicators.toml``.

Every problem raises :class:`EnergyDataError`, which names the file, the line (CSV) or the
feature, and the field, and carries a short English ``code`` that a page can translate.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from sparcs_engage.i18n import LANGUAGES

CSV_COLUMNS: tuple[str, ...] = ("district", "indicator", "year", "value", "unit", "source", "note")
# Columns of the frame that load_indicators returns (the CSV columns plus two derived ones).
FRAME_COLUMNS: tuple[str, ...] = (*CSV_COLUMNS, "aggregation", "line")
POPULATION = "population"
DEMO_NOTE = "demo estimate"
AGGREGATIONS: tuple[str, ...] = ("population_weighted", "sum")
YEAR_RANGE: tuple[int, int] = (1900, 2100)
COORDINATE_DECIMALS = 6

# Message ids: short English sentences a page can translate (they are deliberately not marked
# for extraction here; the page that shows them adds them to the catalogs).
E_FILE_MISSING = "the file is missing"
E_FILE_ENCODING = "the file is not UTF-8 text"
E_NOT_TOML = "the file is not valid TOML"
E_NOT_JSON = "the file is not valid JSON"
E_FILE_EMPTY = "the file is empty"
E_WRONG_TYPE = "the value has the wrong type"
E_MISSING = "a required value is missing"
E_BAD_ID = "the id is not a valid identifier"
E_DUPLICATE_ID = "the id is used more than once"
E_TEXT_MISSING = "a text is missing for a language"
E_BAD_AGGREGATION = "unknown way to combine districts"
E_NOT_COLLECTION = "the file is not a GeoJSON FeatureCollection"
E_NO_FEATURES = "the file has no features"
E_NOT_FEATURE = "the entry is not a GeoJSON Feature"
E_CRS = "the coordinate reference system is not EPSG:4326"
E_COORDINATES = "coordinates are not longitude and latitude in EPSG:4326"
E_GEOMETRY_TYPE = "the geometry is not a Polygon or MultiPolygon"
E_GEOMETRY_MALFORMED = "the geometry is malformed"
E_GEOMETRY_INVALID = "the geometry is not valid"
E_GEOMETRY_EMPTY = "the geometry is empty"
E_ID_MISSING = "the id is missing"
E_NAME_MISSING = "the name is missing"
E_SOURCE_MISSING = "the source is missing"
E_HEADER = "the header row is not district,indicator,year,value,unit,source,note"
E_COLUMNS = "the row has the wrong number of columns"
E_UNKNOWN_DISTRICT = "unknown district id"
E_UNKNOWN_INDICATOR = "unknown indicator id"
E_YEAR = "the year is not a whole number"
E_YEAR_RANGE = "the year is out of range"
E_VALUE = "the value is not a number"
E_VALUE_RANGE = "the value is out of range"
E_UNIT = "the unit does not match the indicator registry"
E_DUPLICATE_ROW = "the district, indicator and year appear more than once"
E_LATLON = "the latitude or longitude is out of range"
E_SOURCE_URL = "the source is not a web address"

_INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YEAR = re.compile(r"^[+-]?\d+$")
_WGS84 = re.compile(
    r"^(?:urn:ogc:def:crs:ogc:1\.3:crs84|urn:ogc:def:crs:ogc::crs84|ogc:(?:1\.3:)?crs84|crs84"
    r"|epsg:4326|urn:ogc:def:crs:epsg:[0-9.]*:4326"
    r"|https?://www\.opengis\.net/def/crs/(?:epsg/0/4326|ogc/1\.3/crs84))$",
    re.IGNORECASE,
)


class EnergyDataError(ValueError):
    """A data file that cannot be used, naming the file, the line or feature, and the field."""

    def __init__(
        self,
        path: Path | str,
        code: str,
        *,
        line: int | None = None,
        field: str | None = None,
        feature: int | None = None,
        feature_id: str | None = None,
        detail: str = "",
    ) -> None:
        self.path = Path(path)
        self.code = code
        self.line = line
        self.field = field
        self.feature = feature
        self.feature_id = feature_id
        self.detail = detail
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [str(self.path)]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.feature is not None:
            label = f"features[{self.feature}]"
            if self.feature_id:
                label += f" (id {self.feature_id!r})"
            where.append(label)
        if self.field:
            where.append(f"field {self.field!r}")
        text = ", ".join(where) + f": {self.code}"
        return f"{text} ({self.detail})" if self.detail else text


def _show(value: object, limit: int = 60) -> str:
    """A short, printable rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Indicator registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One indicator as defined in data/indicators.toml (shared by every city)."""

    id: str
    unit: str
    higher_is_better: bool
    names: dict[str, str]
    explanations: dict[str, str]
    unit_labels: dict[str, str] = field(default_factory=dict)
    babel_unit: str | None = None
    digits: int = 0
    aggregation: str = "population_weighted"
    neutral: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def name(self, lang: str) -> str:
        """The indicator's name in a language (English when the language is unknown)."""
        return self.names.get(lang) or self.names["en"]

    def explanation(self, lang: str) -> str:
        """The plain-language explanation in a language (English when unknown)."""
        return self.explanations.get(lang) or self.explanations["en"]

    def unit_label(self, lang: str) -> str:
        """The unit as residents read it in a language; the registry unit when none is given."""
        return self.unit_labels.get(lang) or self.unit


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a missing or broken file is an EnergyDataError."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EnergyDataError(path, E_FILE_MISSING) from exc
    except UnicodeDecodeError as exc:
        raise EnergyDataError(path, E_FILE_ENCODING) from exc
    except tomllib.TOMLDecodeError as exc:
        raise EnergyDataError(path, E_NOT_TOML, detail=str(exc)) from exc


def _get(
    table: dict[str, Any],
    key: str,
    kinds: type | tuple[type, ...],
    path: Path,
    name: str,
    *,
    required: bool = True,
    default: Any = None,
) -> Any:
    """table[key] checked against a type (bool is never accepted as a number)."""
    if key not in table:
        if required:
            raise EnergyDataError(path, E_MISSING, field=name)
        return default
    value = table[key]
    wants_bool = kinds is bool or (isinstance(kinds, tuple) and bool in kinds)
    if (isinstance(value, bool) and not wants_bool) or not isinstance(value, kinds):
        raise EnergyDataError(
            path, E_WRONG_TYPE, field=name, detail=f"found {type(value).__name__}"
        )
    return value


def _texts(
    table: dict[str, Any], key: str, path: Path, name: str, *, required: bool = True
) -> dict[str, str]:
    """A {fi, de, en} table of non-empty texts."""
    raw = _get(table, key, dict, path, name, required=required, default={})
    if not raw and not required:
        return {}
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise EnergyDataError(path, E_TEXT_MISSING, field=f"{name}.{lang}")
        texts[lang] = text.strip()
    return texts


def load_indicator_registry(path: Path) -> dict[str, Indicator]:
    """Read data/indicators.toml into {id: Indicator}, in file order, checking every field."""
    path = Path(path)
    data = _read_toml(path)
    entries = _get(data, "indicator", list, path, "indicator")
    registry: dict[str, Indicator] = {}
    for i, raw in enumerate(entries):
        name = f"indicator[{i}]"
        if not isinstance(raw, dict):
            raise EnergyDataError(path, E_WRONG_TYPE, field=name)
        ind_id = _get(raw, "id", str, path, f"{name}.id")
        if not _INDICATOR_ID.match(ind_id):
            raise EnergyDataError(path, E_BAD_ID, field=f"{name}.id", detail=_show(ind_id))
        if ind_id in registry:
            raise EnergyDataError(path, E_DUPLICATE_ID, field=f"{name}.id", detail=ind_id)
        unit = _get(raw, "unit", str, path, f"{name}.unit").strip()
        if not unit:
            raise EnergyDataError(path, E_MISSING, field=f"{name}.unit")
        aggregation = _get(
            raw,
            "aggregation",
            str,
            path,
            f"{name}.aggregation",
            required=False,
            default="population_weighted",
        )
        if aggregation not in AGGREGATIONS:
            raise EnergyDataError(
                path, E_BAD_AGGREGATION, field=f"{name}.aggregation", detail=_show(aggregation)
            )
        digits = _get(raw, "digits", int, path, f"{name}.digits", required=False, default=0)
        if not 0 <= digits <= 4:
            raise EnergyDataError(path, E_VALUE_RANGE, field=f"{name}.digits", detail=str(digits))
        minimum = _get(raw, "minimum", (int, float), path, f"{name}.minimum", required=False)
        maximum = _get(raw, "maximum", (int, float), path, f"{name}.maximum", required=False)
        babel_unit = _get(raw, "babel_unit", str, path, f"{name}.babel_unit", required=False)
        registry[ind_id] = Indicator(
            id=ind_id,
            unit=unit,
            higher_is_better=_get(raw, "higher_is_better", bool, path, f"{name}.higher_is_better"),
            names=_texts(raw, "name", path, f"{name}.name"),
            explanations=_texts(raw, "explanation", path, f"{name}.explanation"),
            unit_labels=_texts(raw, "unit_label", path, f"{name}.unit_label", required=False),
            babel_unit=babel_unit or None,
            digits=digits,
            aggregation=aggregation,
            neutral=_get(
                raw, "neutral", bool, path, f"{name}.neutral", required=False, default=False
            ),
            minimum=None if minimum is None else float(minimum),
            maximum=None if maximum is None else float(maximum),
        )
    if not registry:
        raise EnergyDataError(path, E_MISSING, field="indicator")
    return registry


# ---------------------------------------------------------------------------------------------
# Districts (GeoJSON)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    """A district of a city: its id, names, boundary in EPSG:4326 and where the boundary is from."""

    id: str
    names: dict[str, str]
    geometry: BaseGeometry = field(repr=False)
    approximate: bool = False
    source: str = ""

    def name(self, lang: str) -> str:
        """The district's name in a language (English when the language is unknown)."""
        return self.names.get(lang) or self.names["en"]


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in JSON")


def _read_collection(path: Path) -> list[Any]:
    """The features of a GeoJSON FeatureCollection file in EPSG:4326 (other CRSs are refused)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise EnergyDataError(path, E_FILE_MISSING) from exc
    except UnicodeDecodeError as exc:
        raise EnergyDataError(path, E_FILE_ENCODING) from exc
    return _parse_collection(text, path)


def _parse_collection(text: str, path: Path) -> list[Any]:
    """The features of GeoJSON text (``path`` only names it in errors)."""
    if not text.strip():
        raise EnergyDataError(path, E_FILE_EMPTY)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise EnergyDataError(path, E_NOT_JSON, line=exc.lineno, detail=exc.msg) from exc
    except (ValueError, RecursionError) as exc:  # NaN / Infinity, absurd nesting
        raise EnergyDataError(path, E_NOT_JSON, detail=_show(str(exc))) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise EnergyDataError(path, E_NOT_COLLECTION, field="type", detail=_show(found))
    _check_crs(data.get("crs"), path)
    features = data.get("features")
    if not isinstance(features, list):
        raise EnergyDataError(path, E_NOT_COLLECTION, field="features")
    if not features:
        raise EnergyDataError(path, E_NO_FEATURES, field="features")
    return features


def _check_crs(
    crs: object, path: Path, feature: int | None = None, feature_id: str | None = None
) -> None:
    """Accept no crs member (RFC 7946 default) or one naming CRS84 / EPSG:4326; refuse others."""
    if crs is None:
        return
    name = None
    if isinstance(crs, dict) and crs.get("type") == "name":
        props = crs.get("properties")
        if isinstance(props, dict):
            name = props.get("name")
    if isinstance(name, str) and _WGS84.match(name.strip()):
        return
    raise EnergyDataError(
        path,
        E_CRS,
        field="crs",
        feature=feature,
        feature_id=feature_id,
        detail=_show(name if name is not None else crs),
    )


def _positions(coords: object, depth: int) -> Iterator[object]:
    """Every position of a coordinate array nested ``depth`` levels deep (malformed: raises)."""
    if not isinstance(coords, list):
        raise TypeError("coordinates must be arrays")
    if depth == 0:
        yield coords
        return
    for item in coords:
        yield from _positions(item, depth - 1)


def _geometry(raw: object, path: Path, index: int, feature_id: str | None) -> BaseGeometry:
    """A valid, non-empty Polygon or MultiPolygon in longitude/latitude from a GeoJSON geometry."""

    def fail(code: str, detail: str = "") -> EnergyDataError:
        return EnergyDataError(
            path, code, field="geometry", feature=index, feature_id=feature_id, detail=detail
        )

    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        found = raw.get("type") if isinstance(raw, dict) else raw
        raise fail(E_GEOMETRY_TYPE, _show(found))
    _check_crs(raw.get("crs"), path, index, feature_id)
    depth = 2 if raw["type"] == "Polygon" else 3
    try:
        positions = list(_positions(raw.get("coordinates"), depth))
    except TypeError as exc:
        raise fail(E_GEOMETRY_MALFORMED, str(exc)) from exc
    for pos in positions:
        if (
            not isinstance(pos, list)
            or len(pos) not in (2, 3)
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in pos)
            or not all(math.isfinite(v) for v in pos)
        ):
            raise fail(E_GEOMETRY_MALFORMED, f"position {_show(pos)}")
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise fail(
                E_COORDINATES, f"position {_show(pos)} is outside lon -180..180, lat -90..90"
            )
    try:
        geom = shape(raw)
    except (ValueError, TypeError, IndexError, ShapelyError) as exc:
        raise fail(E_GEOMETRY_MALFORMED, str(exc)) from exc
    if geom.is_empty:
        raise fail(E_GEOMETRY_EMPTY)
    if not geom.is_valid:
        raise fail(E_GEOMETRY_INVALID, explain_validity(geom))
    return geom


def _feature(raw: object, path: Path, index: int) -> tuple[dict[str, Any], object]:
    """A feature's properties (a dict, {} when null) and its geometry member."""
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise EnergyDataError(path, E_NOT_FEATURE, field="type", feature=index)
    props = raw.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise EnergyDataError(path, E_WRONG_TYPE, field="properties", feature=index)
    return props, raw.get("geometry")


def _feature_id(
    raw: dict[str, Any],
    props: dict[str, Any],
    id_field: str,
    path: Path,
    index: int,
    seen: dict[str, int],
) -> str:
    """The feature's id from ``properties[id_field]`` (or the Feature ``id`` member), unique."""
    value = props.get(id_field)
    if value is None and id_field == "id":
        value = raw.get("id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numeric keys such as 3.0 from some GIS exports
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise EnergyDataError(path, E_ID_MISSING, field=id_field, feature=index)
    if not isinstance(value, str):
        raise EnergyDataError(path, E_BAD_ID, field=id_field, feature=index, detail=_show(value))
    value = value.strip()
    if len(value) > 80 or _CONTROL.search(value):
        raise EnergyDataError(path, E_BAD_ID, field=id_field, feature=index, detail=_show(value))
    if value in seen:
        raise EnergyDataError(
            path,
            E_DUPLICATE_ID,
            field=id_field,
            feature=index,
            feature_id=value,
            detail=f"also features[{seen[value]}]",
        )
    seen[value] = index
    return value


def _text_property(props: dict[str, Any], key: str) -> str | None:
    value = props.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def load_districts(path: Path) -> list[District]:
    """Read and check a city's districts.geojson (EPSG:4326, valid polygons, unique ids)."""
    path = Path(path)
    return _parse_districts(_read_collection(path), path)


def _parse_districts(features: list[Any], path: Path) -> list[District]:
    """Districts from the features of a file in our format."""
    districts: list[District] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(features):
        props, geometry = _feature(raw, path, index)
        district_id = _feature_id(raw, props, "id", path, index, seen)
        _check_crs(raw.get("crs"), path, index, district_id)
        fallback = _text_property(props, "name")
        names: dict[str, str] = {}
        for lang in LANGUAGES:
            name = _text_property(props, f"name_{lang}") or fallback
            if name is None:
                raise EnergyDataError(
                    path,
                    E_NAME_MISSING,
                    field=f"name_{lang}",
                    feature=index,
                    feature_id=district_id,
                )
            names[lang] = name
        approximate = props.get("approximate", False)
        if not isinstance(approximate, bool):
            raise EnergyDataError(
                path,
                E_WRONG_TYPE,
                field="approximate",
                feature=index,
                feature_id=district_id,
                detail=_show(approximate),
            )
        source = _text_property(props, "source")
        if source is None:
            raise EnergyDataError(
                path, E_SOURCE_MISSING, field="source", feature=index, feature_id=district_id
            )
        districts.append(
            District(
                id=district_id,
                names=names,
                geometry=_geometry(geometry, path, index, district_id),
                approximate=approximate,
                source=source,
            )
        )
    return districts


def district_feature(district: District, decimals: int = COORDINATE_DECIMALS) -> dict[str, Any]:
    """A district as a GeoJSON Feature of our format (exterior rings counter-clockwise)."""
    geom = shapely.orient_polygons(district.geometry)
    geometry = json.loads(json.dumps(mapping(geom)))  # tuples -> lists

    def rounded(coords: Any) -> Any:
        if coords and isinstance(coords[0], int | float):
            return [round(float(v), decimals) for v in coords[:2]]
        return [rounded(c) for c in coords]

    geometry["coordinates"] = rounded(geometry["coordinates"])
    return {
        "type": "Feature",
        "properties": {
            "id": district.id,
            **{f"name_{lang}": district.names[lang] for lang in LANGUAGES},
            "approximate": district.approximate,
            "source": district.source,
        },
        "geometry": geometry,
    }


def districts_geojson(districts: Iterable[District], decimals: int = COORDINATE_DECIMALS) -> str:
    """Districts as GeoJSON text, one feature per line (stable, diff-friendly output)."""
    features = [
        json.dumps(district_feature(d, decimals), ensure_ascii=False, separators=(",", ":"))
        for d in districts
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"


def write_text_atomic(target: Path, text: str) -> None:
    """Write a text file so that readers see either the old or the whole new file."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_districts(
    districts: Iterable[District], target: Path, decimals: int = COORDINATE_DECIMALS
) -> None:
    """Write districts atomically in our districts.geojson format, after checking they load."""
    target = Path(target)
    text = districts_geojson(districts, decimals)
    try:
        _parse_districts(_parse_collection(text, target), target)
    except EnergyDataError as exc:  # e.g. rounding collapsed a sliver
        raise EnergyDataError(
            target,
            exc.code,
            field=exc.field,
            feature=exc.feature,
            feature_id=exc.feature_id,
            detail=f"after rounding: {exc.detail}".rstrip(": "),
        ) from exc
    write_text_atomic(target, text)


def import_districts(source: Path, target: Path, *, id_field: str, name_field: str) -> int:
    """Convert an official district GeoJSON (EPSG:4326) into our format; return the count."""
    source, target = Path(source), Path(target)
    seen: dict[str, int] = {}
    districts: list[District] = []
    for index, raw in enumerate(_read_collection(source)):
        props, geometry = _feature(raw, source, index)
        district_id = _feature_id(raw, props, id_field, source, index, seen)
        _check_crs(raw.get("crs"), source, index, district_id)
        name = _text_property(props, name_field)
        if name is None:
            raise EnergyDataError(
                source, E_NAME_MISSING, field=name_field, feature=index, feature_id=district_id
            )
        geom = _geometry(geometry, source, index, district_id)
        # Snap to ~0.1 m; set_precision keeps the polygon valid.
        snapped = shapely.set_precision(geom, 10.0**-COORDINATE_DECIMALS)
        if snapped.is_empty or not snapped.is_valid:
            raise EnergyDataError(
                source,
                E_GEOMETRY_INVALID,
                field="geometry",
                feature=index,
                feature_id=district_id,
                detail="collapses when rounded",
            )
        if isinstance(snapped, Polygon | MultiPolygon):
            geom = snapped
        districts.append(
            District(
                id=district_id,
                names=dict.fromkeys(LANGUAGES, name),
                geometry=geom,
                approximate=False,
                source=f"Imported from {source.name}",
            )
        )
    write_districts(districts, target)
    return len(districts)


def district_at(districts: Iterable[District], lat: float, lon: float) -> str | None:
    """The id of the district containing the point (boundary included), or None."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    point = Point(lon, lat)
    for district in districts:
        if district.geometry.covers(point):
            return district.id
    return None


# ---------------------------------------------------------------------------------------------
# Indicators (CSV)
# ---------------------------------------------------------------------------------------------


def load_indicators(
    path: Path, registry: dict[str, Indicator], district_ids: Collection[str]
) -> pd.DataFrame:
    """Read and check a city's indicators.csv; every bad row is an error naming its line."""
    path = Path(path)
    known_districts = set(district_ids)
    records: list[dict[str, Any]] = []
    first_line: dict[tuple[str, str, int], int] = {}
    end_of_previous = 0
    header_seen = False
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            for row in reader:
                line = end_of_previous + 1  # where the record starts (quoted fields may wrap)
                end_of_previous = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if not header_seen:
                    header_seen = True
                    if tuple(cell.strip() for cell in row) != CSV_COLUMNS:
                        raise EnergyDataError(
                            path, E_HEADER, line=line, field="header", detail=_show(",".join(row))
                        )
                    continue
                records.append(
                    _indicator_row(row, path, line, registry, known_districts, first_line)
                )
    except FileNotFoundError as exc:
        raise EnergyDataError(path, E_FILE_MISSING) from exc
    except UnicodeDecodeError as exc:
        raise EnergyDataError(path, E_FILE_ENCODING) from exc
    except csv.Error as exc:
        raise EnergyDataError(path, E_COLUMNS, line=end_of_previous + 1, detail=str(exc)) from exc
    if not header_seen:
        raise EnergyDataError(path, E_FILE_EMPTY)

    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
    frame = frame.astype({"year": "int64", "value": "float64", "line": "int64"})
    order = {ind_id: i for i, ind_id in enumerate(registry)}
    frame = frame.assign(_order=frame["indicator"].map(order))
    frame = frame.sort_values(["_order", "district", "year"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def _indicator_row(
    row: list[str],
    path: Path,
    line: int,
    registry: dict[str, Indicator],
    known_districts: set[str],
    first_line: dict[tuple[str, str, int], int],
) -> dict[str, Any]:
    """One checked CSV record as a dict of the frame's columns."""

    def fail(code: str, column: str, detail: str = "") -> EnergyDataError:
        return EnergyDataError(path, code, line=line, field=column, detail=detail)

    if len(row) != len(CSV_COLUMNS):
        raise fail(E_COLUMNS, "-", f"expected {len(CSV_COLUMNS)}, found {len(row)}")
    district, ind_id, year_text, value_text, unit, source, note = (c.strip() for c in row)
    if district not in known_districts:
        raise fail(E_UNKNOWN_DISTRICT, "district", _show(district))
    indicator = registry.get(ind_id)
    if indicator is None:
        raise fail(E_UNKNOWN_INDICATOR, "indicator", _show(ind_id))
    if not _YEAR.match(year_text):
        raise fail(E_YEAR, "year", _show(year_text))
    year = int(year_text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise fail(E_YEAR_RANGE, "year", f"{year} is not in {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")
    if not _NUMBER.match(value_text):
        raise fail(E_VALUE, "value", _show(value_text))
    value = float(value_text)
    if not math.isfinite(value):
        raise fail(E_VALUE, "value", _show(value_text))
    if (indicator.minimum is not None and value < indicator.minimum) or (
        indicator.maximum is not None and value > indicator.maximum
    ):
        raise fail(
            E_VALUE_RANGE,
            "value",
            f"{value_text} is not in {indicator.minimum}..{indicator.maximum}",
        )
    if unit != indicator.unit:
        raise fail(E_UNIT, "unit", f"expected {indicator.unit!r}, found {unit!r}")
    if not source:
        raise fail(E_SOURCE_MISSING, "source")
    key = (district, ind_id, year)
    if key in first_line:
        raise fail(E_DUPLICATE_ROW, "district,indicator,year", f"first on line {first_line[key]}")
    first_line[key] = line
    return {
        "district": district,
        "indicator": ind_id,
        "year": year,
        "value": value,
        "unit": unit,
        "source": source,
        "note": note,
        "aggregation": indicator.aggregation,
        "line": line,
    }


def missing_rows(
    df: pd.DataFrame,
    district_ids: Iterable[str],
    indicator_ids: Iterable[str],
    years: Iterable[int],
) -> list[tuple[str, str, int]]:
    """The (district, indicator, year) combinations that have no row; [] when complete."""
    present = set(zip(df["district"], df["indicator"], df["year"], strict=True))
    return [
        (d, i, y)
        for d in district_ids
        for i in indicator_ids
        for y in years
        if (d, i, y) not in present
    ]


# ---------------------------------------------------------------------------------------------
# Sites (TOML)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A SPARCS demonstration site shown on the map."""

    id: str
    lat: float
    lon: float
    district: str
    names: dict[str, str]
    texts: dict[str, str]
    source: str
    coordinates_approximate: bool = True

    def name(self, lang: str) -> str:
        """The site's name in a language (English when the language is unknown)."""
        return self.names.get(lang) or self.names["en"]

    def text(self, lang: str) -> str:
        """The short description in a language (English when the language is unknown)."""
        return self.texts.get(lang) or self.texts["en"]


def load_sites(path: Path, district_ids: Collection[str]) -> list[Site]:
    """Read and check a city's sites.toml; every site must name a known district."""
    path = Path(path)
    data = _read_toml(path)
    entries = _get(data, "site", list, path, "site")
    known = set(district_ids)
    sites: list[Site] = []
    seen: set[str] = set()
    for i, raw in enumerate(entries):
        name = f"site[{i}]"
        if not isinstance(raw, dict):
            raise EnergyDataError(path, E_WRONG_TYPE, field=name)
        site_id = _get(raw, "id", str, path, f"{name}.id")
        if not _SITE_ID.match(site_id):
            raise EnergyDataError(path, E_BAD_ID, field=f"{name}.id", detail=_show(site_id))
        if site_id in seen:
            raise EnergyDataError(path, E_DUPLICATE_ID, field=f"{name}.id", detail=site_id)
        seen.add(site_id)
        lat = float(_get(raw, "lat", (int, float), path, f"{name}.lat"))
        lon = float(_get(raw, "lon", (int, float), path, f"{name}.lon"))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise EnergyDataError(path, E_LATLON, field=f"{name}.lat/lon", detail=f"{lat}, {lon}")
        district = _get(raw, "district", str, path, f"{name}.district")
        if district not in known:
            raise EnergyDataError(
                path, E_UNKNOWN_DISTRICT, field=f"{name}.district", detail=_show(district)
            )
        source = _get(raw, "source", str, path, f"{name}.source").strip()
        if not source:
            raise EnergyDataError(path, E_SOURCE_MISSING, field=f"{name}.source")
        if not re.match(r"^https?://\S+$", source):
            raise EnergyDataError(path, E_SOURCE_URL, field=f"{name}.source", detail=_show(source))
        sites.append(
            Site(
                id=site_id,
                lat=lat,
                lon=lon,
                district=district,
                names=_texts(raw, "name", path, f"{name}.name"),
                texts=_texts(raw, "text", path, f"{name}.text"),
                source=source,
                coordinates_approximate=_get(
                    raw, "coordinates_approximate", bool, path, f"{name}.coordinates_approximate"
                ),
            )
        )
    return sites


# ---------------------------------------------------------------------------------------------
# One city's energy data in one call
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityEnergy:
    """Everything the map needs for one city, checked."""

    districts: list[District]
    indicators: pd.DataFrame = field(repr=False)
    sites: list[Site]

    @property
    def district_ids(self) -> list[str]:
        return [d.id for d in self.districts]


def load_city_energy(city_folder: Path, registry: dict[str, Indicator]) -> CityEnergy:
    """Read a city's districts.geojson, indicators.csv and sites.toml (sites are optional)."""
    city_folder = Path(city_folder)
    districts = load_districts(city_folder / "districts.geojson")
    ids = [d.id for d in districts]
    indicators = load_indicators(city_folder / "indicators.csv", registry, ids)
    sites_path = city_folder / "sites.toml"
    sites = load_sites(sites_path, ids) if sites_path.exists() else []
    return CityEnergy(districts=districts, indicators=indicators, sites=sites)


# ---------------------------------------------------------------------------------------------
# Helpers for the map page
# ---------------------------------------------------------------------------------------------


def _aggregation(df: pd.DataFrame, indicator: str) -> str:
    """How districts combine into a city figure: from the frame, else the default rule."""
    if "aggregation" in df.columns:
        found = df.loc[df["indicator"] == indicator, "aggregation"]
        if not found.empty:
            return str(found.iloc[0])
    return "sum" if indicator == POPULATION else "population_weighted"


def city_average(df: pd.DataFrame, indicator: str, year: int) -> float | None:
    """The city figure for one indicator and year, computed from the district rows.

    Counts (aggregation ``sum``, i.e. population) are added up: the result is the city total.
    Everything else (per-resident figures, per-1,000-resident rates and shares of residents)
    is weighted by each district's population of the same year, which is exactly the city's
    own per-resident figure when the district figures are "district total / district
    residents". For shares of energy (renewable share) it is an approximation: the right
    weight would be the energy used, which the data does not have. Districts without a
    population row for that year are left out; None when nothing can be computed.
    """
    rows = df[(df["indicator"] == indicator) & (df["year"] == year)]
    if rows.empty:
        return None
    if _aggregation(df, indicator) == "sum":
        return float(rows["value"].sum())
    population = df[(df["indicator"] == POPULATION) & (df["year"] == year)]
    weights = rows["district"].map(population.set_index("district")["value"])
    usable = weights.notna() & (weights > 0)
    if not usable.any():
        return None
    values, weights = rows["value"][usable], weights[usable]
    return float((values * weights).sum() / weights.sum())


def latest_year(df: pd.DataFrame, indicator: str, district: str | None = None) -> int | None:
    """The most recent data year of an indicator (for one district if given), or None."""
    rows = df[df["indicator"] == indicator]
    if district is not None:
        rows = rows[rows["district"] == district]
    return None if rows.empty else int(rows["year"].max())


def district_table(
    df: pd.DataFrame, indicator: str, year: int | None, lang: str, districts: Iterable[District]
) -> pd.DataFrame:
    """Every district's value of an indicator in a year, largest first, districts without
    data last; columns district, name, value, unit, year, source, note.

    ``year=None`` means the indicator's latest year.
    """
    if year is None:
        year = latest_year(df, indicator)
    rows = df[(df["indicator"] == indicator) & (df["year"] == year)].set_index("district")
    units = df.loc[df["indicator"] == indicator, "unit"]
    unit = str(units.iloc[0]) if not units.empty else ""
    records = []
    for district in districts:
        found = district.id in rows.index
        records.append(
            {
                "district": district.id,
                "name": district.name(lang),
                "value": float(rows.at[district.id, "value"]) if found else math.nan,
                "unit": unit,
                "year": year,
                "source": str(rows.at[district.id, "source"]) if found else "",
                "note": str(rows.at[district.id, "note"]) if found else "",
            }
        )
    table = pd.DataFrame.from_records(
        records, columns=["district", "name", "value", "unit", "year", "source", "note"]
    )
    table = table.sort_values(
        ["value", "name"], ascending=[False, True], na_position="last", kind="stable"
    )
    return table.reset_index(drop=True)


def district_card(df: pd.DataFrame, district_id: str) -> pd.DataFrame:
    """For one district, every indicator's latest value next to the city figure of that year.

    Columns: indicator, value, year, unit, city_average, aggregation, source, note. For
    ``sum`` indicators (population) ``city_average`` is the city total.
    """
    columns = [
        "indicator",
        "value",
        "year",
        "unit",
        "city_average",
        "aggregation",
        "source",
        "note",
    ]
    rows = df[df["district"] == district_id]
    records = []
    for indicator in dict.fromkeys(df["indicator"]):
        own = rows[rows["indicator"] == indicator]
        if own.empty:
            continue
        latest = own.loc[own["year"].idxmax()]
        year = int(latest["year"])
        records.append(
            {
                "indicator": indicator,
                "value": float(latest["value"]),
                "year": year,
                "unit": str(latest["unit"]),
                "city_average": city_average(df, indicator, year),
                "aggregation": _aggregation(df, indicator),
                "source": str(latest["source"]),
                "note": str(latest["note"]),
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def trend(df: pd.DataFrame, district_id: str, indicator: str) -> pd.DataFrame:
    """One district's values of an indicator year by year, with the city figure of each year.

    Columns: year, value, city_average, unit, source, note; sorted by year.
    """
    rows = df[(df["district"] == district_id) & (df["indicator"] == indicator)]
    rows = rows.sort_values("year")
    return pd.DataFrame(
        {
            "year": rows["year"].astype("int64").to_list(),
            "value": rows["value"].astype("float64").to_list(),
            "city_average": [city_average(df, indicator, int(y)) for y in rows["year"]],
            "unit": rows["unit"].to_list(),
            "source": rows["source"].to_list(),
            "note": rows["note"].to_list(),
        },
        columns=["year", "value", "city_average", "unit", "source", "note"],
    )


def class_breaks(values: Iterable[float], classes: int = 5) -> list[float]:
    """Quantile class limits for a choropleth: [min, ..., max], at most ``classes`` classes.

    Equal-count classes keep every colour in use even when one district stands far out; equal
    limits are merged, so a city whose districts share one value gets a single class.
    """
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return []
    limits = [data[0]]
    for k in range(1, classes):
        position = k * (len(data) - 1) / classes
        low = data[math.floor(position)]
        high = data[math.ceil(position)]
        limit = low + (high - low) * (position - math.floor(position))
        if limit > limits[-1]:
            limits.append(limit)
    if data[-1] > limits[-1] or len(limits) == 1:
        limits.append(data[-1])
    return limits
