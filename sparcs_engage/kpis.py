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
from dataclasses import dataclass, field, replace
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
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES, N_, MessageError
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
SMALL_GROUP = "small_group"  # one of its groups has 1-4 people, which the figure could reveal

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


class KpiFilterError(MessageError):
    """A filter that cannot be applied; ``message`` is a msgid, ``params`` its values."""


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


def filter_text(flt: KpiFilter) -> str:
    """The filter in words, for the audit log."""
    parts = [f"city {flt.city}"]
    if flt.district:
        parts.append(f"district {flt.district}")
    parts.append(f"{flt.start or 'start'} to {flt.end or 'today'}")
    if tuple(flt.channels) != CHANNELS:
        parts.append("channels " + "+".join(flt.channels))
    return ", ".join(parts)


def last_quarter(today: date) -> tuple[date, date]:
    """The last full calendar quarter before today's."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a key (district, measure, theme, band, rating), its value and
    the number of people behind it. A suppressed row has neither (``value`` and ``n`` None), so
    no output can show the size of a small group. ``reference`` is what the value is compared
    with (a population share), when there is one."""

    key: str
    value: float | None
    n: int | None
    reference: float | None = None
    suppressed: bool = False


def _small(n: int | None) -> bool:
    return n is not None and 0 < n < MIN_GROUP


def _hidden(row: Row) -> Row:
    return Row(row.key, None, None, row.reference, suppressed=True)


def protect(rows: Iterable[Row]) -> tuple[Row, ...]:
    """Primary and secondary suppression of a breakdown whose counts add up to a shown total:
    rows of 1-4 people are hidden, and when that hides exactly one row, the smallest other row
    with people is hidden too, so the hidden one cannot be found by subtraction."""
    rows = [_hidden(r) if _small(r.n) else r for r in rows]
    hidden = [r for r in rows if r.suppressed]
    if len(hidden) == 1:
        shown = [r for r in rows if not r.suppressed and r.n]
        if shown:
            smallest = min(shown, key=lambda r: r.n)
            rows = [_hidden(r) if r is smallest else r for r in rows]
    return tuple(rows)


def _series(counts: Iterable[tuple[str, int, float]]) -> tuple[tuple[str, float | None], ...]:
    """A monthly series of (month, people, value) whose values add up to a shown total:
    protected like a breakdown (see ``protect``)."""
    rows = protect(Row(month, value, n) for month, n, value in counts)
    return tuple((row.key, row.value) for row in rows)


@dataclass(frozen=True)
class KpiValue:
    """A KPI for one filter: its value, the people behind it (None when suppressed), a monthly
    trend, the change between the last two complete months, and a breakdown."""

    id: str
    value: float | None
    n: int | None
    status: str
    trend: tuple[tuple[str, float | None], ...] = ()
    breakdown: tuple[Row, ...] = ()
    top: str | None = None  # the breakdown key the headline value belongs to, if any
    delta: float | None = None


def _delta(trend: Sequence[tuple[str, float | None]], current_month: str) -> float | None:
    """The change from the month before to the last complete month; None unless both have a
    figure and follow each other (the current month is not over yet)."""
    done = [(m, v) for m, v in trend if m < current_month]
    if len(done) < 2 or done[-1][1] is None or done[-2][1] is None:
        return None
    (year, month), (last_year, last_month) = (
        (int(done[-2][0][:4]), int(done[-2][0][5:7])),
        (int(done[-1][0][:4]), int(done[-1][0][5:7])),
    )
    if (last_year * 12 + last_month) - (year * 12 + month) != 1:
        return None
    return done[-1][1] - done[-2][1]


@dataclass
class Facts:
    """What the queries found for one filter; the formulas read only this. Months are the
    city's own calendar months (YYYY-MM)."""

    flt: KpiFilter
    population: int | None  # of the city, or of the district when filtered
    district_population: dict[str, int]
    population_mix: dict[str, dict[str, float]]
    zone: str = "UTC"  # the city's time zone
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


def _headline(kpi: str, value: float | None, n: int, **extra: Any) -> KpiValue:
    """A headline figure resting on n people: no data, suppressed (1-4 people) or shown."""
    if n == 0:
        return KpiValue(kpi, None, 0, NO_DATA, **extra)
    if n < MIN_GROUP:
        return KpiValue(kpi, None, None, SUPPRESSED, **extra)
    return KpiValue(kpi, value, n, OK, **extra)


def _count(kpi: str, n: int, trend: Iterable[tuple[str, int]] = ()) -> KpiValue:
    """A count of people: 0 is shown, 1-4 suppressed; the monthly counts are protected."""
    series = _series((m, v, float(v)) for m, v in trend)
    if n == 0:
        return KpiValue(kpi, 0.0, 0, OK, series)
    return _headline(kpi, float(n), n, trend=series)


def _ratio(part: float, whole: int) -> float | None:
    return part / whole if whole >= MIN_GROUP else None


def _share_value(
    kpi: str, part: float, whole: int, trend: Iterable[tuple[str, float, int]] = ()
) -> KpiValue:
    """A share: the monthly shares carry no counts, so hiding small months is enough."""
    series = tuple((m, _ratio(p, w)) for m, p, w in trend)
    return _headline(kpi, part / whole if whole else None, whole, trend=series)


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
        rows.append(Row(district, 1000 * n / residents if residents else None, n))
    total = sum(row.n for row in rows)
    residents = sum(f.district_population.get(row.key, 0) for row in rows)
    rows = protect(rows)
    if not residents:
        return KpiValue("participation_rate", None, 0, NO_DATA, (), rows)
    if total == 0:
        return KpiValue("participation_rate", 0.0, 0, OK, (), rows)
    return _headline("participation_rate", 1000 * total / residents, total, breakdown=rows)


def completion_rate(f: Facts) -> KpiValue:
    """Submitted surveys among those started in the period."""
    if f.flt.district:
        return KpiValue("completion_rate", None, None, NOT_APPLICABLE)
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
    """Share agreeing (4 or 5) per local measure. The headline and the monthly trend pool the
    measures that are shown, so a hidden measure cannot be found from the pooled figure."""
    rows = []
    for measure in SUMMARY_MEASURES:
        n = f.survey_totals.get(f"accept_{measure}_n", 0)
        agree = f.survey_totals.get(f"accept_{measure}_agree", 0)
        rows.append(Row(measure, agree / n if n else None, n))
    rows = [_hidden(r) if _small(r.n) else r for r in rows]
    shown = [m for m, r in zip(SUMMARY_MEASURES, rows, strict=True) if r.n]
    people = f.survey_totals.get("n", 0)
    if not shown:
        status = NO_DATA if people == 0 else SUPPRESSED
        return KpiValue("acceptance", None, 0 if people == 0 else None, status, (), tuple(rows))
    agree = sum(f.survey_totals.get(f"accept_{m}_agree", 0) for m in shown)
    answers = sum(f.survey_totals.get(f"accept_{m}_n", 0) for m in shown)
    trend = []
    for month, c in sorted(f.survey_by_month.items()):
        month_answers = sum(c.get(f"accept_{m}_n", 0) for m in shown)
        month_agree = sum(c.get(f"accept_{m}_agree", 0) for m in shown)
        trend.append((month, month_agree / month_answers if c.get("n", 0) >= MIN_GROUP else None))
    return _headline(
        "acceptance",
        agree / answers,
        max(r.n for r in rows if r.n),
        trend=tuple(trend),
        breakdown=tuple(rows),
    )


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
    """The pledged savings added up, in tonnes of CO2e per year; the monthly sums add up to
    the total, so they are protected like counts."""
    by_month: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for month, _total, pledged in f.footprints:
        by_month[month][0] += 1
        by_month[month][1] += pledged / 1000
    trend = _series((m, int(w), t) for m, (w, t) in sorted(by_month.items()))
    total = sum(pledged for _m, _t, pledged in f.footprints) / 1000
    return _headline("pledged_savings", total, len(f.footprints), trend=trend)


def footprint_median(f: Facts) -> KpiValue:
    """The median footprint of the saved results, in tonnes of CO2e per person and year."""
    by_month: dict[str, list[float]] = defaultdict(list)
    for month, total, _pledged in f.footprints:
        by_month[month].append(total / 1000)
    trend = tuple(
        (m, statistics.median(v) if len(v) >= MIN_GROUP else None)
        for m, v in sorted(by_month.items())
    )
    totals = [total / 1000 for _m, total, _p in f.footprints]
    median = statistics.median(totals) if totals else None
    return _headline("footprint_median", median, len(totals), trend=trend)


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
    """Mean rating (1-5) of the participants who rated. The distribution is shown only when no
    rating was given by 1-4 people: with the mean and the count, two hidden cells could be
    worked out, so one small cell hides the whole distribution."""
    n = len(f.ratings)
    counts = {r: sum(1 for _m, v in f.ratings if v == r) for r in range(1, 6)}
    small = n < MIN_GROUP or any(_small(c) for c in counts.values())
    rows = tuple(
        Row(str(r), None, None, suppressed=True) if small else Row(str(r), c / n, c)
        for r, c in counts.items()
    )
    by_month: dict[str, list[int]] = defaultdict(list)
    for month, rating in f.ratings:
        by_month[month].append(rating)
    trend = tuple(
        (m, statistics.fmean(v) if len(v) >= MIN_GROUP else None)
        for m, v in sorted(by_month.items())
    )
    mean = statistics.fmean(v for _m, v in f.ratings) if f.ratings else None
    return _headline("workshop_satisfaction", mean, n, trend=trend, breakdown=rows)


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
            return KpiValue(kpi, None, None, NOT_APPLICABLE)
        ref_total = sum(reference.values())
        rows = protect(
            Row(k, counts.get(k, 0) / n if n else None, counts.get(k, 0), reference[k] / ref_total)
            for k in groups
            if k in reference
        )
        if 0 < n < MIN_GROUP:
            return _headline(kpi, None, n, breakdown=rows)
        if n and any(r.suppressed for r in rows):
            # With the shown shares and the index, a hidden group could be worked out.
            return KpiValue(kpi, None, n, SMALL_GROUP, (), rows)
        value = dissimilarity(counts, reference) if n else None
        return _headline(kpi, value, n, breakdown=rows)

    formula.__doc__ = f"Dissimilarity of the respondents' {counts_of} mix from the population's."
    return formula


def vision_priorities(f: Facts) -> KpiValue:
    """Mean points of 100 per theme over the respondents who spread their budget; the headline
    is the theme with the most points."""
    n = f.budget_n
    shown = n >= MIN_GROUP
    rows = tuple(
        sorted(
            (
                Row(
                    theme, points / n if shown else None, n if shown else None, suppressed=not shown
                )
                for theme, points in f.budget_points.items()
            ),
            key=lambda row: -(row.value or 0),
        )
    )
    top = rows[0] if rows and shown else None
    return _headline(
        "vision_priorities",
        top.value if top else None,
        n,
        breakdown=rows,
        top=top.key if top else None,
    )


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
    """The UTC hour of a timestamp as text, "YYYY-MM-DD HH": grouped by hour in SQL, the hours
    are then put into the city's own calendar months (see ``local_month``), which a UTC month
    would get wrong around midnight at the turn of a month."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return sa.func.strftime("%Y-%m-%d %H", column)


@cache
def local_month(utc_hour: str, zone: str) -> str:
    """The city's calendar month (YYYY-MM) of a UTC hour "YYYY-MM-DD HH"."""
    moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


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
        month = f.survey_by_month.setdefault(local_month(row["month"], f.zone), defaultdict(int))
        for k, v in row.items():
            if k != "month":
                month[k] += int(v or 0)
                totals[k] += int(v or 0)
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
        for hour, n, d in started:
            month = local_month(hour, f.zone)
            before = f.started_by_month.get(month, (0, 0))
            f.started_by_month[month] = (before[0] + int(n), before[1] + int(d or 0))


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
    f.footprints = [(local_month(h, f.zone), float(total), float(p or 0)) for h, total, p in rows]


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
                by_month[local_month(m, f.zone)] += int(n)
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
        zone=city.timezone,
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


def city_today(zone: str, now: datetime | None = None) -> date:
    """Today in a city's own time zone (the server may run on UTC)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()


def compute(session: Session, flt: KpiFilter, now: datetime | None = None) -> KpiReport:
    """All KPIs for a filter (the ones whose channels are not selected are left out)."""
    facts = gather(session, flt)
    current_month = city_today(facts.zone, now).strftime("%Y-%m")
    values = []
    for kpi in REGISTRY:
        if not kpi.applies(flt):
            continue
        if flt.district and not kpi.by_district:
            values.append(KpiValue(kpi.id, None, None, NOT_APPLICABLE))
            continue
        value = kpi.formula(facts)
        values.append(replace(value, delta=_delta(value.trend, current_month)))
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
