"""The facts behind the KPIs, gathered with a few aggregate SQL queries per filter (the survey
side reads the one-row-per-response ``survey_summary``, never the answer rows), and the
reference data: residents per district and the population's age and gender mix."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.cities import City
from sparcs_engage.energy import POPULATION, load_city_energy, load_indicator_registry
from sparcs_engage.footprint import average_profile, calculate, path_kg, published_average
from sparcs_engage.i18n import N_
from sparcs_engage.kpis.filters import (
    KpiFilter,
    KpiFilterError,
    city_or_error,
    local_month,
    period_bounds,
)
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

AGREE = 4  # 4 or 5 on the 1-5 agreement scale counts as agreeing


@dataclass(frozen=True)
class FootprintFact:
    """One saved footprint result: its city month, lifestyle footprint (without the public
    services, as the 1.5-degree targets count), pledged savings, and how far it is above the
    national reduction path on the day it was saved (negative: under the path), all in kg."""

    month: str
    lifestyle_kg: float
    pledged_kg: float
    above_path_kg: float


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
    footprints: list[FootprintFact] = field(default_factory=list)
    participants_by_month: dict[str, int] = field(default_factory=dict)
    participants_by_district: dict[str, int] = field(default_factory=dict)
    workshops: int = 0
    ratings: list[tuple[str, int]] = field(default_factory=list)


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


def _month(session: Session, column: Any) -> Any:
    """The UTC hour of a timestamp as text, "YYYY-MM-DD HH": grouped by hour in SQL, the hours
    are then put into the city's own calendar months (see ``local_month``), which a UTC month
    would get wrong around midnight at the turn of a month."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return sa.func.strftime("%Y-%m-%d %H", column)


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
        sa.select(
            _month(session, fr.created_at),
            fr.total_kg - fr.public_services_kg,
            pledged,
            fr.country,
        ).where(fr.city == f.flt.city, *_within(fr.created_at, bounds))
    ).all()
    facts = []
    for hour, lifestyle, pledges, country in rows:
        day = datetime.strptime(hour, "%Y-%m-%d %H").date()
        lifestyle = float(lifestyle)
        facts.append(
            FootprintFact(
                month=local_month(hour, f.zone),
                lifestyle_kg=lifestyle,
                pledged_kg=float(pledges or 0),
                above_path_kg=lifestyle - national_path_kg(country, day),
            )
        )
    f.footprints = facts


@cache
def _path_start(country: str) -> tuple[float, int]:
    average = calculate(average_profile(country))
    return average.lifestyle_kg, published_average(country).path_start_year


def national_path_kg(country: str, on: date) -> float:
    """The national reduction path on a day: from the average resident's lifestyle footprint
    (this calculator, the same factors as every saved result) to the 2030 target. A country
    without an average profile has no path: every result is counted as off it."""
    try:
        start_kg, start_year = _path_start(country)
    except ValueError:
        return float("-inf")
    return path_kg(start_kg, start_year, on)


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
            # A draft never sent is not a person reached: the completion rate counts drafts.
            channels.append(
                sa.exists().where(
                    SurveyResponse.respondent_id == r.id, SurveyResponse.status == "submitted"
                )
            )
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
