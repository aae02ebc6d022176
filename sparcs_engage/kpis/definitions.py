"""Each KPI defined once: its formula as code (a function of the :class:`Facts`), unit and
framework, in :data:`REGISTRY`; its name, definition and method in ``content/<lang>/kpis.toml``."""

from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sparcs_engage.footprint import TARGETS_KG
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES, N_, SOURCE_LANGUAGE, normalize_language
from sparcs_engage.kpis.facts import Facts, FootprintFact
from sparcs_engage.kpis.filters import CHANNELS, KpiFilter
from sparcs_engage.kpis.values import (
    MIN_GROUP,
    NO_DATA,
    NOT_APPLICABLE,
    OK,
    SMALL_GROUP,
    SUPPRESSED,
    KpiValue,
    Row,
    _hidden,
    _series,
    _small,
    protect,
)
from sparcs_engage.models.surveys import SUMMARY_MEASURES

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

# "Close to the path": at most this much above the national reduction path.
PATH_MARGIN_KG = 1000

AGE_BANDS: tuple[str, ...] = ("under_18", "18_29", "30_44", "45_64", "65_74", "75_plus")
GENDERS: tuple[str, ...] = ("woman", "man")


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
    for fp in f.footprints:
        by_month[fp.month][0] += 1
        by_month[fp.month][1] += fp.pledged_kg > 0
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
    for fp in f.footprints:
        by_month[fp.month][0] += 1
        by_month[fp.month][1] += fp.pledged_kg / 1000
    trend = _series((m, int(w), t) for m, (w, t) in sorted(by_month.items()))
    total = sum(fp.pledged_kg for fp in f.footprints) / 1000
    return _headline("pledged_savings", total, len(f.footprints), trend=trend)


def _median_by_month(
    f: Facts, value: Callable[[FootprintFact], float]
) -> tuple[tuple[str, float | None], ...]:
    by_month: dict[str, list[float]] = defaultdict(list)
    for fp in f.footprints:
        by_month[fp.month].append(value(fp))
    return tuple(
        (m, statistics.median(v) if len(v) >= MIN_GROUP else None)
        for m, v in sorted(by_month.items())
    )


def footprint_median(f: Facts) -> KpiValue:
    """The median lifestyle footprint of the saved results, in tonnes of CO2e per person and
    year (without the public services, which are the same for everyone)."""
    totals = [fp.lifestyle_kg / 1000 for fp in f.footprints]
    median = statistics.median(totals) if totals else None
    trend = _median_by_month(f, lambda fp: fp.lifestyle_kg / 1000)
    return _headline("footprint_median", median, len(totals), trend=trend)


def _gap(fp: FootprintFact) -> float:
    return max(0.0, fp.lifestyle_kg - TARGETS_KG[2030]) / 1000


def footprint_gap_2030(f: Facts) -> KpiValue:
    """The median gap between a saved lifestyle footprint and the 2030 1.5-degree lifestyle
    target (2.5 t), in tonnes: what is left to cut; 0 for results already under it."""
    gaps = [_gap(fp) for fp in f.footprints]
    median = statistics.median(gaps) if gaps else None
    return _headline("footprint_gap_2030", median, len(gaps), trend=_median_by_month(f, _gap))


def footprint_near_path(f: Facts) -> KpiValue:
    """Share of saved footprints at most 1 t above the national average's reduction path
    (a straight line from the average resident's footprint to the 2030 target) on the day
    they were saved."""
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fp in f.footprints:
        by_month[fp.month][0] += 1
        by_month[fp.month][1] += fp.above_path_kg <= PATH_MARGIN_KG
    return _share_value(
        "footprint_near_path",
        sum(n for _w, n in by_month.values()),
        len(f.footprints),
        [(m, n, w) for m, (w, n) in sorted(by_month.items())],
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
        "footprint_gap_2030",
        "t_co2e",
        "sparcs_wp2",
        ("footprint",),
        footprint_gap_2030,
        by_district=False,
        higher_is_better=False,
    ),
    KpiDefinition(
        "footprint_near_path",
        "share",
        "sparcs_wp2",
        ("footprint",),
        footprint_near_path,
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

TEXT_FIELDS: tuple[str, ...] = ("name", "definition", "method")


@cache
def kpi_texts(lang: str) -> dict[str, dict[str, str]]:
    """Name, definition and method of every KPI in one language (content/<lang>/kpis.toml);
    an unknown language gets the source language's."""
    lang = normalize_language(lang) or SOURCE_LANGUAGE
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
