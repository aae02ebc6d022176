"""The personal carbon-footprint calculator: answers, validation, calculation, the average
resident, actions, the city's plans and saving by code.

Pure Python (no Streamlit). Every factor comes from ``data/emission_factors.csv``, where each row
names its value, unit, year, scope, source and note; the average residents are in
``data/footprint_averages.toml`` and each city's plans in ``data/cities/<id>/plans.toml``. This
package holds only the arithmetic. One module per responsibility, every public name re-exported
here:

- ``answers``: the answer ids, possible ranges and :func:`validate_answers`;
- ``plausibility``: :func:`hints` for unusual answers the resident may want to check;
- ``factors``: the emission factors (:func:`load_factors`, :func:`default_factors`);
- ``calculation``: :func:`calculate` (its docstring holds the conventions);
- ``averages``: :func:`average_profile` and the published average it is checked against;
- ``actions``: :func:`actions`, the steps that help a resident most, and
  :func:`with_every_action`;
- ``comparison``: the 1.5-degree targets, :func:`compare`, :func:`parts` (what a resident
  decides and what they don't) and the national reduction path;
- ``plans``: the city's published plans and what they change by its target year;
- ``records``: saving a result with its pledges, looking it up by code (:func:`save_footprint`);
- ``demo``: :func:`demo_footprints`, called by ``sparcs_engage.demo``.
"""

from sparcs_engage.footprint.actions import (
    ACTION_IDS,
    CAR_FREE_SHARE,
    TRAIN_INSTEAD_KM,
    Action,
    actions,
    with_every_action,
)
from sparcs_engage.footprint.answers import (
    AMOUNTS,
    BOUNDS,
    BUILDING_AGES,
    CAR_FUELS,
    CAR_SIZES,
    CATEGORIES,
    CHOICE_MESSAGES,
    COTTAGES,
    COUNTRIES,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    LIFESTYLE_CATEGORIES,
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
    FootprintInputError,
    validate_answers,
)
from sparcs_engage.footprint.averages import (
    AVERAGES_PATH,
    PublishedAverage,
    PublishedFigure,
    average_profile,
    check_averages,
    published_average,
)
from sparcs_engage.footprint.calculation import (
    ITEM_CATEGORY,
    FootprintResult,
    calculate,
    car_occupancy,
    default_electricity_kwh,
    default_heat_kwh,
    has_cottage_question,
    heat_per_m2,
)
from sparcs_engage.footprint.comparison import (
    SAME_AS_AVERAGE,
    TARGETS_KG,
    TARGETS_SOURCE,
    Comparison,
    Parts,
    compare,
    parts,
    path_kg,
)
from sparcs_engage.footprint.demo import demo_footprints
from sparcs_engage.footprint.factors import (
    DEFAULT_FACTORS_PATH,
    FACTOR_HEADER,
    FACTOR_SET_VERSION,
    KNOWN_KEYS,
    OPTIONAL_KEYS,
    RECENT_YEAR,
    REQUIRED_KEYS,
    SCOPE,
    Factor,
    FactorFileError,
    FactorSet,
    default_factors,
    load_factors,
)
from sparcs_engage.footprint.plans import (
    CityPlans,
    Plan,
    PlanEffect,
    PlanFileError,
    PlansOutlook,
    city_plans,
    load_plans,
    outlook,
    planned_factors,
    plans_problem,
)
from sparcs_engage.footprint.plausibility import Hint, hints
from sparcs_engage.footprint.records import (
    ConsentMissing,
    SavedCode,
    SavedFootprint,
    TooManySaves,
    load_footprint,
    save_footprint,
    save_footprint_result,
)

__all__ = [
    "ACTION_IDS",
    "AMOUNTS",
    "AVERAGES_PATH",
    "BOUNDS",
    "BUILDING_AGES",
    "CAR_FREE_SHARE",
    "CAR_FUELS",
    "CAR_SIZES",
    "CATEGORIES",
    "CHOICE_MESSAGES",
    "COTTAGES",
    "COUNTRIES",
    "DEFAULT_FACTORS_PATH",
    "DIETS",
    "FACTOR_HEADER",
    "FACTOR_SET_VERSION",
    "HEATINGS",
    "HOME_TYPES",
    "ITEM_CATEGORY",
    "KNOWN_KEYS",
    "LEVELS",
    "LIFESTYLE_CATEGORIES",
    "MSG_CITY",
    "MSG_INVALID",
    "MSG_NUMBER",
    "MSG_REQUIRED",
    "MSG_UNKNOWN_FIELD",
    "MSG_WHOLE_NUMBER",
    "MSG_YES_NO",
    "OPTIONAL_KEYS",
    "RANGE_MESSAGES",
    "RECENT_YEAR",
    "REQUIRED_KEYS",
    "SAME_AS_AVERAGE",
    "SCOPE",
    "TARGETS_KG",
    "TARGETS_SOURCE",
    "TRAIN_INSTEAD_KM",
    "WEEKS_PER_YEAR",
    "Action",
    "Answers",
    "CityPlans",
    "Comparison",
    "ConsentMissing",
    "Factor",
    "FactorFileError",
    "FactorSet",
    "FootprintInputError",
    "FootprintResult",
    "Hint",
    "Parts",
    "Plan",
    "PlanEffect",
    "PlanFileError",
    "PlansOutlook",
    "PublishedAverage",
    "PublishedFigure",
    "SavedCode",
    "SavedFootprint",
    "TooManySaves",
    "actions",
    "average_profile",
    "calculate",
    "car_occupancy",
    "check_averages",
    "city_plans",
    "compare",
    "default_electricity_kwh",
    "default_factors",
    "default_heat_kwh",
    "demo_footprints",
    "has_cottage_question",
    "heat_per_m2",
    "hints",
    "load_factors",
    "load_footprint",
    "load_plans",
    "outlook",
    "parts",
    "path_kg",
    "planned_factors",
    "plans_problem",
    "published_average",
    "save_footprint",
    "save_footprint_result",
    "validate_answers",
    "with_every_action",
]
