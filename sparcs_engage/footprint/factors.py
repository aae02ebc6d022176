"""Emission factors, read from ``data/emission_factors.csv``, where each row names its source
and year; this package holds only the arithmetic."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from sparcs_engage.footprint.answers import _CITY_RE, COUNTRIES, DIETS, HOME_TYPES, LEVELS
from sparcs_engage.settings import REPO_ROOT

DEFAULT_FACTORS_PATH: Path = REPO_ROOT / "data" / "emission_factors.csv"
# Human version of the factor set; bump it when the numbers in the CSV change. The result also
# carries the first 12 hex digits of the file's sha256, so any edit shows up in stored answers.
FACTOR_SET_VERSION = "2026.1"
FACTOR_HEADER: tuple[str, ...] = ("country", "city", "key", "value", "unit", "source", "year")

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
    *(f"electricity_base_kwh_{t}" for t in HOME_TYPES),
    *(f"electricity_per_person_kwh_{t}" for t in HOME_TYPES),
    "car_petrol",
    "car_diesel",
    "car_hybrid",
    "car_electric_kwh_per_km",
    "public_transport",
    "flight_short",
    "flight_long",
    *(f"diet_{d}" for d in DIETS),
    *(f"food_waste_{lvl}" for lvl in LEVELS),
    *(f"goods_services_{lvl}" for lvl in LEVELS),
    "public_services",
)
# Ratios rather than emissions: must be strictly positive (they divide).
_POSITIVE_KEYS = ("heat_pump_cop", "direct_electric_efficiency")

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


def load_factors(path: Path | str = DEFAULT_FACTORS_PATH) -> FactorSet:
    """Read and validate a factor file; ``FactorFileError`` names the file and line on error.

    Checks: the exact header, seven columns, a known key, a finite non-negative number, a unit,
    a source and a year on every row, no duplicate (country, city, key), and every key in
    ``REQUIRED_KEYS`` for every country in ``COUNTRIES``.
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
        country, city, key, raw_value, unit, source, raw_year = (c.strip() for c in cells)
        if not _COUNTRY_RE.match(country):
            raise FactorFileError(path, line, f"country {country!r} is not a 2-letter code")
        if city and not _CITY_RE.match(city):
            raise FactorFileError(path, line, f"city {city!r} is not a city id")
        if key not in REQUIRED_KEYS:
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
        ident = (country, city, key)
        if ident in rows:
            first = rows[ident].line
            raise FactorFileError(
                path, line, f"duplicate of line {first} ({country}, {city or '-'}, {key})"
            )
        rows[ident] = Factor(country, city, key, value, unit, source, year, line)

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
