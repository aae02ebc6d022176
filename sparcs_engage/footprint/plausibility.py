"""Plausibility hints: answers that are possible but unusual (12 kWh of heat a year for an
80 m² flat), for the resident to check. Hints are warnings the resident can override, never
refusals: a real home can be unusual."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sparcs_engage.footprint.answers import Answers
from sparcs_engage.i18n import N_

# Usual ranges (inclusive); outside them the page asks "is this right?".
HEAT_PER_M2 = (15, 350)  # kWh of heat per m² and year; under 15 is likely MWh typed as kWh
ELECTRICITY_PER_PERSON = (300, 5000)  # kWh per person and year, without heating
AREA_PER_PERSON = (10, 150)  # m² per person
USUAL_MAX: dict[str, float] = {
    "household_size": 8,
    "car_km_per_year": 50_000,
    "car_occupancy": 5,
    "public_transport_km_per_week": 700,
    "train_km_per_year": 50_000,
    "coach_km_per_year": 30_000,
    "flights_short_per_year": 20,
    "flights_medium_per_year": 10,
    "flights_long_per_year": 6,
}

MSG_HEAT_LOW = N_(
    "{kwh}\u00a0kWh of heat a year is very little for {area}\u00a0m² "
    "({per_m2}\u00a0kWh per m²). Homes usually use {low} to {high}\u00a0kWh per m². "
    "Did you mean MWh? Then enter {as_kwh}\u00a0kWh."
)
MSG_HEAT_HIGH = N_(
    "{kwh}\u00a0kWh of heat a year is a lot for {area}\u00a0m² ({per_m2}\u00a0kWh per m²). "
    "Homes usually use {low} to {high}\u00a0kWh per m². Is it the heat of your home only, "
    "not the whole building?"
)
MSG_ELECTRICITY_LOW = N_(
    "{kwh}\u00a0kWh of electricity a year is very little for {people} people. Households usually "
    "use at least {low}\u00a0kWh per person."
)
MSG_ELECTRICITY_HIGH = N_(
    "{kwh}\u00a0kWh of electricity a year is a lot for {people} people. If your home is heated "
    "with electricity, leave the heating out here: it is counted with the heating."
)
MSG_AREA_LOW = N_("{area}\u00a0m² for {people} people is very little: is it the whole home?")
MSG_AREA_HIGH = N_("{area}\u00a0m² for {people} people is a lot: is it your home only?")
MSG_USUAL_MAX = N_("This is much more than usual (more than {max}). Is it right?")


@dataclass(frozen=True)
class Hint:
    """An unusual answer: the field it is about, an English msgid and its values (numbers are
    formatted by the page)."""

    field: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


def hints(answers: Answers) -> list[Hint]:
    """The unusual answers among these, for the resident to check (none for usual answers)."""
    a = answers
    found: list[Hint] = []
    people = a.household_size
    if a.heat_kwh is not None and a.heat_kwh > 0:
        per_m2 = a.heat_kwh / a.floor_area_m2
        base = {"kwh": a.heat_kwh, "area": a.floor_area_m2, "per_m2": per_m2}
        low, high = HEAT_PER_M2
        if per_m2 < low:
            as_kwh = a.heat_kwh * 1000
            found.append(
                Hint("heat_kwh", MSG_HEAT_LOW, {**base, "low": low, "high": high, "as_kwh": as_kwh})
            )
        elif per_m2 > high:
            found.append(Hint("heat_kwh", MSG_HEAT_HIGH, {**base, "low": low, "high": high}))
    if a.electricity_kwh is not None and a.electricity_kwh > 0:
        per_person = a.electricity_kwh / people
        base = {"kwh": a.electricity_kwh, "people": people}
        if per_person < ELECTRICITY_PER_PERSON[0]:
            found.append(
                Hint(
                    "electricity_kwh",
                    MSG_ELECTRICITY_LOW,
                    {**base, "low": ELECTRICITY_PER_PERSON[0]},
                )
            )
        elif per_person > ELECTRICITY_PER_PERSON[1]:
            found.append(Hint("electricity_kwh", MSG_ELECTRICITY_HIGH, base))
    per_person_area = a.floor_area_m2 / people
    if per_person_area < AREA_PER_PERSON[0]:
        found.append(
            Hint("floor_area_m2", MSG_AREA_LOW, {"area": a.floor_area_m2, "people": people})
        )
    elif per_person_area > AREA_PER_PERSON[1]:
        found.append(
            Hint("floor_area_m2", MSG_AREA_HIGH, {"area": a.floor_area_m2, "people": people})
        )
    for name, usual in USUAL_MAX.items():
        value = getattr(a, name)
        if name == "car_km_per_year" and a.car_fuel == "none":
            continue
        if value is not None and value > usual:
            found.append(Hint(name, MSG_USUAL_MAX, {"max": usual}))
    return found
