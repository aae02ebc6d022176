"""Properties of the footprint calculation (hypothesis): for every answer, more of what emits
never lowers the footprint, and more of what shares never raises it; results are finite, sum
up, and each action's saving is exactly the difference it makes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparcs_engage import footprint as fp

APPROX = {"rel": 1e-9, "abs": 1e-6}
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bounded(name: str) -> st.SearchStrategy[float]:
    low, high = fp.BOUNDS[name]
    return st.floats(low, high)


@st.composite
def raw_answers(draw: st.DrawFn) -> dict[str, Any]:
    fuel = draw(st.sampled_from(fp.CAR_FUELS))
    return {
        "country": draw(st.sampled_from(fp.COUNTRIES)),
        "city": draw(st.sampled_from([None, "espoo", "leipzig", "kladno"])),
        "home_type": draw(st.sampled_from(fp.HOME_TYPES)),
        "floor_area_m2": draw(bounded("floor_area_m2")),
        "household_size": draw(st.integers(*fp.BOUNDS["household_size"])),
        "building_age": draw(st.sampled_from(fp.BUILDING_AGES)),
        "heating": draw(st.sampled_from(fp.HEATINGS)),
        "green_electricity": draw(st.booleans()),
        "electricity_kwh": draw(st.none() | bounded("electricity_kwh")),
        "heat_kwh": draw(st.none() | bounded("heat_kwh")),
        "cottage": draw(st.sampled_from(fp.COTTAGES)),
        "car_km_per_year": draw(bounded("car_km_per_year")),
        "car_fuel": fuel,
        "car_size": draw(st.sampled_from(fp.CAR_SIZES)),
        "car_occupancy": draw(st.none() | bounded("car_occupancy")),
        "public_transport_km_per_week": draw(bounded("public_transport_km_per_week")),
        "train_km_per_year": draw(bounded("train_km_per_year")),
        "coach_km_per_year": draw(bounded("coach_km_per_year")),
        "flights_short_per_year": draw(bounded("flights_short_per_year")),
        "flights_medium_per_year": draw(bounded("flights_medium_per_year")),
        "flights_long_per_year": draw(bounded("flights_long_per_year")),
        "diet": draw(st.sampled_from(fp.DIETS)),
        "dairy": draw(st.sampled_from(fp.AMOUNTS)),
        "cheese": draw(st.sampled_from(fp.AMOUNTS)),
        "food_waste": draw(st.sampled_from(fp.LEVELS)),
        "spending": draw(st.sampled_from(fp.LEVELS)),
    }


def total(data: dict[str, Any]) -> float:
    return fp.calculate(fp.validate_answers(data)).total_kg


# Numbers that never lower the footprint when they grow.
MORE_EMITS = (
    "floor_area_m2",
    "heat_kwh",
    "electricity_kwh",
    "car_km_per_year",
    "public_transport_km_per_week",
    "train_km_per_year",
    "coach_km_per_year",
    "flights_short_per_year",
    "flights_medium_per_year",
    "flights_long_per_year",
)
# Choices in the order that never lowers the footprint ("unknown" is not on the scale).
ORDERED = {
    "building_age": fp.BUILDING_AGES[1:],
    "cottage": fp.COTTAGES,
    "car_size": fp.CAR_SIZES[1:],
    "diet": fp.DIETS,
    "dairy": fp.AMOUNTS,
    "cheese": fp.AMOUNTS,
    "food_waste": fp.LEVELS,
    "spending": fp.LEVELS,
}


@PROPERTY
@given(raw_answers(), st.sampled_from(MORE_EMITS), st.floats(0, 1))
def test_more_never_lowers_the_footprint(data: dict[str, Any], name: str, share: float) -> None:
    low, high = fp.BOUNDS[name]
    start = data[name] if data[name] is not None else low
    more = start + (high - start) * share
    assert total({**data, name: more}) >= total({**data, name: start}) - 1e-6


@PROPERTY
@given(raw_answers(), st.sampled_from(sorted(ORDERED)), st.data())
def test_a_higher_choice_never_lowers_the_footprint(
    data: dict[str, Any], name: str, pick: st.DataObject
) -> None:
    options = ORDERED[name]
    i = pick.draw(st.integers(0, len(options) - 1))
    j = pick.draw(st.integers(i, len(options) - 1))
    assert total({**data, name: options[j]}) >= total({**data, name: options[i]}) - 1e-6


@PROPERTY
@given(raw_answers(), st.integers(1, 20), st.integers(1, 20))
def test_more_people_in_the_home_never_raise_the_footprint(
    data: dict[str, Any], a: int, b: int
) -> None:
    fewer, more = sorted((a, b))
    assert (
        total({**data, "household_size": more}) <= total({**data, "household_size": fewer}) + 1e-6
    )


@PROPERTY
@given(raw_answers(), st.floats(1, 9), st.floats(1, 9))
def test_more_people_in_the_car_never_raise_the_footprint(
    data: dict[str, Any], a: float, b: float
) -> None:
    fewer, more = sorted((a, b))
    assert total({**data, "car_occupancy": more}) <= total({**data, "car_occupancy": fewer}) + 1e-6


@PROPERTY
@given(raw_answers())
def test_green_electricity_never_raises_the_footprint(data: dict[str, Any]) -> None:
    green = total({**data, "green_electricity": True})
    assert green <= total({**data, "green_electricity": False}) + 1e-6


@PROPERTY
@given(raw_answers())
def test_result_is_finite_non_negative_and_sums(data: dict[str, Any]) -> None:
    r = fp.calculate(fp.validate_answers(data))
    assert all(math.isfinite(v) and v >= 0 for v in r.by_item.values())
    assert r.total_kg == pytest.approx(sum(r.by_category.values()), **APPROX)
    assert r.lifestyle_kg == pytest.approx(r.total_kg - r.public_kg, **APPROX)


@PROPERTY
@given(raw_answers())
def test_action_savings_are_the_difference_of_calculate(data: dict[str, Any]) -> None:
    a = fp.validate_answers(data)
    before = fp.calculate(a).total_kg
    found = fp.actions(a)
    assert [act.saving_kg for act in found] == sorted(
        (act.saving_kg for act in found), reverse=True
    )
    for act in found:
        assert act.id in fp.ACTION_IDS
        assert act.saving_kg > 0
        assert act.saving_kg == pytest.approx(
            before - fp.calculate(act.new_answers).total_kg, **APPROX
        )
        assert fp.validate_answers(act.new_answers.model_dump()) == act.new_answers
    assert fp.with_every_action(a).total_kg <= before + 1e-6


@PROPERTY
@given(raw_answers())
def test_the_city_plans_never_raise_a_footprint(data: dict[str, Any]) -> None:
    from sparcs_engage.settings import REPO_ROOT

    a = fp.validate_answers(data)
    for city, country in (("espoo", "FI"), ("leipzig", "DE")):
        plans = fp.city_plans(str(REPO_ROOT / "data" / "cities" / city), city, country)
        view = fp.outlook(a.model_copy(update={"city": city}), plans)
        assert view.planned.total_kg <= view.now.total_kg + 1e-6
        assert all(effect.saving_kg >= -1e-6 for effect in view.effects)
