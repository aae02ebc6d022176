"""The social KPIs of the engagement (SPARCS WP2), each defined once.

A KPI is a `KpiDefinition` in `REGISTRY` (``definitions``): its id, unit, the framework it comes
from, the channels it reads, and its formula as code (a function of the `Facts` of one filter).
Its name, definition and method are texts per language in ``content/<lang>/kpis.toml`` under
the same id; a test fails when one is missing. `compute` (``report``) gathers the facts with a
few aggregate SQL queries (``facts``; the survey side reads the one-row-per-response
``survey_summary``, never the million answer rows) for a `KpiFilter` (``filters``) and applies
every formula; the dashboard, the CLI (`sparcs-engage kpis`) and the KPI export all use it, so
they show the same figures. Every public name is re-exported here.

Privacy (``values``): every figure and every breakdown row that rests on fewer than `MIN_GROUP`
people is suppressed (its value is None and its status says why), in the dashboard and in every
export.
"""

from sparcs_engage.kpis.definitions import (
    AGE_BANDS,
    FRAMEWORKS,
    GENDERS,
    KPIS,
    REGISTRY,
    TEXT_FIELDS,
    UNITS,
    KpiDefinition,
    acceptance,
    completion_rate,
    dissimilarity,
    footprint_gap_2030,
    footprint_median,
    footprint_near_path,
    kpi_texts,
    missing_texts,
    participation_rate,
    people_reached,
    pledge_share,
    pledged_savings,
    vision_priorities,
    workshop_participants,
    workshop_satisfaction,
)
from sparcs_engage.kpis.facts import (
    AGREE,
    Facts,
    PopulationMix,
    district_population,
    gather,
    population_mix,
)
from sparcs_engage.kpis.filters import (
    CHANNEL_TITLES,
    CHANNELS,
    KpiFilter,
    KpiFilterError,
    city_or_error,
    filter_text,
    last_quarter,
    local_month,
    period_bounds,
)
from sparcs_engage.kpis.report import KpiReport, city_today, compute, report_dict
from sparcs_engage.kpis.values import (
    MIN_GROUP,
    NO_DATA,
    NOT_APPLICABLE,
    OK,
    SMALL_GROUP,
    SUPPRESSED,
    KpiValue,
    Row,
    protect,
)

__all__ = [
    "AGE_BANDS",
    "AGREE",
    "CHANNELS",
    "CHANNEL_TITLES",
    "FRAMEWORKS",
    "GENDERS",
    "KPIS",
    "MIN_GROUP",
    "NOT_APPLICABLE",
    "NO_DATA",
    "OK",
    "REGISTRY",
    "SMALL_GROUP",
    "SUPPRESSED",
    "TEXT_FIELDS",
    "UNITS",
    "Facts",
    "KpiDefinition",
    "KpiFilter",
    "KpiFilterError",
    "KpiReport",
    "KpiValue",
    "PopulationMix",
    "Row",
    "acceptance",
    "city_or_error",
    "city_today",
    "completion_rate",
    "compute",
    "dissimilarity",
    "district_population",
    "filter_text",
    "footprint_gap_2030",
    "footprint_median",
    "footprint_near_path",
    "gather",
    "kpi_texts",
    "last_quarter",
    "local_month",
    "missing_texts",
    "participation_rate",
    "people_reached",
    "period_bounds",
    "pledge_share",
    "pledged_savings",
    "population_mix",
    "protect",
    "report_dict",
    "vision_priorities",
    "workshop_participants",
    "workshop_satisfaction",
]
