"""The carbon-footprint core: factors file, validation, calculation, averages and actions.

The expected values below are worked out by hand from data/emission_factors.csv (factor set
2026.1); the arithmetic is written next to each number. If a factor changes on purpose, update
the arithmetic here together with FACTOR_SET_VERSION.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sparcs_engage import footprint as fp

APPROX = {"rel": 1e-9, "abs": 1e-6}


def raw(**overrides: Any) -> dict[str, Any]:
    """Valid raw answers (the Finnish average profile) with some answers replaced."""
    data = fp.average_profile("FI").model_dump()
    data.update(overrides)
    return data


def answers(**overrides: Any) -> fp.Answers:
    return fp.validate_answers(raw(**overrides))


# --------------------------------------------------------------------------------------------
# Hand-computed results per category
# --------------------------------------------------------------------------------------------


def test_espoo_flat_district_heat_by_hand() -> None:
    a = answers(
        country="FI",
        city="espoo",
        home_type="apartment",
        floor_area_m2=60,
        household_size=2,
        heating="district_heat",
        green_electricity=False,
        electricity_kwh=2000,
        heat_kwh=10000,
        car_km_per_year=5000,
        car_fuel="petrol",
        public_transport_km_per_week=20,
        flights_short_per_year=1,
        flights_long_per_year=0,
        diet="vegetarian",
        food_waste="low",
        spending="average",
    )
    r = fp.calculate(a)
    # housing: heat 10,000 kWh x 0.1078 (Fortum Espoo 2023) = 1,078
    #          + electricity 2,000 kWh x 0.060 (FI grid) = 120  -> 1,198 / 2 people = 599
    assert r.by_category["housing"] == pytest.approx(599, **APPROX)
    # mobility: car 5,000 km x 0.169 (petrol) = 845; public transport 20 km x 52 x 0.050 = 52;
    #           1 short return flight x 468 = 468  -> 1,365
    assert r.by_category["mobility"] == pytest.approx(1365, **APPROX)
    # food: vegetarian 1,391 x 0.95 (low waste) = 1,321.45
    assert r.by_category["food"] == pytest.approx(1321.45, **APPROX)
    # goods & services: average 4,750 + public services 0 (FI) = 4,750
    assert r.by_category["goods_services"] == pytest.approx(4750, **APPROX)
    # total: 599 + 1,365 + 1,321.45 + 4,750 = 8,035.45
    assert r.total_kg == pytest.approx(8035.45, **APPROX)
    assert r.by_item["heating"] == pytest.approx(539, **APPROX)  # 1,078 / 2
    assert r.by_item["electricity"] == pytest.approx(60, **APPROX)  # 120 / 2


def test_leipzig_house_heat_pump_green_electric_car_by_hand() -> None:
    a = answers(
        country="DE",
        city="leipzig",
        home_type="detached",
        floor_area_m2=150,
        household_size=3,
        heating="heat_pump",
        green_electricity=True,
        electricity_kwh=None,
        heat_kwh=None,
        car_km_per_year=10000,
        car_fuel="electric",
        public_transport_km_per_week=0,
        flights_short_per_year=0,
        flights_long_per_year=1,
        diet="vegan",
        food_waste="high",
        spending="high",
    )
    r = fp.calculate(a)
    # default heat: 150 m2 x 150 kWh/m2 (DE detached) = 22,500 kWh heat
    assert fp.default_heat_kwh(a) == pytest.approx(22500, **APPROX)
    # default electricity: 1,400 + 900 x 3 people = 4,100 kWh
    assert fp.default_electricity_kwh(a) == pytest.approx(4100, **APPROX)
    # housing: heat pump 22,500 / 3.1 (COP) = 7,258.0645 kWh x 0.020 (green) = 145.16129
    #          + 4,100 kWh x 0.020 = 82  -> 227.16129 / 3 people = 75.72043
    assert r.by_category["housing"] == pytest.approx((22500 / 3.1 * 0.020 + 82) / 3, **APPROX)
    assert r.by_category["housing"] == pytest.approx(75.72043, rel=1e-6)
    # mobility: electric car 10,000 km x 0.19 kWh/km x 0.020 = 38; 1 long flight 2,100 -> 2,138
    assert r.by_category["mobility"] == pytest.approx(2138, **APPROX)
    # food: vegan 873 x 1.10 (high waste) = 960.3
    assert r.by_category["food"] == pytest.approx(960.3, **APPROX)
    # goods & services: high 5,100 + public services 800 (UBA) = 5,900
    assert r.by_category["goods_services"] == pytest.approx(5900, **APPROX)
    # total: 75.72043 + 2,138 + 960.3 + 5,900 = 9,074.02043
    assert r.total_kg == pytest.approx(9074.02043, rel=1e-6)


def test_leipzig_flat_uses_lsw_district_heat_by_hand() -> None:
    a = answers(
        country="DE",
        city="leipzig",
        home_type="apartment",
        floor_area_m2=70,
        household_size=1,
        heating="district_heat",
        green_electricity=False,
        electricity_kwh=1500,
        heat_kwh=None,
        car_km_per_year=0,
        car_fuel="none",
        public_transport_km_per_week=50,
        flights_short_per_year=0,
        flights_long_per_year=0,
        diet="meat_heavy",
        food_waste="average",
        spending="low",
    )
    r = fp.calculate(a)
    # housing: 70 m2 x 130 kWh/m2 = 9,100 kWh x 0.189 (LSW 2022) = 1,719.9
    #          + 1,500 kWh x 0.363 (UBA 2024) = 544.5  -> 2,264.4 / 1 person
    assert r.by_category["housing"] == pytest.approx(2264.4, **APPROX)
    # mobility: no car; public transport 50 km x 52 x 0.080 = 208
    assert r.by_category["mobility"] == pytest.approx(208, **APPROX)
    # food: meat-heavy 2,171 x 1.00 = 2,171
    assert r.by_category["food"] == pytest.approx(2171, **APPROX)
    # goods & services: low 2,380 + public services 800 = 3,180
    assert r.by_category["goods_services"] == pytest.approx(3180, **APPROX)
    # total: 2,264.4 + 208 + 2,171 + 3,180 = 7,823.4
    assert r.total_kg == pytest.approx(7823.4, **APPROX)


def test_city_without_own_factor_uses_national_district_heat_by_hand() -> None:
    a = answers(
        country="FI",
        city="helsinki",
        home_type="terraced",
        floor_area_m2=120,
        household_size=4,
        heating="district_heat",
        green_electricity=False,
        electricity_kwh=None,
        heat_kwh=None,
        car_km_per_year=12000,
        car_fuel="diesel",
        public_transport_km_per_week=10,
        flights_short_per_year=2,
        flights_long_per_year=0.5,
        diet="flexitarian",
        food_waste="high",
        spending="low",
    )
    r = fp.calculate(a)
    # housing: 120 m2 x 150 = 18,000 kWh x 0.183 (Motiva national) = 3,294
    #          + (1,500 + 1,000 x 4 = 5,500 kWh) x 0.060 = 330  -> 3,624 / 4 = 906
    assert r.by_category["housing"] == pytest.approx(906, **APPROX)
    # mobility: 12,000 km x 0.162 (diesel) = 1,944; 10 x 52 x 0.050 = 26;
    #           2 x 468 + 0.5 x 2,100 = 1,986  -> 3,956
    assert r.by_category["mobility"] == pytest.approx(3956, **APPROX)
    # food: flexitarian 1,705 x 1.10 = 1,875.5
    assert r.by_category["food"] == pytest.approx(1875.5, **APPROX)
    # goods & services: low 3,325 + 0 = 3,325; total 906 + 3,956 + 1,875.5 + 3,325 = 10,062.5
    assert r.by_category["goods_services"] == pytest.approx(3325, **APPROX)
    assert r.total_kg == pytest.approx(10062.5, **APPROX)


@pytest.mark.parametrize(
    ("country", "heating", "expected"),
    [
        ("FI", "oil", 3140),  # 10,000 kWh heat x 0.314
        ("FI", "gas", 2200),  # 10,000 x 0.220
        ("FI", "wood", 250),  # 10,000 x 0.025
        ("FI", "direct_electric", 600),  # 10,000 / 1.0 x 0.060
        ("FI", "heat_pump", 200),  # 10,000 / 3.0 x 0.060
        ("FI", "district_heat", 1830),  # 10,000 x 0.183 (no city: national)
        ("DE", "oil", 3650),  # 10,000 x 0.365
        ("DE", "gas", 2670),  # 10,000 x 0.267
        ("DE", "wood", 250),  # 10,000 x 0.025
        ("DE", "direct_electric", 3630),  # 10,000 / 1.0 x 0.363
        ("DE", "heat_pump", 10000 / 3.1 * 0.363),  # = 1,170.97
        ("DE", "district_heat", 2000),  # 10,000 x 0.200 (no city: national)
    ],
)
def test_heating_item_by_hand(country: str, heating: str, expected: float) -> None:
    a = answers(
        country=country,
        city=None,
        home_type="detached",
        household_size=1,
        heating=heating,
        heat_kwh=10000,
        green_electricity=False,
    )
    assert fp.calculate(a).by_item["heating"] == pytest.approx(expected, **APPROX)


@pytest.mark.parametrize(
    ("fuel", "expected"),
    [
        ("petrol", 1690),  # 10,000 km x 0.169
        ("diesel", 1620),  # 10,000 x 0.162
        ("hybrid", 1270),  # 10,000 x 0.127
        ("electric", 114),  # 10,000 x 0.19 kWh/km x 0.060 (FI grid)
    ],
)
def test_car_item_by_hand(fuel: str, expected: float) -> None:
    a = answers(car_km_per_year=10000, car_fuel=fuel, green_electricity=False)
    assert fp.calculate(a).by_item["car"] == pytest.approx(expected, **APPROX)


def test_result_carries_factor_version_and_sums() -> None:
    r = fp.calculate(fp.average_profile("DE"))
    assert set(r.by_category) == set(fp.CATEGORIES)
    assert r.total_kg == pytest.approx(sum(r.by_category.values()), **APPROX)
    assert r.total_kg == pytest.approx(sum(r.by_item.values()), **APPROX)
    version, _, digest = r.factor_version.partition("+")
    assert version == fp.FACTOR_SET_VERSION
    assert len(digest) == 12 and all(ch in "0123456789abcdef" for ch in digest)


# --------------------------------------------------------------------------------------------
# Published averages and targets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["FI", "DE"])
def test_average_profile_reproduces_national_average(country: str) -> None:
    """The average profiles land within 15 % of the published national averages.

    FI: Sitra, Lifestyle test, average Finn 10,300 kg CO2e per year (D-mat calculation basis,
    2018). DE: Umweltbundesamt, CO2-Rechner (ifeu), German average 10.8 t CO2e per year (2022
    profile, including 0.8 t of public emissions).
    """
    total = fp.calculate(fp.average_profile(country)).total_kg
    published = fp.NATIONAL_AVERAGE_KG[country]
    assert abs(total - published) / published <= 0.15


def test_reference_constants() -> None:
    assert fp.TARGETS_KG == {2030: 2500, 2040: 1400, 2050: 700}
    assert fp.NATIONAL_AVERAGE_KG == {"FI": 10_300, "DE": 10_800}
    assert set(fp.REFERENCE_SOURCES) == {"targets", "FI", "DE"}


def test_average_profile_unknown_country() -> None:
    with pytest.raises(ValueError, match="SE"):
        fp.average_profile("SE")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@st.composite
def raw_answers(draw: st.DrawFn, *, with_car: bool = False) -> dict[str, Any]:
    fuels = [f for f in fp.CAR_FUELS if f != "none"] if with_car else list(fp.CAR_FUELS)
    fuel = draw(st.sampled_from(fuels))
    km = 0.0 if fuel == "none" else draw(st.floats(0, 150_000))
    return {
        "country": draw(st.sampled_from(fp.COUNTRIES)),
        "city": draw(st.sampled_from([None, "espoo", "leipzig", "kladno"])),
        "home_type": draw(st.sampled_from(fp.HOME_TYPES)),
        "floor_area_m2": draw(st.floats(10, 1000)),
        "household_size": draw(st.integers(1, 20)),
        "heating": draw(st.sampled_from(fp.HEATINGS)),
        "green_electricity": draw(st.booleans()),
        "electricity_kwh": draw(st.none() | st.floats(0, 50_000)),
        "heat_kwh": draw(st.none() | st.floats(0, 200_000)),
        "car_km_per_year": km,
        "car_fuel": fuel,
        "public_transport_km_per_week": draw(st.floats(0, 2_000)),
        "flights_short_per_year": draw(st.floats(0, 100)),
        "flights_long_per_year": draw(st.floats(0, 100)),
        "diet": draw(st.sampled_from(fp.DIETS)),
        "food_waste": draw(st.sampled_from(fp.LEVELS)),
        "spending": draw(st.sampled_from(fp.LEVELS)),
    }


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def total(data: dict[str, Any]) -> float:
    return fp.calculate(fp.validate_answers(data)).total_kg


@PROPERTY
@given(raw_answers(with_car=True), st.floats(0, 150_000))
def test_more_car_km_never_lowers_total(data: dict[str, Any], extra: float) -> None:
    more = {**data, "car_km_per_year": min(150_000.0, data["car_km_per_year"] + extra)}
    assert total(more) >= total(data) - 1e-9


@PROPERTY
@given(
    raw_answers(),
    st.sampled_from(["flights_short_per_year", "flights_long_per_year"]),
    st.floats(0, 100),
)
def test_more_flights_never_lower_total(data: dict[str, Any], name: str, extra: float) -> None:
    more = {**data, name: min(100.0, data[name] + extra)}
    assert total(more) >= total(data) - 1e-9


@PROPERTY
@given(raw_answers(), st.integers(0, len(fp.DIETS) - 1), st.integers(0, len(fp.DIETS) - 1))
def test_more_meat_heavy_diet_never_lowers_total(data: dict[str, Any], i: int, j: int) -> None:
    lighter, heavier = sorted((i, j))
    assert total({**data, "diet": fp.DIETS[heavier]}) >= (
        total({**data, "diet": fp.DIETS[lighter]}) - 1e-9
    )


@PROPERTY
@given(raw_answers())
def test_green_electricity_never_raises_total(data: dict[str, Any]) -> None:
    assert total({**data, "green_electricity": True}) <= (
        total({**data, "green_electricity": False}) + 1e-9
    )


@PROPERTY
@given(raw_answers())
def test_result_is_finite_non_negative_and_sums(data: dict[str, Any]) -> None:
    r = fp.calculate(fp.validate_answers(data))
    assert all(math.isfinite(v) and v >= 0 for v in r.by_category.values())
    assert r.total_kg == pytest.approx(sum(r.by_category.values()), **APPROX)


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
        assert act.category in fp.CATEGORIES
        assert act.saving_kg > 0
        assert act.saving_kg == pytest.approx(
            before - fp.calculate(act.new_answers).total_kg, **APPROX
        )
        # the new answers are still valid answers, and only the named fields changed
        assert fp.validate_answers(act.new_answers.model_dump()) == act.new_answers
        assert act.new_answers.model_dump() == {**a.model_dump(), **act.changes}


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------


def test_actions_for_a_high_emitting_house() -> None:
    a = answers(
        home_type="detached",
        heating="oil",
        green_electricity=False,
        car_fuel="petrol",
        car_km_per_year=15000,
        diet="meat_heavy",
        food_waste="high",
        spending="high",
        flights_short_per_year=2,
        flights_long_per_year=1,
    )
    found = {act.id: act for act in fp.actions(a)}
    assert set(found) == {
        "green_electricity",
        "heat_pump",
        "car_free_days",
        "electric_car",
        "vegetarian_diet",
        "one_long_flight_less",
        "one_short_flight_less",
        "less_food_waste",
        "lower_spending",
    }
    # car-free days: 20 % of 15,000 km x 0.169 = 507
    assert found["car_free_days"].saving_kg == pytest.approx(507, **APPROX)
    assert found["car_free_days"].changes == {"car_km_per_year": 12000}
    # one long flight less: 2,100; one short flight less: 468
    assert found["one_long_flight_less"].saving_kg == pytest.approx(2100, **APPROX)
    assert found["one_short_flight_less"].saving_kg == pytest.approx(468, **APPROX)
    # vegetarian: 2,624 - 1,391 = 1,233, times 1.10 for high waste = 1,356.3
    assert found["vegetarian_diet"].saving_kg == pytest.approx(1356.3, **APPROX)
    # lower spending moves one level down: high 7,125 -> average 4,750 = 2,375
    assert found["lower_spending"].changes == {"spending": "average"}
    assert found["lower_spending"].saving_kg == pytest.approx(2375, **APPROX)


def test_actions_skip_what_does_not_apply() -> None:
    a = answers(
        home_type="apartment",
        heating="district_heat",
        green_electricity=True,
        car_fuel="none",
        car_km_per_year=0,
        diet="vegan",
        food_waste="low",
        spending="low",
        flights_short_per_year=0,
        flights_long_per_year=0,
    )
    assert fp.actions(a) == []


def test_vegetarian_gets_vegan_action_and_fraction_of_a_flight() -> None:
    a = answers(diet="vegetarian", flights_long_per_year=0.5)
    found = {act.id: act for act in fp.actions(a)}
    assert found["vegan_diet"].changes == {"diet": "vegan"}
    assert "vegetarian_diet" not in found
    # 0.5 long flights -> 0: saving 0.5 x 2,100 = 1,050
    assert found["one_long_flight_less"].saving_kg == pytest.approx(1050, **APPROX)


# --------------------------------------------------------------------------------------------
# Validation: one message per field, as an untranslated msgid with its parameters
# --------------------------------------------------------------------------------------------


def errors_for(**overrides: Any) -> fp.FootprintInputError:
    with pytest.raises(fp.FootprintInputError) as info:
        fp.validate_answers(raw(**overrides))
    err = info.value
    assert set(err.errors) == set(err.params)
    for name, message in err.errors.items():
        assert message.format(**err.params[name])  # every placeholder has its value
    return err


@pytest.mark.parametrize(
    ("field", "value", "low", "high"),
    [
        ("household_size", 0, 1, 20),
        ("household_size", 21, 1, 20),
        ("floor_area_m2", 5, 10, 1000),
        ("floor_area_m2", 5000, 10, 1000),
        ("car_km_per_year", -1, 0, 150_000),
        ("car_km_per_year", 1_000_000, 0, 150_000),
        ("public_transport_km_per_week", -5, 0, 2000),
        ("flights_short_per_year", 101, 0, 100),
        ("flights_long_per_year", -1, 0, 100),
        ("electricity_kwh", -10, 0, 50_000),
        ("heat_kwh", 10**7, 0, 200_000),
    ],
)
def test_out_of_range_has_a_range_message(field: str, value: float, low: int, high: int) -> None:
    err = errors_for(**{field: value})
    assert list(err.errors) == [field]
    assert err.errors[field] == fp.RANGE_MESSAGES[field]
    assert err.params[field] == {"min": low, "max": high}
    assert "{min}" in err.errors[field] and "{max}" in err.errors[field]


def test_zero_people_message_text() -> None:
    err = errors_for(household_size=0)
    assert err.errors["household_size"].format(**err.params["household_size"]) == (
        "Enter how many people live in your household, from 1 to 20."
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "SE"),
        ("home_type", "castle"),
        ("heating", "coal"),
        ("car_fuel", "rocket"),
        ("diet", "carnivore"),
        ("food_waste", "none"),
        ("spending", "lavish"),
        ("heating", 3),
    ],
)
def test_unknown_choice_has_a_choice_message(field: str, value: Any) -> None:
    err = errors_for(**{field: value})
    assert err.errors == {field: fp.CHOICE_MESSAGES[field]}
    assert err.params == {field: {}}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("car_km_per_year", "a lot", fp.MSG_NUMBER),
        ("car_km_per_year", float("nan"), fp.MSG_NUMBER),
        ("floor_area_m2", float("inf"), fp.MSG_NUMBER),
        ("floor_area_m2", True, fp.MSG_NUMBER),
        ("household_size", 2.5, fp.MSG_WHOLE_NUMBER),
        ("household_size", "two", fp.MSG_WHOLE_NUMBER),
        ("green_electricity", "maybe", fp.MSG_YES_NO),
        ("city", "Espoo<script>", fp.MSG_CITY),
        ("city", "x" * 200, fp.MSG_CITY),
    ],
)
def test_wrong_type_messages(field: str, value: Any, message: str) -> None:
    assert errors_for(**{field: value}).errors == {field: message}


def test_missing_and_empty_required_answers() -> None:
    data = raw(diet="  ")
    del data["heating"]
    with pytest.raises(fp.FootprintInputError) as info:
        fp.validate_answers(data)
    assert info.value.errors == {"diet": fp.MSG_REQUIRED, "heating": fp.MSG_REQUIRED}


def test_unknown_field_is_reported() -> None:
    assert errors_for(lang="fi").errors == {"lang": fp.MSG_UNKNOWN_FIELD}


def test_car_kilometres_without_a_car() -> None:
    err = errors_for(car_fuel="none", car_km_per_year=5000)
    assert err.errors == {"car_fuel": fp.MSG_CAR_WITHOUT_FUEL}


def test_several_bad_fields_at_once() -> None:
    err = errors_for(household_size=0, car_km_per_year=-3, heating="coal")
    assert set(err.errors) == {"household_size", "car_km_per_year", "heating"}


def test_normalises_ids_and_empty_optionals() -> None:
    a = fp.validate_answers(raw(country=" fi ", city="Espoo", electricity_kwh="", heat_kwh=None))
    assert (a.country, a.city, a.electricity_kwh, a.heat_kwh) == ("FI", "espoo", None, None)
    assert fp.validate_answers(raw(city="")).city is None
    parsed = fp.validate_answers(raw(household_size="3", car_km_per_year="1200.5"))
    assert (parsed.household_size, parsed.car_km_per_year) == (3, 1200.5)


def test_messages_are_plain_msgids() -> None:
    messages = [
        fp.MSG_REQUIRED,
        fp.MSG_NUMBER,
        fp.MSG_WHOLE_NUMBER,
        fp.MSG_YES_NO,
        fp.MSG_CITY,
        fp.MSG_UNKNOWN_FIELD,
        fp.MSG_INVALID,
        fp.MSG_CAR_WITHOUT_FUEL,
        *fp.RANGE_MESSAGES.values(),
        *fp.CHOICE_MESSAGES.values(),
    ]
    assert all(isinstance(m, str) and m and m[-1] in ".!" for m in messages)
    assert set(fp.RANGE_MESSAGES) == set(fp.BOUNDS)


def test_validate_answers_needs_a_mapping() -> None:
    with pytest.raises(TypeError):
        fp.validate_answers(["FI"])  # type: ignore[arg-type]


def test_answers_are_immutable() -> None:
    a = fp.average_profile("FI")
    with pytest.raises(ValidationError):
        a.household_size = 3  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# The factors file
# --------------------------------------------------------------------------------------------

FACTORS_CSV = fp.DEFAULT_FACTORS_PATH


def csv_rows() -> list[dict[str, str]]:
    with FACTORS_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == fp.FACTOR_HEADER
        return list(reader)


def test_factors_file_is_complete_with_source_and_year() -> None:
    rows = csv_rows()
    for row in rows:
        assert row["source"].strip(), row
        assert row["unit"].strip(), row
        assert 1990 <= int(row["year"]) <= 2100, row
        assert math.isfinite(float(row["value"])), row
    national = {(r["country"], r["key"]) for r in rows if not r["city"]}
    for country in ("FI", "DE"):
        for key in fp.REQUIRED_KEYS:
            assert (country, key) in national, (country, key)
    keys = [(r["country"], r["city"], r["key"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_city_district_heat_factors() -> None:
    f = fp.default_factors()
    espoo = f.factor("FI", "district_heat", "espoo")
    leipzig = f.factor("DE", "district_heat", "leipzig")
    assert (espoo.value, espoo.year, espoo.city) == (0.1078, 2023, "espoo")
    assert "Fortum" in espoo.source
    assert (leipzig.value, leipzig.year, leipzig.city) == (0.189, 2022, "leipzig")
    assert "LSW" in leipzig.source
    assert f.factor("FI", "district_heat", "helsinki").city == ""  # national fallback


@pytest.mark.parametrize("country", ["FI", "DE"])
def test_factor_orderings_behind_the_properties(country: str) -> None:
    f = fp.default_factors()
    v = f.value
    assert v(country, "electricity_green") <= v(country, "electricity_grid")
    diets = [v(country, f"diet_{d}") for d in fp.DIETS]
    assert diets == sorted(diets)
    for prefix in ("food_waste", "goods_services"):
        levels = [v(country, f"{prefix}_{lvl}") for lvl in fp.LEVELS]
        assert levels == sorted(levels)
    assert v(country, "heat_pump_cop") > 1
    assert v(country, "flight_short") < v(country, "flight_long")


def test_unknown_factor_raises_key_error() -> None:
    with pytest.raises(KeyError, match="district_heat"):
        fp.default_factors().factor("SE", "district_heat")


def test_default_factors_loaded_once() -> None:
    assert fp.default_factors() is fp.default_factors()
    assert fp.default_factors().version.startswith(fp.FACTOR_SET_VERSION + "+")


def write_variant(tmp_path: Path, edit: Any) -> Path:
    lines = FACTORS_CSV.read_text(encoding="utf-8").splitlines()
    lines = edit(lines)
    path = tmp_path / "factors.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def replace_cell(line: str, column: str, value: str) -> str:
    row = next(csv.reader([line]))
    row[fp.FACTOR_HEADER.index(column)] = value
    return ",".join(f'"{c}"' if "," in c else c for c in row)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("source", "", "source is missing"),
        ("year", "", "year is missing"),
        ("year", "recent", "is not a year"),
        ("value", "about 3", "is not a number"),
        ("value", "-1", "must be finite"),
        ("value", "nan", "must be finite"),
        ("key", "disrict_heat", "unknown key"),
        ("unit", "", "unit is missing"),
        ("country", "Finland", "2-letter"),
    ],
)
def test_load_factors_names_file_and_line(
    tmp_path: Path, column: str, value: str, problem: str
) -> None:
    path = write_variant(
        tmp_path, lambda ls: [*ls[:4], replace_cell(ls[4], column, value), *ls[5:]]
    )
    with pytest.raises(fp.FactorFileError) as info:
        fp.load_factors(path)
    message = str(info.value)
    assert str(path) in message and "line 5" in message and problem in message
    assert info.value.line == 5


def test_load_factors_rejects_duplicates(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda ls: [*ls, ls[1]])
    with pytest.raises(fp.FactorFileError, match=r"duplicate of line 2"):
        fp.load_factors(path)


def test_load_factors_rejects_missing_country_key(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path, lambda ls: [ln for ln in ls if not ln.startswith("DE,,heat_gas,")]
    )
    with pytest.raises(fp.FactorFileError, match=r"missing national factors for DE: heat_gas"):
        fp.load_factors(path)


def test_load_factors_rejects_bad_header_and_columns(tmp_path: Path) -> None:
    bad_header = write_variant(tmp_path, lambda ls: ["country,key,value", *ls[1:]])
    with pytest.raises(fp.FactorFileError, match="line 1: the header"):
        fp.load_factors(bad_header)
    short_row = write_variant(tmp_path, lambda ls: [*ls[:2], "FI,,heat_gas", *ls[2:]])
    with pytest.raises(fp.FactorFileError, match="line 3: expected 7 columns"):
        fp.load_factors(short_row)


def test_load_factors_missing_file(tmp_path: Path) -> None:
    with pytest.raises(fp.FactorFileError, match="cannot read"):
        fp.load_factors(tmp_path / "nope.csv")


def test_load_factors_version_follows_the_bytes(tmp_path: Path) -> None:
    same = write_variant(tmp_path, lambda ls: ls)
    assert fp.load_factors(same).sha256_12 == fp.default_factors().sha256_12
    changed = write_variant(tmp_path, lambda ls: [*ls, ""])  # one more blank line
    assert fp.load_factors(changed).sha256_12 != fp.default_factors().sha256_12
