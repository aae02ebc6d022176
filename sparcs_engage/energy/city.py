"""One city's energy data (districts, indicators, sites) in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sparcs_engage.cities import CityRegistry, declared_languages
from sparcs_engage.energy.districts import District, check_location, load_districts
from sparcs_engage.energy.errors import EnergyDataError
from sparcs_engage.energy.indicators import load_indicators
from sparcs_engage.energy.registry import Indicator, load_indicator_registry
from sparcs_engage.energy.sites import Site, load_sites


@dataclass(frozen=True)
class CityEnergy:
    """Everything the map needs for one city, checked."""

    districts: list[District]
    indicators: pd.DataFrame = field(repr=False)
    sites: list[Site]

    @property
    def district_ids(self) -> list[str]:
        return [d.id for d in self.districts]


def check_city_files(data_dir: Path, registry: CityRegistry) -> list[EnergyDataError]:
    """Every problem of the shared indicator file (in every language some city speaks) and of
    each city's own energy files (in its own languages)."""
    errors = []
    try:
        indicators = load_indicator_registry(Path(data_dir) / "indicators.toml")
    except EnergyDataError as exc:
        return [exc]
    for city in registry.cities.values():
        try:
            load_city_energy(city.folder, indicators, city.languages, city.center)
        except EnergyDataError as exc:
            errors.append(exc)
    return errors


def load_city_energy(
    city_folder: Path,
    registry: dict[str, Indicator],
    languages: Sequence[str] | None = None,
    center: tuple[float, float] | None = None,
) -> CityEnergy:
    """Read a city's districts.geojson, indicators.csv and sites.toml (sites are optional),
    with texts in ``languages`` (default: the languages its city.toml lists). With the city's
    ``center``, districts that do not lie around it are an error."""
    city_folder = Path(city_folder)
    if languages is None:
        languages = declared_languages(city_folder)
    districts = load_districts(city_folder / "districts.geojson", languages)
    if center is not None:
        check_location(districts, center, city_folder / "districts.geojson")
    ids = [d.id for d in districts]
    indicators = load_indicators(city_folder / "indicators.csv", registry, ids)
    sites_path = city_folder / "sites.toml"
    sites = load_sites(sites_path, ids, languages) if sites_path.exists() else []
    return CityEnergy(districts=districts, indicators=indicators, sites=sites)
