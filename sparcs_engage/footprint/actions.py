"""The actions that would help a resident most, each with its saving worked out from their own
answers, and where all of them together would take the resident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sparcs_engage.footprint.answers import AMOUNTS, BOUNDS, CAR_SIZES, Answers
from sparcs_engage.footprint.calculation import FootprintResult, calculate, car_occupancy
from sparcs_engage.footprint.factors import FactorSet, default_factors

ACTION_IDS: tuple[str, ...] = (
    "green_electricity",
    "heat_pump",
    "car_free_days",
    "share_car",
    "smaller_car",
    "electric_car",
    "train_not_plane",
    "vegetarian_diet",
    "vegan_diet",
    "less_cheese",
    "less_dairy",
    "one_long_flight_less",
    "one_medium_flight_less",
    "one_short_flight_less",
    "less_food_waste",
    "lower_spending",
)
# Share of car kilometres the "car-free days" action removes (one day in five).
CAR_FREE_SHARE = 0.2
# A short return flight taken by train instead: twice the band's typical one-way distance.
TRAIN_INSTEAD_KM = 2000


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


def _car(a: Answers, f: FactorSet) -> list[tuple[str, str, dict[str, Any]]]:
    if a.car_fuel == "none" or a.car_km_per_year <= 0:
        return []
    out: list[tuple[str, str, dict[str, Any]]] = [
        (
            "car_free_days",
            "mobility",
            {"car_km_per_year": a.car_km_per_year * (1 - CAR_FREE_SHARE)},
        )
    ]
    people = car_occupancy(a, f)
    if people + 1 <= BOUNDS["car_occupancy"][1]:
        out.append(("share_car", "mobility", {"car_occupancy": people + 1}))
    if a.car_size in ("medium", "large"):
        smaller = CAR_SIZES[CAR_SIZES.index(a.car_size) - 1]
        out.append(("smaller_car", "mobility", {"car_size": smaller}))
    if a.car_fuel != "electric":
        out.append(("electric_car", "mobility", {"car_fuel": "electric"}))
    return out


def _flights(a: Answers) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    for band in ("long", "medium", "short"):
        flights = getattr(a, f"flights_{band}_per_year")
        if flights > 0:
            name = f"flights_{band}_per_year"
            out.append((f"one_{band}_flight_less", "mobility", {name: max(0.0, flights - 1)}))
    if a.flights_short_per_year > 0:
        train = min(float(BOUNDS["train_km_per_year"][1]), a.train_km_per_year + TRAIN_INSTEAD_KM)
        out.append(
            (
                "train_not_plane",
                "mobility",
                {
                    "flights_short_per_year": max(0.0, a.flights_short_per_year - 1),
                    "train_km_per_year": train,
                },
            )
        )
    return out


def _food(a: Answers) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    if a.diet in ("flexitarian", "average", "meat_heavy"):
        out.append(("vegetarian_diet", "food", {"diet": "vegetarian"}))
    elif a.diet == "vegetarian":
        out.append(("vegan_diet", "food", {"diet": "vegan"}))
    if a.diet != "vegan":
        for item in ("cheese", "dairy"):
            amount = getattr(a, item)
            if AMOUNTS.index(amount) > AMOUNTS.index("less"):
                out.append((f"less_{item}", "food", {item: "less"}))
    if a.food_waste != "low":
        out.append(("less_food_waste", "food", {"food_waste": "low"}))
    return out


def _candidates(a: Answers, f: FactorSet) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    if not a.green_electricity:
        out.append(("green_electricity", "housing", {"green_electricity": True}))
    # A flat's heating is decided by the building, so the heat-pump action is for houses.
    if a.home_type != "apartment" and a.heating != "heat_pump":
        out.append(("heat_pump", "housing", {"heating": "heat_pump"}))
    out += _car(a, f)
    out += _flights(a)
    out += _food(a)
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
    for action_id, category, changes in _candidates(answers, f):
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


def with_every_action(answers: Answers, factors: FactorSet | None = None) -> FootprintResult:
    """The result if the resident took every action that helps them, one after the other:
    how far personal choices can go with today's energy system."""
    f = factors or default_factors()
    current = answers
    for action in actions(answers, f):
        current = current.model_copy(update=dict(action.changes))
    return calculate(current, f)
