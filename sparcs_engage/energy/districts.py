"""District boundaries: ``districts.geojson`` read and checked (EPSG:4326, valid polygons),
written back in our format, imported from a city's official file; the district at a point."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from sparcs_engage.cities import declared_languages
from sparcs_engage.energy.errors import (
    E_BAD_ID,
    E_COORDINATES,
    E_CRS,
    E_DUPLICATE_ID,
    E_FILE_EMPTY,
    E_FILE_ENCODING,
    E_FILE_MISSING,
    E_GEOMETRY_EMPTY,
    E_GEOMETRY_INVALID,
    E_GEOMETRY_MALFORMED,
    E_GEOMETRY_TYPE,
    E_ID_MISSING,
    E_LOCATION,
    E_NAME_MISSING,
    E_NO_FEATURES,
    E_NOT_COLLECTION,
    E_NOT_FEATURE,
    E_NOT_JSON,
    E_SOURCE_MISSING,
    E_WRONG_TYPE,
    EnergyDataError,
    _show,
    in_language,
)
from sparcs_engage.i18n import LANGUAGES, SOURCE_LANGUAGE

COORDINATE_DECIMALS = 6

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A district id goes into URLs, CSV files and file names: letters, digits, - and _ only
# (never a path such as ../../etc).
DISTRICT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
# How far a district may lie from the city's centre in city.toml.
MAX_DISTANCE_KM = 150.0

_WGS84 = re.compile(
    r"^(?:urn:ogc:def:crs:ogc:1\.3:crs84|urn:ogc:def:crs:ogc::crs84|ogc:(?:1\.3:)?crs84|crs84"
    r"|epsg:4326|urn:ogc:def:crs:epsg:[0-9.]*:4326"
    r"|https?://www\.opengis\.net/def/crs/(?:epsg/0/4326|ogc/1\.3/crs84))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class District:
    """A district of a city: its id, names, boundary in EPSG:4326 and where the boundary is from."""

    id: str
    names: dict[str, str]
    geometry: BaseGeometry = field(repr=False)
    approximate: bool = False
    source: str = ""

    def name(self, lang: str) -> str:
        """The district's name in a language (in the city's own when none in that one)."""
        return in_language(self.names, lang)


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
    if not DISTRICT_ID.match(value):
        raise EnergyDataError(
            path,
            E_BAD_ID,
            field=id_field,
            feature=index,
            detail=f"{_show(value)}: use letters, digits, - and _ only",
        )
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


def load_districts(path: Path, languages: Sequence[str] | None = None) -> list[District]:
    """Read and check a city's districts.geojson (EPSG:4326, valid polygons, unique ids), with
    a name in each of ``languages`` (default: those of the city.toml beside the file)."""
    path = Path(path)
    if languages is None:
        languages = declared_languages(path.parent)
    return _parse_districts(_read_collection(path), path, languages)


def _parse_districts(
    features: list[Any], path: Path, languages: Sequence[str] = ()
) -> list[District]:
    """Districts from the features of a file in our format: ``name_<lang>`` (or ``name``) in
    each of ``languages``, kept as given in the app's other languages."""
    districts: list[District] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(features):
        props, geometry = _feature(raw, path, index)
        district_id = _feature_id(raw, props, "id", path, index, seen)
        _check_crs(raw.get("crs"), path, index, district_id)
        fallback = _text_property(props, "name")
        names: dict[str, str] = {}
        for lang in (*languages, *(lang for lang in LANGUAGES if lang not in languages)):
            name = _text_property(props, f"name_{lang}")
            if name is None and lang in languages:
                name = fallback
                if name is None:
                    raise EnergyDataError(
                        path,
                        E_NAME_MISSING,
                        field=f"name_{lang}",
                        feature=index,
                        feature_id=district_id,
                    )
            if name is not None:
                names[lang] = name
        if not names:
            if fallback is None:
                raise EnergyDataError(
                    path, E_NAME_MISSING, field="name", feature=index, feature_id=district_id
                )
            names[SOURCE_LANGUAGE] = fallback
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
            **{f"name_{lang}": name for lang, name in district.names.items()},
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
    districts: Iterable[District],
    target: Path,
    decimals: int = COORDINATE_DECIMALS,
    languages: Sequence[str] | None = None,
) -> None:
    """Write districts atomically in our districts.geojson format, after checking they load
    with a name in each of ``languages`` (default: those of the city.toml beside ``target``)."""
    target = Path(target)
    text = districts_geojson(districts, decimals)
    if languages is None:
        languages = declared_languages(target.parent)
    try:
        _parse_districts(_parse_collection(text, target), target, languages)
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


def _distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance (haversine), enough to tell a city from a swapped coordinate."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def check_location(districts: Iterable[District], center: tuple[float, float], path: Path) -> None:
    """Every district lies within MAX_DISTANCE_KM of the city's centre (city.toml map.center):
    a file with latitude and longitude swapped, or of another city, is refused."""
    lat, lon = center
    for index, district in enumerate(districts):
        point = district.geometry.representative_point()
        far = _distance_km(lat, lon, point.y, point.x)
        if far > MAX_DISTANCE_KM:
            raise EnergyDataError(
                path,
                E_LOCATION,
                field="geometry",
                feature=index,
                feature_id=district.id,
                detail=f"{far:,.0f} km from ({lat}, {lon})",
            )


def import_districts(
    source: Path,
    target: Path,
    *,
    id_field: str,
    name_field: str,
    center: tuple[float, float] | None = None,
    languages: Sequence[str] | None = None,
) -> int:
    """Convert an official district GeoJSON (EPSG:4326) into our format; return the count.
    The one name is written for each of the city's ``languages`` (default: those of the city
    whose folder ``target`` is in; a caller writing to a scratch file elsewhere must give them).
    With the city's ``center``, boundaries that do not lie around it are refused."""
    source, target = Path(source), Path(target)
    if languages is None:
        languages = declared_languages(target.parent)
    languages = tuple(languages) or (SOURCE_LANGUAGE,)
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
                names=dict.fromkeys(languages, name),
                geometry=geom,
                approximate=False,
                source=f"Imported from {source.name}",
            )
        )
    if center is not None:
        check_location(districts, center, source)
    write_districts(districts, target, languages=languages)
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
