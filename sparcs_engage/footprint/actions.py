"""The actions that would help a resident most, each with its saving worked out from their own
answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sparcs_engage.footprint.answers import Answers
from sparcs_engage.footprint.calculation import calculate
from sparcs_engage.footprint.factors import FactorSet, default_factors

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
