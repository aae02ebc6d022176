"""The social KPIs of the engagement (SPARCS WP2), each defined once.

A KPI is a `KpiDefinition` in `REGISTRY`: its id, unit, the framework it comes from, the channels
it reads, and its formula as code (a function of the `Facts` of one filter). Its name, definition
and method are texts per language in ``content/<lang>/kpis.toml`` under the same id; a test fails
when one is missing. `compute` gathers the facts with a few aggregate SQL queries (the survey side
reads the one-row-per-response ``survey_summary``, never the million answer rows) and applies every
formula; the dashboard, the CLI (`sparcs-engage kpis`) and the KPI export all use it, so they show
the same figures.

Privacy: every figure and every breakdown row that rests on fewer than `MIN_GROUP` people is
suppressed (its value is None and its status says why), in the dashboard and in every export.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.cities import City, load_cities
from sparcs_engage.energy import POPULATION, load_city_energy, load_indicator_registry
from sparcs_engage.footprint import TARGETS_KG
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES, N_
from sparcs_engage.models import (
    FootprintRecord,
    Pledge,
    Respondent,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    Workshop,
    WorkshopParticipant,
)
from sparcs_engage.models.surveys import SUMMARY_MEASURES
from sparcs_engage.settings import load_settings

MIN_GROUP = 5
AGREE = 4  # 4 or 5 on the 1-5 agreement scale counts as agreeing
CHANNELS: tuple[str, ...] = ("survey", "footprint", "workshop")
CHANNEL_TITLES: dict[str, str] = {
    "survey": N_("City Vision survey"),
    "footprint": N_("Carbon footprint"),
    "workshop": N_("Workshops"),
}

# Statuses of a figure.
OK = "ok"
SUPPRESSED = "suppressed"  # fewer than MIN_GROUP people behind it
NO_DATA = "no_data"  # nobody in the filter
NOT_APPLICABLE = "not_applicable"  # the KPI cannot be cut this way (e.g. by district)

FRAMEWORKS: dict[str, str] = {
    "sparcs_wp2": N_("SPARCS WP2 social KPIs"),
    "citykeys_people": N_("CITYkeys, people"),
    "citykeys_governance": N_("CITYkeys, governance"),
}

UNITS: dict[str, str] = {
    "persons": N_("people"),
    "per_1000": N_("per 1,000 residents"),
    "share": N_("share"),
    "t_co2e": N_("t CO₂e per person and year"),
    "t_co2e_year": N_("t CO₂e per year"),
    "rating": N_("rating 1-5"),
    "index": N_("index 0-1"),
    "points": N_("points of 100"),
}

AGE_BANDS: tuple[str, ...] = ("under_18", "18_29", "30_44", "45_64", "65_74", "75_plus")
GENDERS: tuple[str, ...] = ("woman", "man")


# --------------------------------------------------------------------------------------------
# Filter, facts and values
# --------------------------------------------------------------------------------------------


class KpiFilterError(ValueError):
    """A filter that cannot be applied; ``message`` is a msgid, ``params`` its values."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


@dataclass(frozen=True)
class KpiFilter:
    """Which engagement the KPIs are about: a city, optionally one district, a period of days
    (both ends included, in the city's time zone) and the channels."""

    city: str
    district: str | None = None
    start: date | None = None
    end: date | None = None
    channels: tuple[str, ...] = CHANNELS

    def __post_init__(self) -> None:
        unknown = [c for c in self.channels if c not in CHANNELS]
        if unknown:
            raise KpiFilterError(N_("Unknown channel {channel}."), channel=unknown[0])
        if self.start and self.end and self.start > self.end:
            raise KpiFilterError(N_("The period starts after it ends."))

    def uses(self, channel: str) -> bool:
        return channel in self.channels


def last_quarter(today: date) -> tuple[date, date]:
    """The last full calendar quarter before today's."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a key (district, measure, theme, band, rating), its value and
    the number of people behind it; ``value`` is None when suppressed. ``reference`` is what the
    value is compared with (a population share), when there is one."""

    key: str
    value: float | None
    n: int
    reference: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None and 0 < self.n < MIN_GROUP


@dataclass(frozen=True)
class KpiValue:
    """A KPI for one filter: its value, the people behind it, a monthly trend and breakdown."""

    id: str
    value: float | None
    n: int
    status: str
    trend: tuple[tuple[str, float | None], ...] = ()
    breakdown: tuple[Row, ...] = ()
    top: str | None = None  # the breakdown key the headline value belongs to, if any

    @property
    def delta(self) -> float | None:
        """The change from the month before to the last month with a figure."""
        values = [v for _month, v in self.trend if v is not None]
        return values[-1] - values[-2] if len(values) >= 2 else None


@dataclass
class Facts:
    """What the queries found for one filter; the formulas read only this."""

    flt: KpiFilter
    population: int | None  # of the city, or of the district when filtered
    district_population: dict[str, int]
    population_mix: dict[str, dict[str, float]]
    people: int = 0
    people_by_month: dict[str, int] = field(default_factory=dict)
    survey_n: int = 0
    survey_by_month: dict[str, dict[str, int]] = field(default_factory=dict)
    survey_totals: dict[str, int] = field(default_factory=dict)
    survey_by_district: dict[str, int] = field(default_factory=dict)
    age_bands: dict[str, int] = field(default_factory=dict)
    genders: dict[str, int] = field(default_factory=dict)
    budget_points: dict[str, int] = field(default_factory=dict)
    budget_n: int = 0
    started_by_month: dict[str, tuple[int, int]] = field(default_factory=dict)
    footprints: list[tuple[str, float, float]] = field(default_factory=list)
    participants_by_month: dict[str, int] = field(default_factory=dict)
    participants_by_district: dict[str, int] = field(default_factory=dict)
    workshops: int = 0
    ratings: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI: id (stable, used in exports and texts), unit, framework, the channels it reads,
    whether it can be cut by district, and its formula."""

    id: str
    unit: str
    framework: str
    channels: tuple[str, ...]
    formula: Callable[[Facts], KpiValue]
    by_district: bool = True
    higher_is_better: bool | None = True

    def applies(self, flt: KpiFilter) -> bool:
        return any(flt.uses(c) for c in self.channels)


# --------------------------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------------------------


def _count(kpi: str, n: int, trend: Iterable[tuple[str, int]] = ()) -> KpiValue:
    """A count of people: suppressed from 1 to MIN_GROUP - 1."""
    series = tuple((m, float(v) if v >= MIN_GROUP or v == 0 else None) for m, v in trend)
    if n == 0:
        return KpiValue(kpi, 0.0, 0, OK, series)
    if n < MIN_GROUP:
        return KpiValue(kpi, None, n, SUPPRESSED, series)
    return KpiValue(kpi, float(n), n, OK, series)


def _cell(count: int, whole: int) -> float | None:
    """A group's share of a distribution: None when the whole or the group has 1-4 people."""
    if whole < MIN_GROUP or 0 < count < MIN_GROUP:
        return None
    return count / whole


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole >= MIN_GROUP else None


def _share_value(
    kpi: str, part: float, whole: int, trend: Iterable[tuple[str, float, int]] = ()
) -> KpiValue:
    series = tuple((m, _ratio(p, w)) for m, p, w in trend)
    if whole == 0:
        return KpiValue(kpi, None, 0, NO_DATA, series)
    if whole < MIN_GROUP:
        return KpiValue(kpi, None, whole, SUPPRESSED, series)
    return KpiValue(kpi, part / whole, whole, OK, series)


def people_reached(f: Facts) -> KpiValue:
    """Unique people whose first contribution falls in the period: respondents (survey and/or
    footprint with the same code count once) plus workshop participants."""
    return _count("people_reached", f.people, sorted(f.people_by_month.items()))


def participation_rate(f: Facts) -> KpiValue:
    """People with a known district (survey respondents who named it, participants of a
    workshop held for it) per 1,000 residents; one row per district."""
    counts: dict[str, int] = defaultdict(int)
    if f.flt.uses("survey"):
        for district, n in f.survey_by_district.items():
            counts[district] += n
    if f.flt.uses("workshop"):
        for district, n in f.participants_by_district.items():
            counts[district] += n
    rows = []
    for district, residents in sorted(f.district_population.items()):
        if f.flt.district and district != f.flt.district:
            continue
        n = counts.get(district, 0)
        value = 1000 * n / residents if residents and (n == 0 or n >= MIN_GROUP) else None
        rows.append(Row(district, value, n))
    total = sum(row.n for row in rows)
    residents = sum(f.district_population.get(row.key, 0) for row in rows)
    if not residents:
        return KpiValue("participation_rate", None, total, NO_DATA, (), tuple(rows))
    if 0 < total < MIN_GROUP:
        return KpiValue("participation_rate", None, total, SUPPRESSED, (), tuple(rows))
    return KpiValue("participation_rate", 1000 * total / residents, total, OK, (), tuple(rows))


def completion_rate(f: Facts) -> KpiValue:
    """Submitted surveys among those started in the period."""
    if f.flt.district:
        return KpiValue("completion_rate", None, 0, NOT_APPLICABLE)
    months = sorted(f.started_by_month.items())
    started = sum(s for _m, (s, _d) in months)
    done = sum(d for _m, (_s, d) in months)
    return _share_value("completion_rate", done, started, [(m, d, s) for m, (s, d) in months])


def _agreeing(kpi: str, column: str) -> Callable[[Facts], KpiValue]:
    def formula(f: Facts) -> KpiValue:
        months = sorted(f.survey_by_month.items())
        return _share_value(
            kpi,
            f.survey_totals.get(f"{column}_agree", 0),
            f.survey_totals.get(f"{column}_n", 0),
            [(m, c.get(f"{column}_agree", 0), c.get(f"{column}_n", 0)) for m, c in months],
        )

    formula.__doc__ = f"Share answering 4 or 5 (agree) to {column}, of those who answered."
    return formula


def acceptance(f: Facts) -> KpiValue:
    """Share agreeing (4 or 5) per local measure; the headline pools all five measures."""
    rows = []
    for measure in SUMMARY_MEASURES:
        n = f.survey_totals.get(f"accept_{measure}_n", 0)
        rows.append(Row(measure, _ratio(f.survey_totals.get(f"accept_{measure}_agree", 0), n), n))
    agree = sum(f.survey_totals.get(f"accept_{m}_agree", 0) for m in SUMMARY_MEASURES)
    answers = sum(f.survey_totals.get(f"accept_{m}_n", 0) for m in SUMMARY_MEASURES)
    months = []
    for month, c in sorted(f.survey_by_month.items()):
        months.append(
            (
                month,
                sum(c.get(f"accept_{m}_agree", 0) for m in SUMMARY_MEASURES),
                min(c.get(f"accept_{m}_n", 0) for m in SUMMARY_MEASURES),
            )
        )
    people = max((row.n for row in rows), default=0)
    value = _share_value("acceptance", agree, answers, ())
    if value.status != OK or people < MIN_GROUP:
        status = NO_DATA if people == 0 else SUPPRESSED
        return KpiValue("acceptance", None, people, status, (), tuple(rows))
    trend = tuple(
        (m, a / (n * len(SUMMARY_MEASURES)) if n >= MIN_GROUP else None) for m, a, n in months
    )
    return KpiValue("acceptance", value.value, people, OK, trend, tuple(rows))


def pledge_share(f: Facts) -> KpiValue:
    """Share of saved footprints with at least one pledged action."""
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for month, _total, pledged in f.footprints:
        by_month[month][0] += 1
        by_month[month][1] += pledged > 0
    return _share_value(
        "pledge_share",
        sum(p for _w, p in by_month.values()),
        len(f.footprints),
        [(m, p, w) for m, (w, p) in sorted(by_month.items())],
    )


def pledged_savings(f: Facts) -> KpiValue:
    """The pledged savings added up, in tonnes of CO2e per year."""
    n = len(f.footprints)
    by_month: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for month, _total, pledged in f.footprints:
        by_month[month][0] += 1
        by_month[month][1] += pledged / 1000
    trend = tuple((m, t if w >= MIN_GROUP else None) for m, (w, t) in sorted(by_month.items()))
    if n == 0:
        return KpiValue("pledged_savings", None, 0, NO_DATA, trend)
    if n < MIN_GROUP:
        return KpiValue("pledged_savings", None, n, SUPPRESSED, trend)
    total = sum(pledged for _m, _t, pledged in f.footprints) / 1000
    return KpiValue("pledged_savings", total, n, OK, trend)


def footprint_median(f: Facts) -> KpiValue:
    """The median footprint of the saved results, in tonnes of CO2e per person and year."""
    by_month: dict[str, list[float]] = defaultdict(list)
    for month, total, _pledged in f.footprints:
        by_month[month].append(total / 1000)
    trend = tuple(
        (m, statistics.median(v) if len(v) >= MIN_GROUP else None)
        for m, v in sorted(by_month.items())
    )
    n = len(f.footprints)
    if n == 0:
        return KpiValue("footprint_median", None, 0, NO_DATA, trend)
    if n < MIN_GROUP:
        return KpiValue("footprint_median", None, n, SUPPRESSED, trend)
    median = statistics.median(total / 1000 for _m, total, _p in f.footprints)
    return KpiValue("footprint_median", median, n, OK, trend)


def footprint_under_2030(f: Facts) -> KpiValue:
    """Share of saved footprints at or under the 2030 1.5-degree lifestyle target (2.5 t)."""
    target = TARGETS_KG[2030]
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for month, total, _pledged in f.footprints:
        by_month[month][0] += 1
        by_month[month][1] += total <= target
    return _share_value(
        "footprint_under_2030",
        sum(u for _w, u in by_month.values()),
        len(f.footprints),
        [(m, u, w) for m, (w, u) in sorted(by_month.items())],
    )


def workshop_participants(f: Facts) -> KpiValue:
    """People who joined a workshop held in the period."""
    n = sum(f.participants_by_month.values())
    return _count("workshop_participants", n, sorted(f.participants_by_month.items()))


def workshop_satisfaction(f: Facts) -> KpiValue:
    """Mean rating (1-5) of the participants who rated; the breakdown is the distribution."""
    n = len(f.ratings)
    counts = {r: sum(1 for _m, v in f.ratings if v == r) for r in range(1, 6)}
    rows = tuple(Row(str(r), _cell(c, n), c) for r, c in counts.items())
    by_month: dict[str, list[int]] = defaultdict(list)
    for month, rating in f.ratings:
        by_month[month].append(rating)
    trend = tuple(
        (m, statistics.fmean(v) if len(v) >= MIN_GROUP else None)
        for m, v in sorted(by_month.items())
    )
    if n == 0:
        return KpiValue("workshop_satisfaction", None, 0, NO_DATA, trend)
    if n < MIN_GROUP:
        return KpiValue("workshop_satisfaction", None, n, SUPPRESSED, trend)
    mean = statistics.fmean(v for _m, v in f.ratings)
    return KpiValue("workshop_satisfaction", mean, n, OK, trend, rows)


def dissimilarity(counts: Mapping[str, int], reference: Mapping[str, float]) -> float:
    """Duncan's dissimilarity index: half the sum of absolute differences between the
    respondents' shares and the population's shares over the same groups (0: the same mix,
    1: no overlap). Groups missing in ``reference`` are left out on both sides."""
    total = sum(counts.get(k, 0) for k in reference)
    ref_total = sum(reference.values())
    return 0.5 * sum(
        abs(counts.get(k, 0) / total - share / ref_total) for k, share in reference.items()
    )


def _inclusiveness(kpi: str, counts_of: str, groups: Sequence[str]) -> Callable[[Facts], KpiValue]:
    def formula(f: Facts) -> KpiValue:
        reference = {k: v for k, v in f.population_mix.get(counts_of, {}).items() if k in groups}
        counts = getattr(f, "age_bands" if counts_of == "age_band" else "genders")
        n = sum(counts.get(k, 0) for k in reference)
        if not reference:
            return KpiValue(kpi, None, n, NOT_APPLICABLE)
        rows = tuple(
            Row(
                k,
                _cell(counts.get(k, 0), n),
                counts.get(k, 0),
                reference[k] / sum(reference.values()),
            )
            for k in groups
            if k in reference
        )
        if n == 0:
            return KpiValue(kpi, None, 0, NO_DATA, (), rows)
        if n < MIN_GROUP:
            return KpiValue(kpi, None, n, SUPPRESSED, (), rows)
        return KpiValue(kpi, dissimilarity(counts, reference), n, OK, (), rows)

    formula.__doc__ = f"Dissimilarity of the respondents' {counts_of} mix from the population's."
    return formula


def vision_priorities(f: Facts) -> KpiValue:
    """Mean points of 100 per theme over the respondents who spread their budget; the headline
    is the theme with the most points."""
    n = f.budget_n
    rows = tuple(
        sorted(
            (
                Row(theme, points / n if n >= MIN_GROUP else None, n)
                for theme, points in f.budget_points.items()
            ),
            key=lambda row: -(row.value or 0),
        )
    )
    if n == 0:
        return KpiValue("vision_priorities", None, 0, NO_DATA)
    if n < MIN_GROUP:
        return KpiValue("vision_priorities", None, n, SUPPRESSED, (), rows)
    return KpiValue("vision_priorities", rows[0].value, n, OK, (), rows, top=rows[0].key)


REGISTRY: tuple[KpiDefinition, ...] = (
    KpiDefinition("people_reached", "persons", "sparcs_wp2", CHANNELS, people_reached),
    KpiDefinition(
        "participation_rate", "per_1000", "sparcs_wp2", ("survey", "workshop"), participation_rate
    ),
    KpiDefinition(
        "completion_rate", "share", "sparcs_wp2", ("survey",), completion_rate, by_district=False
    ),
    KpiDefinition(
        "energy_awareness",
        "share",
        "citykeys_people",
        ("survey",),
        _agreeing("energy_awareness", "energy_awareness"),
    ),
    KpiDefinition(
        "sparcs_awareness",
        "share",
        "sparcs_wp2",
        ("survey",),
        _agreeing("sparcs_awareness", "sparcs_awareness"),
    ),
    KpiDefinition("acceptance", "share", "sparcs_wp2", ("survey",), acceptance),
    KpiDefinition(
        "pledge_share", "share", "sparcs_wp2", ("footprint",), pledge_share, by_district=False
    ),
    KpiDefinition(
        "pledged_savings",
        "t_co2e_year",
        "sparcs_wp2",
        ("footprint",),
        pledged_savings,
        by_district=False,
    ),
    KpiDefinition(
        "footprint_median",
        "t_co2e",
        "sparcs_wp2",
        ("footprint",),
        footprint_median,
        by_district=False,
        higher_is_better=False,
    ),
    KpiDefinition(
        "footprint_under_2030",
        "share",
        "sparcs_wp2",
        ("footprint",),
        footprint_under_2030,
        by_district=False,
    ),
    KpiDefinition(
        "workshop_participants",
        "persons",
        "citykeys_governance",
        ("workshop",),
        workshop_participants,
    ),
    KpiDefinition(
        "workshop_satisfaction", "rating", "sparcs_wp2", ("workshop",), workshop_satisfaction
    ),
    KpiDefinition(
        "inclusiveness_age",
        "index",
        "sparcs_wp2",
        ("survey",),
        _inclusiveness("inclusiveness_age", "age_band", AGE_BANDS),
        higher_is_better=False,
    ),
    KpiDefinition(
        "inclusiveness_gender",
        "index",
        "sparcs_wp2",
        ("survey",),
        _inclusiveness("inclusiveness_gender", "gender", GENDERS),
        higher_is_better=False,
    ),
    KpiDefinition(
        "vision_priorities",
        "points",
        "sparcs_wp2",
        ("survey",),
        vision_priorities,
        higher_is_better=None,
    ),
)
KPIS: dict[str, KpiDefinition] = {kpi.id: kpi for kpi in REGISTRY}


# --------------------------------------------------------------------------------------------
# Texts and reference data
# --------------------------------------------------------------------------------------------

TEXT_FIELDS: tuple[str, ...] = ("name", "definition", "method")


@cache
def kpi_texts(lang: str) -> dict[str, dict[str, str]]:
    """Name, definition and method of every KPI in one language (content/<lang>/kpis.toml)."""
    with (CONTENT_DIR / lang / "kpis.toml").open("rb") as fh:
        return tomllib.load(fh)


def missing_texts() -> list[str]:
    """'lang: kpi.field' for every text that is missing or empty (a test keeps this empty)."""
    missing = []
    for lang in LANGUAGES:
        texts = kpi_texts(lang)
        for kpi in REGISTRY:
            for name in TEXT_FIELDS:
                if not str(texts.get(kpi.id, {}).get(name, "")).strip():
                    missing.append(f"{lang}: {kpi.id}.{name}")
    return missing


@dataclass(frozen=True)
class PopulationMix:
    shares: dict[str, dict[str, float]]
    source: str
    year: int
    demo: bool


@cache
def _population_mix(folder: str) -> PopulationMix | None:
    path = Path(folder) / "population_structure.toml"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    shares = {
        key: {k: float(v) for k, v in data.get(key, {}).items()} for key in ("age_band", "gender")
    }
    return PopulationMix(shares, str(data["source"]), int(data["year"]), bool(data.get("demo")))


def population_mix(city: City) -> PopulationMix | None:
    """The age and gender mix of a city's residents, with source and year (None: no data)."""
    return _population_mix(str(city.folder))


@cache
def _district_population(folder: str) -> dict[str, int]:
    data_dir = load_settings().data_dir
    registry = load_indicator_registry(data_dir / "indicators.toml")
    frame = load_city_energy(Path(folder), registry).indicators
    rows = frame[frame["indicator"] == POPULATION]
    latest = rows.sort_values("year").groupby("district").tail(1)
    return {str(d): int(v) for d, v in zip(latest["district"], latest["value"], strict=True)}


def district_population(city: City) -> dict[str, int]:
    """Residents per district, the latest year of the city's indicators.csv."""
    return _district_population(str(city.folder))


def city_or_error(city_id: str) -> City:
    registry = load_cities(load_settings().data_dir)
    if city_id not in registry:
        raise KpiFilterError(N_("Unknown city {city}."), city=city_id)
    return registry[city_id]


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def period_bounds(flt: KpiFilter, city: City) -> tuple[datetime | None, datetime | None]:
    """The period as UTC instants: from the start day's midnight to the day after the end."""
    zone = ZoneInfo(city.timezone)
    start = datetime.combine(flt.start, time(0), zone).astimezone(UTC) if flt.start else None
    end = None
    if flt.end:
        end = datetime.combine(flt.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def _within(column: Any, bounds: tuple[datetime | None, datetime | None]) -> list[Any]:
    start, end = bounds
    return [
        c
        for c in (column >= start if start else None, column < end if end else None)
        if c is not None
    ]


def _agree_columns() -> list[str]:
    return ["energy_awareness", "sparcs_awareness", *(f"accept_{m}" for m in SUMMARY_MEASURES)]


def _survey_facts(session: Session, f: Facts, bounds) -> None:
    s = SurveySummary
    where = [s.city == f.flt.city, *_within(s.submitted_at, bounds)]
    if f.flt.district:
        where.append(s.district == f.flt.district)
    month = _month(session, s.submitted_at).label("month")
    measures = []
    for name in _agree_columns():
        column = getattr(s, name)
        measures.append(sa.func.count(column).label(f"{name}_n"))
        measures.append(sa.func.sum(sa.case((column >= AGREE, 1), else_=0)).label(f"{name}_agree"))
    measures.append(sa.func.count(s.budget_total).label("budget_n"))
    rows = session.execute(
        sa.select(month, sa.func.count().label("n"), *measures).where(*where).group_by(month)
    ).mappings()
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        counts = {k: int(v or 0) for k, v in row.items() if k != "month"}
        f.survey_by_month[row["month"]] = counts
        for k, v in counts.items():
            totals[k] += v
    f.survey_totals = dict(totals)
    f.survey_n = totals.get("n", 0)
    groups = (s.district, s.age_band, s.gender)
    for district, age_band, gender, n in session.execute(
        sa.select(*groups, sa.func.count()).where(*where).group_by(*groups)
    ).all():
        for key, target in (
            (district, f.survey_by_district),
            (age_band, f.age_bands),
            (gender, f.genders),
        ):
            if key is not None:
                target[key] = target.get(key, 0) + int(n)
    b = SurveySummaryBudget
    points = session.execute(
        sa.select(b.theme, sa.func.sum(b.points))
        .join(s, s.id == b.summary_id)
        .where(*where)
        .group_by(b.theme)
    ).all()
    f.budget_points = {theme: int(total) for theme, total in points}
    f.budget_n = totals.get("budget_n", 0)
    if not f.flt.district:
        r = SurveyResponse
        month = _month(session, r.started_at).label("month")
        started = session.execute(
            sa.select(
                month,
                sa.func.count(),
                sa.func.sum(sa.case((r.status == "submitted", 1), else_=0)),
            )
            .where(r.city == f.flt.city, *_within(r.started_at, bounds))
            .group_by(month)
        ).all()
        f.started_by_month = {m: (int(n), int(d or 0)) for m, n, d in started}


def _footprint_facts(session: Session, f: Facts, bounds) -> None:
    if f.flt.district:
        return  # a footprint has no district
    fr = FootprintRecord
    pledged = (
        sa.select(sa.func.coalesce(sa.func.sum(Pledge.saving_kg), 0.0))
        .where(Pledge.footprint_id == fr.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(_month(session, fr.created_at), fr.total_kg, pledged).where(
            fr.city == f.flt.city, *_within(fr.created_at, bounds)
        )
    ).all()
    f.footprints = [(m, float(total), float(p or 0)) for m, total, p in rows]


def _workshop_facts(session: Session, f: Facts) -> None:
    w, p = Workshop, WorkshopParticipant
    where = [w.city == f.flt.city]
    if f.flt.start:
        where.append(w.held_on >= f.flt.start)
    if f.flt.end:
        where.append(w.held_on <= f.flt.end)
    if f.flt.district:
        where.append(w.district == f.flt.district)
    f.workshops = int(
        session.execute(sa.select(sa.func.count()).select_from(w).where(*where)).scalar_one()
    )
    rows = session.execute(
        sa.select(w.held_on, w.district, p.rating).join(w, w.id == p.workshop_id).where(*where)
    ).all()
    for held_on, district, rating in rows:
        month = held_on.strftime("%Y-%m")
        f.participants_by_month[month] = f.participants_by_month.get(month, 0) + 1
        if district:
            f.participants_by_district[district] = f.participants_by_district.get(district, 0) + 1
        if rating is not None:
            f.ratings.append((month, int(rating)))


def _people_facts(session: Session, f: Facts, bounds) -> None:
    by_month: dict[str, int] = defaultdict(int)
    if f.flt.district:
        # Only survey respondents name a district; footprints have none.
        if f.flt.uses("survey"):
            for month, counts in f.survey_by_month.items():
                by_month[month] += counts.get("n", 0)
    else:
        r = Respondent
        channels = []
        if f.flt.uses("survey"):
            channels.append(sa.exists().where(SurveyResponse.respondent_id == r.id))
        if f.flt.uses("footprint"):
            channels.append(sa.exists().where(FootprintRecord.respondent_id == r.id))
        if channels:
            month = _month(session, r.created_at).label("month")
            for m, n in session.execute(
                sa.select(month, sa.func.count())
                .where(r.city == f.flt.city, *_within(r.created_at, bounds), sa.or_(*channels))
                .group_by(month)
            ).all():
                by_month[m] += int(n)
    if f.flt.uses("workshop"):
        for month, n in f.participants_by_month.items():
            by_month[month] += n
    f.people_by_month = dict(by_month)
    f.people = sum(by_month.values())


def gather(session: Session, flt: KpiFilter) -> Facts:
    """Run the queries for one filter."""
    city = city_or_error(flt.city)
    populations = district_population(city)
    if flt.district and flt.district not in populations:
        raise KpiFilterError(N_("Unknown district {district}."), district=flt.district)
    mix = population_mix(city)
    facts = Facts(
        flt=flt,
        population=populations.get(flt.district) if flt.district else city.population,
        district_population=populations,
        population_mix=mix.shares if mix else {},
    )
    bounds = period_bounds(flt, city)
    if flt.uses("survey"):
        _survey_facts(session, facts, bounds)
    if flt.uses("footprint"):
        _footprint_facts(session, facts, bounds)
    if flt.uses("workshop"):
        _workshop_facts(session, facts)
    _people_facts(session, facts, bounds)
    return facts


@dataclass(frozen=True)
class KpiReport:
    """Every KPI that applies to a filter, in registry order."""

    flt: KpiFilter
    values: tuple[KpiValue, ...]
    population: int | None
    workshops: int
    computed_at: datetime

    def get(self, kpi_id: str) -> KpiValue | None:
        return next((v for v in self.values if v.id == kpi_id), None)


def compute(session: Session, flt: KpiFilter) -> KpiReport:
    """All KPIs for a filter (the ones whose channels are not selected are left out)."""
    facts = gather(session, flt)
    values = []
    for kpi in REGISTRY:
        if not kpi.applies(flt):
            continue
        if flt.district and not kpi.by_district:
            values.append(KpiValue(kpi.id, None, 0, NOT_APPLICABLE))
            continue
        values.append(kpi.formula(facts))
    return KpiReport(flt, tuple(values), facts.population, facts.workshops, datetime.now(UTC))


def report_dict(report: KpiReport, lang: str = "en") -> dict[str, Any]:
    """The report as plain data (for JSON): ids, values, units, texts in one language."""
    texts = kpi_texts(lang)
    flt = report.flt
    return {
        "city": flt.city,
        "district": flt.district,
        "period": {
            "start": flt.start.isoformat() if flt.start else None,
            "end": flt.end.isoformat() if flt.end else None,
        },
        "channels": list(flt.channels),
        "min_group": MIN_GROUP,
        "computed_at": report.computed_at.isoformat(timespec="seconds"),
        "kpis": [
            {
                "id": v.id,
                "name": texts[v.id]["name"],
                "unit": KPIS[v.id].unit,
                "framework": KPIS[v.id].framework,
                "value": v.value,
                "n": v.n,
                "status": v.status,
                "top": v.top,
                "trend": [{"month": m, "value": x} for m, x in v.trend],
                "breakdown": [
                    {"key": r.key, "value": r.value, "n": r.n, "reference": r.reference}
                    for r in v.breakdown
                ],
            }
            for v in report.values
        ],
    }
