"""Emission factors, read from ``data/emission_factors.csv``, where each row names its value,
unit, year, scope, source and a note; this package holds only the arithmetic.

Every row is in one scope (``SCOPE``): life-cycle greenhouse gases in CO2e including the supply
of fuels (well-to-wheel for vehicles). A row whose source or note says "demo estimate" is a
SPARCS Engage estimate, and the page says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType

from sparcs_engage.footprint.answers import (
    _CITY_RE,
    AMOUNTS,
    BUILDING_AGES,
    CAR_SIZES,
    COUNTRIES,
    DIETS,
    HOME_TYPES,
    LEVELS,
)
from sparcs_engage.settings import REPO_ROOT

DEFAULT_FACTORS_PATH: Path = REPO_ROOT / "data" / "emission_factors.csv"
# Human version of the factor set; bump it when the numbers in the CSV change. The result also
# carries the first 12 hex digits of the file's sha256, so any edit shows up in stored answers.
FACTOR_SET_VERSION = "2026.2"
FACTOR_HEADER: tuple[str, ...] = (
    "country",
    "city",
    "key",
    "value",
    "unit",
    "year",
    "scope",
    "source",
    "note",
)
# The one scope of every factor: life-cycle CO2e, fuel supply included (well-to-wheel).
SCOPE = "LC-CO2e-WTW"
# Factors older than this year need a note that says why no newer one is used.
RECENT_YEAR = 2019
ESTIMATE_MARK = "demo estimate"

REQUIRED_KEYS: tuple[str, ...] = (
    "electricity_grid",
    "electricity_green",
    "district_heat",
    "heat_pump_cop",
    "direct_electric_efficiency",
    "heat_oil",
    "heat_gas",
    "heat_wood",
    *(f"heat_kwh_per_m2_{t}" for t in HOME_TYPES),
    *(f"heat_kwh_per_m2_age_{age}" for age in BUILDING_AGES if age != "unknown"),
    *(f"electricity_base_kwh_{t}" for t in HOME_TYPES),
    *(f"electricity_per_person_kwh_{t}" for t in HOME_TYPES),
    "construction_per_m2_year_apartment",
    "construction_per_m2_year_house",
    "car_petrol",
    "car_diesel",
    "car_hybrid",
    "car_electric_kwh_per_km",
    *(f"car_size_multiplier_{size}" for size in CAR_SIZES if size != "unknown"),
    "car_occupancy_default",
    "public_transport",
    "train_long_distance",
    "coach",
    "flight_short",
    "flight_medium",
    "flight_long",
    *(f"diet_{d}" for d in DIETS),
    "food_dairy_average",
    "food_cheese_average",
    *(f"food_amount_multiplier_{a}" for a in AMOUNTS),
    *(f"food_waste_{lvl}" for lvl in LEVELS),
    *(f"goods_services_{lvl}" for lvl in LEVELS),
    "public_services",
)
# Factors a country may have: with them, the page asks the question they belong to (the
# summer cottage is asked where the file has its factors, in Finland).
OPTIONAL_KEYS: tuple[str, ...] = (
    "cottage_electricity_kwh_summer",
    "cottage_electricity_kwh_year_round",
    "cottage_floor_area_m2",
)
KNOWN_KEYS: frozenset[str] = frozenset(REQUIRED_KEYS + OPTIONAL_KEYS)
# Ratios rather than emissions: must be strictly positive (they divide).
_POSITIVE_KEYS = (
    "heat_pump_cop",
    "direct_electric_efficiency",
    "car_occupancy_default",
    *(f"car_size_multiplier_{size}" for size in CAR_SIZES if size != "unknown"),
)

_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class FactorFileError(ValueError):
    """The emission-factor file is broken; the message names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Factor:
    country: str
    city: str  # "" for the national value
    key: str
    value: float
    unit: str
    source: str
    year: int
    line: int
    scope: str = SCOPE
    note: str = ""

    @property
    def is_estimate(self) -> bool:
        """A SPARCS Engage estimate rather than a published figure (the page says so)."""
        return ESTIMATE_MARK in f"{self.source} {self.note}".lower()


@dataclass(frozen=True)
class FactorSet:
    """The validated factors of one file, looked up by country, key and (optionally) city."""

    path: Path
    sha256_12: str
    rows: Mapping[tuple[str, str, str], Factor]

    @property
    def version(self) -> str:
        return f"{FACTOR_SET_VERSION}+{self.sha256_12}"

    def factor(self, country: str, key: str, city: str | None = None) -> Factor:
        """The city's own factor where the file has one, else the national one."""
        if city and (country, city, key) in self.rows:
            return self.rows[(country, city, key)]
        try:
            return self.rows[(country, "", key)]
        except KeyError:
            raise KeyError(f"no emission factor {key!r} for {country} in {self.path}") from None

    def value(self, country: str, key: str, city: str | None = None) -> float:
        return self.factor(country, key, city).value

    def has(self, country: str, key: str) -> bool:
        """Whether the country has this (optional) factor."""
        return (country, "", key) in self.rows

    def for_country(self, country: str) -> list[Factor]:
        """The country's factors in file order, its cities' own rows included."""
        return sorted((f for f in self.rows.values() if f.country == country), key=_line)

    def with_values(self, values: Mapping[tuple[str, str, str], float], label: str) -> FactorSet:
        """A copy with some values replaced (a city's planned factors); ``label`` marks the
        version, so a result computed with it is never taken for one of today's."""
        rows = dict(self.rows)
        for ident, value in values.items():
            base = rows.get(ident) or self.factor(ident[0], ident[2], ident[1] or None)
            rows[ident] = replace(base, city=ident[1], value=float(value))
        return FactorSet(self.path, f"{self.sha256_12}-{label}", MappingProxyType(rows))


def _line(factor: Factor) -> int:
    return factor.line


def load_factors(path: Path | str = DEFAULT_FACTORS_PATH) -> FactorSet:
    """Read and validate a factor file; ``FactorFileError`` names the file and line on error.

    Checks: the exact header, nine columns, a known key, a finite non-negative number, a unit,
    a year, the one ``SCOPE`` and a source on every row, a note on rows older than
    ``RECENT_YEAR``, no duplicate (country, city, key), and every key in ``REQUIRED_KEYS`` for
    every country in ``COUNTRIES``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FactorFileError(path, None, f"cannot read the file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FactorFileError(path, None, "the file is not UTF-8") from None

    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != FACTOR_HEADER:
        raise FactorFileError(path, 1, f"the header must be {','.join(FACTOR_HEADER)}")

    rows: dict[tuple[str, str, str], Factor] = {}
    for cells in reader:
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(FACTOR_HEADER):
            raise FactorFileError(
                path, line, f"expected {len(FACTOR_HEADER)} columns, found {len(cells)}"
            )
        country, city, key, raw_value, unit, raw_year, scope, source, note = (
            c.strip() for c in cells
        )
        if not _COUNTRY_RE.match(country):
            raise FactorFileError(path, line, f"country {country!r} is not a 2-letter code")
        if city and not _CITY_RE.match(city):
            raise FactorFileError(path, line, f"city {city!r} is not a city id")
        if key not in KNOWN_KEYS:
            raise FactorFileError(path, line, f"unknown key {key!r}")
        try:
            value = float(raw_value)
        except ValueError:
            raise FactorFileError(path, line, f"value {raw_value!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise FactorFileError(path, line, f"value {raw_value!r} must be finite and >= 0")
        if key in _POSITIVE_KEYS and value <= 0:
            raise FactorFileError(path, line, f"{key} must be greater than 0")
        if not unit:
            raise FactorFileError(path, line, "the unit is missing")
        if not source:
            raise FactorFileError(path, line, "the source is missing")
        if not raw_year:
            raise FactorFileError(path, line, "the year is missing")
        try:
            year = int(raw_year)
        except ValueError:
            raise FactorFileError(path, line, f"year {raw_year!r} is not a year") from None
        if not 1990 <= year <= 2100:
            raise FactorFileError(path, line, f"year {year} is out of range")
        if year < RECENT_YEAR and not note:
            raise FactorFileError(
                path, line, f"year {year} is before {RECENT_YEAR}: the note must say why"
            )
        if scope != SCOPE:
            raise FactorFileError(path, line, f"scope {scope!r} is not {SCOPE}")
        ident = (country, city, key)
        if ident in rows:
            first = rows[ident].line
            raise FactorFileError(
                path, line, f"duplicate of line {first} ({country}, {city or '-'}, {key})"
            )
        rows[ident] = Factor(country, city, key, value, unit, source, year, line, scope, note)

    for country in COUNTRIES:
        missing = [k for k in REQUIRED_KEYS if (country, "", k) not in rows]
        if missing:
            raise FactorFileError(
                path, None, f"missing national factors for {country}: {', '.join(missing)}"
            )
    return FactorSet(
        path=path,
        sha256_12=hashlib.sha256(data).hexdigest()[:12],
        rows=MappingProxyType(rows),
    )


@cache
def default_factors() -> FactorSet:
    """The repository's factor set, read once per process."""
    return load_factors(DEFAULT_FACTORS_PATH)
