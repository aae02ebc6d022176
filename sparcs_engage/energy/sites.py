"""The SPARCS demonstration sites of a city, ``sites.toml``."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sparcs_engage.cities import declared_languages
from sparcs_engage.energy.errors import (
    E_BAD_ID,
    E_DUPLICATE_ID,
    E_LATLON,
    E_SOURCE_MISSING,
    E_SOURCE_URL,
    E_UNKNOWN_DISTRICT,
    E_WRONG_TYPE,
    EnergyDataError,
    _get,
    _read_toml,
    _show,
    _texts,
    in_language,
)

_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
        """The site's name in a language (in the city's own when it has none in that one)."""
        return in_language(self.names, lang)

    def text(self, lang: str) -> str:
        """The short description in a language (in the city's own when none in that one)."""
        return in_language(self.texts, lang)


def load_sites(
    path: Path, district_ids: Collection[str], languages: Sequence[str] | None = None
) -> list[Site]:
    """Read and check a city's sites.toml; every site must name a known district and have its
    texts in ``languages`` (default: those of the city.toml beside the file)."""
    path = Path(path)
    if languages is None:
        languages = declared_languages(path.parent)
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
                names=_texts(raw, "name", path, f"{name}.name", languages=languages),
                texts=_texts(raw, "text", path, f"{name}.text", languages=languages),
                source=source,
                coordinates_approximate=_get(
                    raw, "coordinates_approximate", bool, path, f"{name}.coordinates_approximate"
                ),
            )
        )
    return sites
