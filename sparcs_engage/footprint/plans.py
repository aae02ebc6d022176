"""The city's part: its published plans (``data/cities/<id>/plans.toml``) and what they change
in a resident's footprint by the city's target year, for the same answers."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sparcs_engage.footprint.answers import Answers
from sparcs_engage.footprint.calculation import FootprintResult, calculate
from sparcs_engage.footprint.factors import KNOWN_KEYS, FactorSet, default_factors

PLANS_FILE = "plans.toml"
STATUSES = ("published", "estimate")


class PlanFileError(ValueError):
    """A city's plans file is broken; the message names the file and the plan."""


@dataclass(frozen=True)
class Plan:
    """A measure of the city's (or its country's) plans and the factor it changes by ``year``.

    ``what`` holds the measure in each language; ``status`` says whether ``value`` is
    published or a SPARCS Engage estimate (with its ``reasoning``)."""

    id: str
    factor: str
    where: str  # "city": the city's own factor row; "country": the national one
    year: int
    value: float
    status: str
    reasoning: str
    source: str
    source_year: int
    what: dict[str, str]


@dataclass(frozen=True)
class CityPlans:
    """A city's plans; they change the footprints of residents of its ``country`` only."""

    city: str
    country: str
    target_year: int
    plans: tuple[Plan, ...]


@dataclass(frozen=True)
class PlanEffect:
    """What one plan changes for this resident: kg CO2e per year less (0: nothing), beyond the
    plans for the same factor before it."""

    plan: Plan
    saving_kg: float


@dataclass(frozen=True)
class PlansOutlook:
    """The resident's footprint today and in ``target_year`` with every plan up to then."""

    target_year: int
    now: FootprintResult
    planned: FootprintResult
    effects: tuple[PlanEffect, ...]

    @property
    def saving_kg(self) -> float:
        return self.now.total_kg - self.planned.total_kg


def _text(raw: dict, name: str, path: Path, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PlanFileError(f"{path}: {where}.{name} is missing")
    return value


def load_plans(folder: Path, city: str, country: str) -> CityPlans | None:
    """The plans of the city whose data folder this is; None when it publishes none."""
    path = folder / PLANS_FILE
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    plans = []
    for i, raw in enumerate(data.get("plan", [])):
        where = f"plan[{i}]"
        factor = _text(raw, "factor", path, where)
        if factor not in KNOWN_KEYS:
            raise PlanFileError(f"{path}: {where}.factor {factor!r} is not a factor key")
        if raw.get("where") not in ("city", "country"):
            raise PlanFileError(f"{path}: {where}.where must be city or country")
        if raw.get("status") not in STATUSES:
            raise PlanFileError(f"{path}: {where}.status must be published or estimate")
        what = raw.get("what")
        if not isinstance(what, dict) or not what:
            raise PlanFileError(f"{path}: {where}.what needs a text per language")
        plans.append(
            Plan(
                id=_text(raw, "id", path, where),
                factor=factor,
                where=raw["where"],
                year=int(raw["year"]),
                value=float(raw["value"]),
                status=raw["status"],
                reasoning=raw.get("reasoning", ""),
                source=_text(raw, "source", path, where),
                source_year=int(raw["source_year"]),
                what={str(k): str(v) for k, v in what.items()},
            )
        )
    plans.sort(key=lambda p: (p.year, p.id))
    return CityPlans(
        city=city, country=country, target_year=int(data["target_year"]), plans=tuple(plans)
    )


def plans_problem(folder: Path, city: str, country: str) -> str | None:
    """What is wrong with a city's plans file, naming the file; None when it reads."""
    try:
        load_plans(folder, city, country)
    except (PlanFileError, ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
        return f"{folder / PLANS_FILE}: {exc}"
    return None


@cache
def city_plans(folder: str, city: str, country: str) -> CityPlans | None:
    """``load_plans``, read once per process."""
    return load_plans(Path(folder), city, country)


def _factors_for(
    plans: list[Plan], country: str, city: str, factors: FactorSet, label: str
) -> FactorSet:
    values: dict[tuple[str, str, str], float] = {}
    for plan in sorted(plans, key=lambda p: p.year):  # a later plan of a factor wins
        values[(country, city if plan.where == "city" else "", plan.factor)] = plan.value
    return factors.with_values(values, label)


def planned_factors(
    answers: Answers, plans: CityPlans, factors: FactorSet | None = None
) -> FactorSet:
    """The factors of the target year: today's, with every plan up to then."""
    f = factors or default_factors()
    due = [p for p in plans.plans if p.year <= plans.target_year]
    if answers.country != plans.country:
        due = []
    city = answers.city or ""
    return _factors_for(due, answers.country, city, f, f"plans{plans.target_year}")


def outlook(answers: Answers, plans: CityPlans, factors: FactorSet | None = None) -> PlansOutlook:
    """Each plan's effect on this resident (what it adds to the plans of the same factor before
    it), and the footprint with every plan up to the target year, for the same answers."""
    f = factors or default_factors()
    now = calculate(answers, f)
    city = answers.city or ""
    effects = []
    for i, plan in enumerate(plans.plans):
        if answers.country != plans.country:
            effects.append(PlanEffect(plan, 0.0))
            continue
        before = [p for p in plans.plans[:i] if p.factor == plan.factor]
        without = calculate(answers, _factors_for(before, answers.country, city, f, "before"))
        with_it = calculate(answers, _factors_for([*before, plan], answers.country, city, f, "p"))
        effects.append(PlanEffect(plan, without.total_kg - with_it.total_kg))
    planned = calculate(answers, planned_factors(answers, plans, f))
    return PlansOutlook(plans.target_year, now, planned, tuple(effects))
