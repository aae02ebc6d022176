"""The calculator's answers: language-neutral ids, plausible ranges, and their validation.

Validation messages are English msgids, translated by the page; {min}/{max} come from
``FootprintInputError.params``. Every answer added after the first version has a default, so
the answers stored with older results still read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sparcs_engage.i18n import N_

Country = Literal["FI", "DE"]
HomeType = Literal["apartment", "terraced", "detached"]
# "unknown" first; the others from the newest (least heat per m²) to the oldest.
BuildingAge = Literal["unknown", "2010_plus", "1980_2009", "pre1980"]
Heating = Literal["district_heat", "heat_pump", "oil", "gas", "direct_electric", "wood"]
# A Finnish summer cottage (mökki), from none to the most used.
Cottage = Literal["none", "summer", "year_round"]
CarFuel = Literal["petrol", "diesel", "electric", "hybrid", "none"]
# "unknown" first (the average car); the others from the smallest to the largest.
CarSize = Literal["unknown", "small", "medium", "large"]
Diet = Literal["vegan", "vegetarian", "flexitarian", "average", "meat_heavy"]
# How much dairy (or cheese) compared with the national average, from none to more.
Amount = Literal["none", "less", "average", "more"]
Level = Literal["low", "average", "high"]

COUNTRIES: tuple[str, ...] = get_args(Country)
HOME_TYPES: tuple[str, ...] = get_args(HomeType)
BUILDING_AGES: tuple[str, ...] = get_args(BuildingAge)
HEATINGS: tuple[str, ...] = get_args(Heating)
COTTAGES: tuple[str, ...] = get_args(Cottage)
CAR_FUELS: tuple[str, ...] = get_args(CarFuel)
CAR_SIZES: tuple[str, ...] = get_args(CarSize)
# From the lowest to the highest footprint.
DIETS: tuple[str, ...] = get_args(Diet)
AMOUNTS: tuple[str, ...] = get_args(Amount)
LEVELS: tuple[str, ...] = get_args(Level)
# The categories of a result: the four of a lifestyle (what the 1.5-degree targets and the
# national averages cover), then the fixed part everyone shares.
LIFESTYLE_CATEGORIES: tuple[str, ...] = ("housing", "mobility", "food", "goods_services")
CATEGORIES: tuple[str, ...] = (*LIFESTYLE_CATEGORIES, "public_services")

WEEKS_PER_YEAR = 52

# Possible ranges (inclusive); anything outside is refused with a message per field. Unusual
# but possible answers are not refused: ``plausibility.hints`` asks the resident to check.
BOUNDS: dict[str, tuple[int, int]] = {
    "floor_area_m2": (10, 1000),
    "household_size": (1, 20),
    "electricity_kwh": (0, 50_000),
    "heat_kwh": (0, 200_000),
    "car_km_per_year": (0, 150_000),
    "car_occupancy": (1, 9),
    "public_transport_km_per_week": (0, 2_000),
    "train_km_per_year": (0, 200_000),
    "coach_km_per_year": (0, 200_000),
    "flights_short_per_year": (0, 100),
    "flights_medium_per_year": (0, 100),
    "flights_long_per_year": (0, 100),
}

MSG_REQUIRED = N_("Please answer this question.")
MSG_NUMBER = N_("Enter a number.")
MSG_WHOLE_NUMBER = N_("Enter a whole number.")
MSG_YES_NO = N_("Answer yes or no.")
MSG_CITY = N_("This city is not known.")
MSG_UNKNOWN_FIELD = N_("This question is not part of the calculator.")
MSG_INVALID = N_("This answer is not valid.")

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
    "car_occupancy": N_(
        "Enter how many people are usually in the car, you included, from {min} to {max}."
    ),
    "public_transport_km_per_week": N_(
        "Enter the kilometres you travel by public transport per week, from {min} to {max}."
    ),
    "train_km_per_year": N_(
        "Enter the kilometres you travel by long-distance train per year, from {min} to {max}."
    ),
    "coach_km_per_year": N_(
        "Enter the kilometres you travel by long-distance coach per year, from {min} to {max}."
    ),
    "flights_short_per_year": N_(
        "Enter the number of short return flights per year, from {min} to {max}."
    ),
    "flights_medium_per_year": N_(
        "Enter the number of medium return flights per year, from {min} to {max}."
    ),
    "flights_long_per_year": N_(
        "Enter the number of long return flights per year, from {min} to {max}."
    ),
}

CHOICE_MESSAGES: dict[str, str] = {
    "country": N_("Choose Finland or Germany."),
    "home_type": N_("Choose the type of your home."),
    "building_age": N_("Choose when your building was built, or “I don't know”."),
    "heating": N_("Choose how your home is heated."),
    "cottage": N_("Choose whether you use a summer cottage."),
    "car_fuel": N_("Choose your car's fuel, or “no car”."),
    "car_size": N_("Choose the size of your car, or “I don't know”."),
    "diet": N_("Choose the diet closest to yours."),
    "dairy": N_("Choose how much milk, yoghurt and other dairy you have."),
    "cheese": N_("Choose how much cheese you eat."),
    "food_waste": N_("Choose how much food your household throws away."),
    "spending": N_("Choose how much you spend on goods and services."),
}

_NUMERIC_FIELDS = tuple(BOUNDS)
_OPTIONAL_FIELDS = ("city", "electricity_kwh", "heat_kwh", "car_occupancy")
_CITY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class FootprintInputError(ValueError):
    """Invalid answers: ``errors`` maps a field to an English msgid, ``params`` to its values.

    The page shows ``translator.gettext(errors[f]).format(**params[f])`` next to field ``f``.
    """

    def __init__(self, errors: dict[str, str], params: dict[str, dict[str, Any]]) -> None:
        self.errors = errors
        self.params = params
        super().__init__("invalid footprint answers: " + ", ".join(sorted(errors)))


def _number(name: str, default: Any = ...) -> Any:
    """A number field within ``BOUNDS``; required unless a default is given."""
    low, high = BOUNDS[name]
    return Field(default, ge=low, le=high)


class Answers(BaseModel):
    """One resident's answers, all as language-neutral ids and numbers (see the module doc).

    ``car_km_per_year`` is the distance the resident travels by car (as driver or passenger);
    the car's emissions are shared by ``car_occupancy`` people (the country's average when
    left empty). "No car" counts no car kilometres, whatever the field held before.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    country: Country
    city: str | None = Field(default=None, max_length=40, pattern=_CITY_RE.pattern)
    home_type: HomeType
    floor_area_m2: float = _number("floor_area_m2")
    household_size: int = _number("household_size")
    building_age: BuildingAge = "unknown"
    heating: Heating
    green_electricity: bool
    electricity_kwh: float | None = _number("electricity_kwh", None)
    heat_kwh: float | None = _number("heat_kwh", None)
    cottage: Cottage = "none"
    car_km_per_year: float = _number("car_km_per_year")
    car_fuel: CarFuel
    car_size: CarSize = "unknown"
    car_occupancy: float | None = _number("car_occupancy", None)
    public_transport_km_per_week: float = _number("public_transport_km_per_week")
    train_km_per_year: float = _number("train_km_per_year", 0.0)
    coach_km_per_year: float = _number("coach_km_per_year", 0.0)
    flights_short_per_year: float = _number("flights_short_per_year")
    flights_medium_per_year: float = _number("flights_medium_per_year", 0.0)
    flights_long_per_year: float = _number("flights_long_per_year")
    diet: Diet
    dairy: Amount = "average"
    cheese: Amount = "average"
    food_waste: Level
    spending: Level

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        """Empty answers count as missing (or None for optional ones); ids are normalised;
        "no car" clears the car's kilometres."""
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
        if cleaned.get("car_fuel") == "none":
            cleaned["car_km_per_year"] = 0.0
        return cleaned

    @field_validator(*_NUMERIC_FIELDS, mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        # pydantic would read True as 1; a yes/no is never a valid number here.
        if isinstance(value, bool):
            raise PydanticCustomError("bool_as_number", "a yes/no is not a number")
        return value


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
            name = str(err["loc"][0]) if err["loc"] else "_form"
            message, values = _message_for(name, err["type"])
            if name not in errors:  # the first problem per field is enough for the resident
                errors[name] = message
                params[name] = values
        raise FootprintInputError(errors, params) from None
