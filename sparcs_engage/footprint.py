"""The personal carbon-footprint calculator: answers, validation, calculation and actions.

Pure Python (no Streamlit). Every factor comes from ``data/emission_factors.csv``, where each row
names its source and year; this module holds only the arithmetic.

Conventions (the page explains them to the resident in their language):

* Results are kg CO2e **per person and year**, in four categories: ``housing``, ``mobility``,
  ``food`` and ``goods_services``.
* Housing is computed for the whole household and divided by ``household_size``.
* ``heat_kwh`` is the **heat** the home uses per year (space heating and hot water), in kWh. For
  district heat it is the metered kWh on the bill. The oil, gas and wood factors are per kWh of
  heat (boiler efficiency included); a heat pump needs ``heat_kwh / COP`` kWh of electricity and
  direct electric heating ``heat_kwh / 1.0``. Left empty, it defaults to floor area times a
  per-m² value for the home type.
* ``electricity_kwh`` is the household's electricity **without** heating and car charging, per
  year. Left empty, it defaults to a fixed part plus a part per person, by home type.
* Green electricity covers all electricity the household buys: appliances, heat pump, direct
  electric heating and charging an electric car at home.
* ``car_km_per_year`` is the kilometres the resident travels by car (their own share of shared
  trips); the factor is per vehicle-km, so it is not divided by household size.
* Public transport is asked in **km per week** (not hours), since the factors are per
  passenger-km; the year has 52 weeks here.
* Flights are **return** flights per year (there and back counts once); fractions such as 0.5
  (one trip every other year) are allowed.
* Public-sector emissions: the German average of the Umweltbundesamt calculator includes a fixed
  0.8 t per person for public services; the Finnish Sitra average leaves public consumption out.
  The ``public_services`` factor follows each country's reference (DE 800, FI 0) and is counted
  in ``goods_services``, so a resident is compared with a national average of the same scope.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sparcs_engage.i18n import N_
from sparcs_engage.settings import REPO_ROOT

# --------------------------------------------------------------------------------------------
# Reference values shown next to a result
# --------------------------------------------------------------------------------------------

# 1.5-degree lifestyle targets, kg CO2e per person and year (household consumption only):
# Institute for Global Environmental Strategies, Aalto University and D-mat, "1.5-Degree
# Lifestyles: Targets and Options for Reducing Lifestyle Carbon Footprints" (Sitra and
# KR Foundation, 2019), kept in the 2021 update by the Hot or Cool Institute, "1.5-Degree
# Lifestyles: Towards a Fair Consumption Space for All" (2021).
TARGETS_KG: dict[int, int] = {2030: 2500, 2040: 1400, 2050: 700}

# National averages, kg CO2e per person and year:
# FI: Sitra, Lifestyle test (elämäntapatesti), average Finn 10,300 kg (calculation basis by
#     D-mat, 2018); household consumption only, like the targets above.
# DE: Umweltbundesamt, CO2-Rechner (built by ifeu), German average 10.8 t (2022 profile:
#     housing 2.2, electricity about 0.5, mobility about 2.2, food 1.7, other consumption 3.4,
#     public emissions 0.8 t).
NATIONAL_AVERAGE_KG: dict[str, int] = {"FI": 10_300, "DE": 10_800}

# Source and year of the references above, for the page to show next to the numbers.
REFERENCE_SOURCES: dict[str, str] = {
    "targets": "IGES, Aalto-yliopisto, D-mat & Sitra: 1.5-Degree Lifestyles (2019); "
    "Hot or Cool Institute (2021)",
    "FI": "Sitra, Elämäntapatesti (D-mat, 2018)",
    "DE": "Umweltbundesamt, CO2-Rechner (2022)",
}

# --------------------------------------------------------------------------------------------
# Answer ids (language-neutral; the page translates the labels)
# --------------------------------------------------------------------------------------------

Country = Literal["FI", "DE"]
HomeType = Literal["apartment", "terraced", "detached"]
Heating = Literal["district_heat", "heat_pump", "oil", "gas", "direct_electric", "wood"]
CarFuel = Literal["petrol", "diesel", "electric", "hybrid", "none"]
Diet = Literal["vegan", "vegetarian", "flexitarian", "average", "meat_heavy"]
Level = Literal["low", "average", "high"]

COUNTRIES: tuple[str, ...] = get_args(Country)
HOME_TYPES: tuple[str, ...] = get_args(HomeType)
HEATINGS: tuple[str, ...] = get_args(Heating)
CAR_FUELS: tuple[str, ...] = get_args(CarFuel)
# From the lowest to the highest footprint.
DIETS: tuple[str, ...] = get_args(Diet)
LEVELS: tuple[str, ...] = get_args(Level)
CATEGORIES: tuple[str, ...] = ("housing", "mobility", "food", "goods_services")

WEEKS_PER_YEAR = 52

# Plausible ranges (inclusive); anything outside is rejected with a message per field.
BOUNDS: dict[str, tuple[int, int]] = {
    "floor_area_m2": (10, 1000),
    "household_size": (1, 20),
    "electricity_kwh": (0, 50_000),
    "heat_kwh": (0, 200_000),
    "car_km_per_year": (0, 150_000),
    "public_transport_km_per_week": (0, 2_000),
    "flights_short_per_year": (0, 100),
    "flights_long_per_year": (0, 100),
}

# --------------------------------------------------------------------------------------------
# Validation messages: English msgids, translated by the page; {min}/{max} come from .params
# --------------------------------------------------------------------------------------------

MSG_REQUIRED = N_("Please answer this question.")
MSG_NUMBER = N_("Enter a number.")
MSG_WHOLE_NUMBER = N_("Enter a whole number.")
MSG_YES_NO = N_("Answer yes or no.")
MSG_CITY = N_("This city is not known.")
MSG_UNKNOWN_FIELD = N_("This question is not part of the calculator.")
MSG_INVALID = N_("This answer is not valid.")
MSG_CAR_WITHOUT_FUEL = N_(
    "You chose “no car” but entered car kilometres: choose the car's fuel or set the "
    "kilometres to 0."
)

RANGE_MESSAGES: dict[str, str] = {
    "floor_area_m2": N_("Enter the floor area of your home in square metres, from {min} to {max}."),
    "household_size": N_("Enter how many people live in your household, from {min} to {max}."),
    "electricity_kwh": N_(
        "Enter your household's electricity use in kWh per year, from {min} to {max}, or leave "
        "it empty."
    ),
    "heat_kwh": N_(
        "Enter your home's heat use in kWh per year, from {min} to {max}, or leave it empty."
    ),
    "car_km_per_year": N_("Enter the kilometres you travel by car per year, from {min} to {max}."),
    "public_transport_km_per_week": N_(
        "Enter the kilometres you travel by public transport per week, from {min} to {max}."
    ),
    "flights_short_per_year": N_(
        "Enter the number of short return flights per year, from {min} to {max}."
    ),
    "flights_long_per_year": N_(
        "Enter the number of long return flights per year, from {min} to {max}."
    ),
}

CHOICE_MESSAGES: dict[str, str] = {
    "country": N_("Choose Finland or Germany."),
    "home_type": N_("Choose the type of your home."),
    "heating": N_("Choose how your home is heated."),
    "car_fuel": N_("Choose your car's fuel, or “no car”."),
    "diet": N_("Choose the diet closest to yours."),
    "food_waste": N_("Choose how much food your household throws away."),
    "spending": N_("Choose how much you spend on goods and services."),
}

_NUMERIC_FIELDS = tuple(BOUNDS)
_OPTIONAL_FIELDS = ("city", "electricity_kwh", "heat_kwh")
_CITY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class FootprintInputError(ValueError):
    """Invalid answers: ``errors`` maps a field to an English msgid, ``params`` to its values.

    The page shows ``translator.gettext(errors[f]).format(**params[f])`` next to field ``f``.
    """

    def __init__(self, errors: dict[str, str], params: dict[str, dict[str, Any]]) -> None:
        self.errors = errors
        self.params = params
        super().__init__("invalid footprint answers: " + ", ".join(sorted(errors)))


class Answers(BaseModel):
    """One resident's answers, all as language-neutral ids and numbers (see the module doc)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    country: Country
    city: str | None = Field(default=None, max_length=40, pattern=_CITY_RE.pattern)
    home_type: HomeType
    floor_area_m2: float = Field(ge=BOUNDS["floor_area_m2"][0], le=BOUNDS["floor_area_m2"][1])
    household_size: int = Field(ge=BOUNDS["household_size"][0], le=BOUNDS["household_size"][1])
    heating: Heating
    green_electricity: bool
    electricity_kwh: float | None = Field(
        default=None, ge=BOUNDS["electricity_kwh"][0], le=BOUNDS["electricity_kwh"][1]
    )
    heat_kwh: float | None = Field(default=None, ge=BOUNDS["heat_kwh"][0], le=BOUNDS["heat_kwh"][1])
    car_km_per_year: float = Field(ge=BOUNDS["car_km_per_year"][0], le=BOUNDS["car_km_per_year"][1])
    car_fuel: CarFuel
    public_transport_km_per_week: float = Field(
        ge=BOUNDS["public_transport_km_per_week"][0],
        le=BOUNDS["public_transport_km_per_week"][1],
    )
    flights_short_per_year: float = Field(
        ge=BOUNDS["flights_short_per_year"][0], le=BOUNDS["flights_short_per_year"][1]
    )
    flights_long_per_year: float = Field(
        ge=BOUNDS["flights_long_per_year"][0], le=BOUNDS["flights_long_per_year"][1]
    )
    diet: Diet
    food_waste: Level
    spending: Level

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        """Empty answers count as missing (or None for optional ones); ids are normalised."""
        if not isinstance(data, Mapping):
            return data
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                if key in _OPTIONAL_FIELDS:
                    cleaned[key] = None
                continue  # a required answer left empty is reported as missing
            if key == "country" and isinstance(value, str):
                value = value.strip().upper()
            elif key == "city" and isinstance(value, str):
                value = value.strip().lower()
            cleaned[key] = value
        return cleaned

    @field_validator(*_NUMERIC_FIELDS, mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        # pydantic would read True as 1; a yes/no is never a valid number here.
        if isinstance(value, bool):
            raise PydanticCustomError("bool_as_number", "a yes/no is not a number")
        return value

    @model_validator(mode="after")
    def _car_consistent(self) -> Answers:
        if self.car_fuel == "none" and self.car_km_per_year > 0:
            raise PydanticCustomError("car_without_fuel", "car kilometres without a car fuel")
        return self


def _message_for(loc_field: str, error_type: str) -> tuple[str, dict[str, Any]]:
    if error_type == "missing":
        return MSG_REQUIRED, {}
    if error_type == "extra_forbidden":
        return MSG_UNKNOWN_FIELD, {}
    if loc_field in BOUNDS:
        low, high = BOUNDS[loc_field]
        if error_type in ("greater_than_equal", "less_than_equal"):
            return RANGE_MESSAGES[loc_field], {"min": low, "max": high}
        if error_type in ("int_from_float", "int_parsing"):
            return MSG_WHOLE_NUMBER, {}
        return MSG_NUMBER, {}
    if loc_field in CHOICE_MESSAGES:
        return CHOICE_MESSAGES[loc_field], {}
    if loc_field == "city":
        return MSG_CITY, {}
    if loc_field == "green_electricity":
        return MSG_YES_NO, {}
    return MSG_INVALID, {}


def validate_answers(raw: Mapping[str, Any]) -> Answers:
    """Answers from raw form values, or ``FootprintInputError`` with one message per field."""
    if not isinstance(raw, Mapping):
        raise TypeError(f"answers must be a mapping, not {type(raw).__name__}")
    try:
        return Answers.model_validate(dict(raw))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        params: dict[str, dict[str, Any]] = {}
        for err in exc.errors():
            if err["type"] == "car_without_fuel":
                name, (message, values) = "car_fuel", (MSG_CAR_WITHOUT_FUEL, {})
            else:
                name = str(err["loc"][0]) if err["loc"] else "_form"
                message, values = _message_for(name, err["type"])
            if name not in errors:  # the first problem per field is enough for the resident
                errors[name] = message
                params[name] = values
        raise FootprintInputError(errors, params) from None


# --------------------------------------------------------------------------------------------
# Emission factors
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Calculation
# --------------------------------------------------------------------------------------------

# Finer items behind the four categories, for charts and explanations.
ITEM_CATEGORY: dict[str, str] = {
    "heating": "housing",
    "electricity": "housing",
    "car": "mobility",
    "public_transport": "mobility",
    "flights": "mobility",
    "food": "food",
    "goods_services": "goods_services",
    "public_services": "goods_services",
}


@dataclass(frozen=True)
class FootprintResult:
    """kg CO2e per person and year; ``by_category`` sums to ``total_kg``."""

    total_kg: float
    by_category: dict[str, float]
    factor_version: str
    by_item: dict[str, float] = field(default_factory=dict)


def default_electricity_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """Household electricity per year (without heating and car) when the resident left it out."""
    f = factors or default_factors()
    c, t = answers.country, answers.home_type
    base = f.value(c, f"electricity_base_kwh_{t}")
    per_person = f.value(c, f"electricity_per_person_kwh_{t}")
    return base + per_person * answers.household_size


def default_heat_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """The home's heat use per year when the resident left it out: floor area × kWh/m²."""
    f = factors or default_factors()
    return answers.floor_area_m2 * f.value(answers.country, f"heat_kwh_per_m2_{answers.home_type}")


def _electricity_factor(answers: Answers, f: FactorSet) -> float:
    key = "electricity_green" if answers.green_electricity else "electricity_grid"
    return f.value(answers.country, key)


def _items(answers: Answers, f: FactorSet) -> dict[str, float]:
    c = answers.country
    people = answers.household_size
    elec = _electricity_factor(answers, f)

    heat = answers.heat_kwh if answers.heat_kwh is not None else default_heat_kwh(answers, f)
    if answers.heating == "district_heat":
        heating_kg = heat * f.value(c, "district_heat", answers.city)
    elif answers.heating == "heat_pump":
        heating_kg = heat / f.value(c, "heat_pump_cop") * elec
    elif answers.heating == "direct_electric":
        heating_kg = heat / f.value(c, "direct_electric_efficiency") * elec
    else:
        heating_kg = heat * f.value(c, f"heat_{answers.heating}")

    household_kwh = (
        answers.electricity_kwh
        if answers.electricity_kwh is not None
        else default_electricity_kwh(answers, f)
    )
    electricity_kg = household_kwh * elec

    km = answers.car_km_per_year
    if answers.car_fuel == "none":
        car_kg = 0.0
    elif answers.car_fuel == "electric":
        car_kg = km * f.value(c, "car_electric_kwh_per_km") * elec
    else:
        car_kg = km * f.value(c, f"car_{answers.car_fuel}")

    transit_km = answers.public_transport_km_per_week * WEEKS_PER_YEAR
    flights_kg = answers.flights_short_per_year * f.value(c, "flight_short")
    flights_kg += answers.flights_long_per_year * f.value(c, "flight_long")
    food_kg = f.value(c, f"diet_{answers.diet}") * f.value(c, f"food_waste_{answers.food_waste}")

    return {
        "heating": heating_kg / people,
        "electricity": electricity_kg / people,
        "car": car_kg,
        "public_transport": transit_km * f.value(c, "public_transport"),
        "flights": flights_kg,
        "food": food_kg,
        "goods_services": f.value(c, f"goods_services_{answers.spending}"),
        "public_services": f.value(c, "public_services"),
    }


def calculate(answers: Answers, factors: FactorSet | None = None) -> FootprintResult:
    """The footprint of one resident, kg CO2e per person and year (unrounded; the page rounds)."""
    f = factors or default_factors()
    items = _items(answers, f)
    by_category = dict.fromkeys(CATEGORIES, 0.0)
    for item, kg in items.items():
        by_category[ITEM_CATEGORY[item]] += kg
    return FootprintResult(
        total_kg=sum(by_category.values()),
        by_category=by_category,
        factor_version=f.version,
        by_item=items,
    )


# --------------------------------------------------------------------------------------------
# Average profiles
# --------------------------------------------------------------------------------------------

# Typical answers of an average resident; with the factor file they reproduce the national
# averages above (tests/unit/test_footprint.py checks within 15 %). Household size about 2 in
# both countries (Statistics Finland, Destatis); floor area about 40 m² (FI) and 46 m² (DE) per
# person; most common heating (district heat in FI, gas in DE); car, public-transport and flight
# figures are SPARCS Engage demo estimates of per-person averages.
_AVERAGE_PROFILES: dict[str, dict[str, Any]] = {
    "FI": {
        "country": "FI",
        "city": None,
        "home_type": "apartment",
        "floor_area_m2": 80,
        "household_size": 2,
        "heating": "district_heat",
        "green_electricity": False,
        "car_km_per_year": 7000,
        "car_fuel": "petrol",
        "public_transport_km_per_week": 40,
        "flights_short_per_year": 1,
        "flights_long_per_year": 0.3,
        "diet": "average",
        "food_waste": "average",
        "spending": "average",
    },
    "DE": {
        "country": "DE",
        "city": None,
        "home_type": "apartment",
        "floor_area_m2": 92,
        "household_size": 2,
        "heating": "gas",
        "green_electricity": False,
        "car_km_per_year": 7000,
        "car_fuel": "petrol",
        "public_transport_km_per_week": 30,
        "flights_short_per_year": 1,
        "flights_long_per_year": 0.2,
        "diet": "average",
        "food_waste": "average",
        "spending": "average",
    },
}


def average_profile(country: str) -> Answers:
    """The answers of an average resident of ``country`` ("FI" or "DE")."""
    try:
        return Answers.model_validate(_AVERAGE_PROFILES[country])
    except KeyError:
        raise ValueError(f"no average profile for country {country!r}") from None


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------

ACTION_IDS: tuple[str, ...] = (
    "green_electricity",
    "heat_pump",
    "car_free_days",
    "electric_car",
    "vegetarian_diet",
    "vegan_diet",
    "one_long_flight_less",
    "one_short_flight_less",
    "less_food_waste",
    "lower_spending",
)
# Share of car kilometres the "car-free days" action removes (one day in five).
CAR_FREE_SHARE = 0.2


@dataclass(frozen=True)
class Action:
    """A change the resident could make; ``saving_kg`` is computed from their own answers.

    ``changes`` holds the answers that change (field -> new value) and ``new_answers`` the
    whole answers after the change, so ``calculate(new_answers)`` shows the result.
    """

    id: str
    category: str
    saving_kg: float
    changes: Mapping[str, Any]
    new_answers: Answers


def _candidates(a: Answers) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    if not a.green_electricity:
        out.append(("green_electricity", "housing", {"green_electricity": True}))
    # A flat's heating is decided by the building, so the heat-pump action is for houses.
    if a.home_type != "apartment" and a.heating != "heat_pump":
        out.append(("heat_pump", "housing", {"heating": "heat_pump"}))
    if a.car_fuel != "none" and a.car_km_per_year > 0:
        out.append(
            (
                "car_free_days",
                "mobility",
                {"car_km_per_year": a.car_km_per_year * (1 - CAR_FREE_SHARE)},
            )
        )
        if a.car_fuel != "electric":
            out.append(("electric_car", "mobility", {"car_fuel": "electric"}))
    if a.diet in ("flexitarian", "average", "meat_heavy"):
        out.append(("vegetarian_diet", "food", {"diet": "vegetarian"}))
    elif a.diet == "vegetarian":
        out.append(("vegan_diet", "food", {"diet": "vegan"}))
    if a.flights_long_per_year > 0:
        new_long = max(0.0, a.flights_long_per_year - 1)
        out.append(("one_long_flight_less", "mobility", {"flights_long_per_year": new_long}))
    if a.flights_short_per_year > 0:
        new_short = max(0.0, a.flights_short_per_year - 1)
        out.append(("one_short_flight_less", "mobility", {"flights_short_per_year": new_short}))
    if a.food_waste != "low":
        out.append(("less_food_waste", "food", {"food_waste": "low"}))
    if a.spending != "low":
        lower = "average" if a.spending == "high" else "low"
        # Buying less and second-hand moves the resident one spending level down.
        out.append(("lower_spending", "goods_services", {"spending": lower}))
    return out


def actions(answers: Answers, factors: FactorSet | None = None) -> list[Action]:
    """Actions with a positive saving for this resident, the largest saving first."""
    f = factors or default_factors()
    before = calculate(answers, f).total_kg
    found: list[Action] = []
    for action_id, category, changes in _candidates(answers):
        new_answers = answers.model_copy(update=changes)
        saving = before - calculate(new_answers, f).total_kg
        if saving > 1e-9:
            found.append(
                Action(
                    id=action_id,
                    category=category,
                    saving_kg=saving,
                    changes=MappingProxyType(dict(changes)),
                    new_answers=new_answers,
                )
            )
    found.sort(key=lambda act: (-act.saving_kg, act.id))
    return found


# --------------------------------------------------------------------------------------------
# Reading a result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A result next to the national average and the 1.5-degree targets, for the plain sentence."""

    total_kg: float
    average_kg: float
    share_vs_average: float  # -0.2 means 20 % below the average
    gap_to_2030_kg: float  # what is left to cut for the 2030 target; 0 when already under it
    targets_met: tuple[int, ...]  # target years the result is already under

    @property
    def relation(self) -> str:
        """less, more or same: within half a percent counts as the same as the average."""
        if self.share_vs_average <= -SAME_AS_AVERAGE:
            return "less"
        if self.share_vs_average >= SAME_AS_AVERAGE:
            return "more"
        return "same"


# A difference smaller than this share is "about the same" as the average (it rounds to 0 %).
SAME_AS_AVERAGE = 0.005


def compare(result: FootprintResult, average_kg: float) -> Comparison:
    """Compare a result with an average resident's total and the 1.5-degree targets.

    Pass the calculated average profile's total (``calculate(average_profile(country))``), so
    that the sentence and the chart beside it show the same average.
    """
    average = float(average_kg)
    return Comparison(
        total_kg=result.total_kg,
        average_kg=average,
        share_vs_average=(result.total_kg - average) / average,
        gap_to_2030_kg=max(0.0, result.total_kg - TARGETS_KG[2030]),
        targets_met=tuple(year for year, kg in sorted(TARGETS_KG.items()) if result.total_kg <= kg),
    )
