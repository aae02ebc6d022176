"""What is wrong with a data file: :class:`EnergyDataError` and its message ids, and the
checked TOML look-ups that raise it."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparcs_engage.i18n import LANGUAGES

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
E_LOCATION = (
    "the boundaries do not lie around the city's centre in city.toml "
    "(are latitude and longitude swapped?)"
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
    table: dict[str, Any],
    key: str,
    path: Path,
    name: str,
    *,
    languages: Sequence[str],
    required: bool = True,
) -> dict[str, str]:
    """A table of texts by language: non-empty in each of ``languages`` (the first is the
    fallback), kept as given in the app's other languages; every other key is ignored."""
    raw = _get(table, key, dict, path, name, required=required, default={})
    if not raw and not required:
        return {}
    texts: dict[str, str] = {}
    for lang in (*languages, *(lang for lang in LANGUAGES if lang not in languages)):
        text = raw.get(lang)
        if isinstance(text, str) and text.strip():
            texts[lang] = text.strip()
        elif lang in languages:
            raise EnergyDataError(path, E_TEXT_MISSING, field=f"{name}.{lang}")
    return texts


def in_language(texts: dict[str, str], lang: str) -> str:
    """A text in a language; in the file's first language when it has none in that one."""
    return texts.get(lang) or next(iter(texts.values()), "")
