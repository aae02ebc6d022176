"""The personal carbon-footprint calculator: answers, validation, calculation and actions.

Pure Python (no Streamlit). Every factor comes from ``data/emission_factors.csv``, where each row
names its source and year; this package holds only the arithmetic. One module per
responsibility, every public name re-exported here:

- ``answers``: the answer ids, plausible ranges and :func:`validate_answers`;
- ``factors``: the emission factors (:func:`load_factors`, :func:`default_factors`);
- ``calculation``: :func:`calculate` and :func:`average_profile` (its docstring holds the
  conventions: per person and year, heat and electricity, return flights);
- ``actions``: :func:`actions`, the steps that help a resident most;
- ``comparison``: the 1.5-degree targets and national averages, and :func:`compare`;
- ``records``: saving a result with its pledges, looking it up by code (:func:`save_footprint`);
- ``demo``: :func:`demo_footprints`, called by ``sparcs_engage.demo``.
"""

from sparcs_engage.footprint.actions import ACTION_IDS, CAR_FREE_SHARE, Action, actions
from sparcs_engage.footprint.answers import (
    BOUNDS,
    CAR_FUELS,
    CATEGORIES,
    CHOICE_MESSAGES,
    COUNTRIES,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    MSG_CAR_WITHOUT_FUEL,
    MSG_CITY,
    MSG_INVALID,
    MSG_NUMBER,
    MSG_REQUIRED,
    MSG_UNKNOWN_FIELD,
    MSG_WHOLE_NUMBER,
    MSG_YES_NO,
    RANGE_MESSAGES,
    WEEKS_PER_YEAR,
    Answers,
    CarFuel,
    Country,
    Diet,
    FootprintInputError,
    Heating,
    HomeType,
    Level,
    validate_answers,
)
from sparcs_engage.footprint.calculation import (
    ITEM_CATEGORY,
    FootprintResult,
    average_profile,
    calculate,
    default_electricity_kwh,
    default_heat_kwh,
)
from sparcs_engage.footprint.comparison import (
    NATIONAL_AVERAGE_KG,
    REFERENCE_SOURCES,
    SAME_AS_AVERAGE,
    TARGETS_KG,
    Comparison,
    compare,
)
from sparcs_engage.footprint.demo import demo_footprints
from sparcs_engage.footprint.factors import (
    DEFAULT_FACTORS_PATH,
    FACTOR_HEADER,
    FACTOR_SET_VERSION,
    REQUIRED_KEYS,
    Factor,
    FactorFileError,
    FactorSet,
    default_factors,
    load_factors,
)
from sparcs_engage.footprint.records import (
    ConsentMissing,
    SavedFootprint,
    TooManySaves,
    load_footprint,
    save_footprint,
)

__all__ = [
    "ACTION_IDS",
    "BOUNDS",
    "CAR_FREE_SHARE",
    "CAR_FUELS",
    "CATEGORIES",
    "CHOICE_MESSAGES",
    "COUNTRIES",
    "DEFAULT_FACTORS_PATH",
    "DIETS",
    "FACTOR_HEADER",
    "FACTOR_SET_VERSION",
    "HEATINGS",
    "HOME_TYPES",
    "ITEM_CATEGORY",
    "LEVELS",
    "MSG_CAR_WITHOUT_FUEL",
    "MSG_CITY",
    "MSG_INVALID",
    "MSG_NUMBER",
    "MSG_REQUIRED",
    "MSG_UNKNOWN_FIELD",
    "MSG_WHOLE_NUMBER",
    "MSG_YES_NO",
    "NATIONAL_AVERAGE_KG",
    "RANGE_MESSAGES",
    "REFERENCE_SOURCES",
    "REQUIRED_KEYS",
    "SAME_AS_AVERAGE",
    "TARGETS_KG",
    "WEEKS_PER_YEAR",
    "Action",
    "Answers",
    "CarFuel",
    "Comparison",
    "ConsentMissing",
    "Country",
    "Diet",
    "Factor",
    "FactorFileError",
    "FactorSet",
    "FootprintInputError",
    "FootprintResult",
    "Heating",
    "HomeType",
    "Level",
    "SavedFootprint",
    "TooManySaves",
    "actions",
    "average_profile",
    "calculate",
    "compare",
    "default_electricity_kwh",
    "default_factors",
    "default_heat_kwh",
    "demo_footprints",
    "load_factors",
    "load_footprint",
    "save_footprint",
    "validate_answers",
]
