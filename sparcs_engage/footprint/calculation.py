"""The calculation: a footprint per person and year in four categories, and the answers of an
average resident.

Conventions (the page explains them to the resident in their language):

* Results are kg CO2e **per person and year**, in four categories: ``housing``, ``mobility``,
  ``food`` and ``goods_services``.
* Housing is computed for the whole household and divided by ``household_size``.
* ``heat_kwh`` is the **heat** the home uses per year (space heating and hot water), in kWh. For
  district heat it is the metered kWh on the bill. The oil, gas and wood factors are per kWh of
  heat (boiler efficiency included); a heat pump needs ``heat_kwh / COP`` kWh of electricity and
  direct electric heating ``heat_kwh / 1.0``. Left empty, it defaults to floor area times a
  per-m² value for the home type.
* ``electricity_kwh`` is the household's electricity **without** heating and car charging, per
  year. Left empty, it defaults to a fixed part plus a part per person, by home type.
* Green electricity covers all electricity the household buys: appliances, heat pump, direct
  electric heating and charging an electric car at home.
* ``car_km_per_year`` is the kilometres the resident travels by car (their own share of shared
  trips); the factor is per vehicle-km, so it is not divided by household size.
* Public transport is asked in **km per week** (not hours), since the factors are per
  passenger-km; the year has 52 weeks here.
* Flights are **return** flights per year (there and back counts once); fractions such as 0.5
  (one trip every other year) are allowed.
* Public-sector emissions: the German average of the Umweltbundesamt calculator includes a fixed
  0.8 t per person for public services; the Finnish Sitra average leaves public consumption out.
  The ``public_services`` factor follows each country's reference (DE 800, FI 0) and is counted
  in ``goods_services``, so a resident is compared with a national average of the same scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sparcs_engage.footprint.answers import CATEGORIES, WEEKS_PER_YEAR, Answers
from sparcs_engage.footprint.factors import FactorSet, default_factors

# Finer items behind the four categories, for charts and explanations.
ITEM_CATEGORY: dict[str, str] = {
    "heating": "housing",
    "electricity": "housing",
    "car": "mobility",
    "public_transport": "mobility",
    "flights": "mobility",
    "food": "food",
    "goods_services": "goods_services",
    "public_services": "goods_services",
}


@dataclass(frozen=True)
class FootprintResult:
    """kg CO2e per person and year; ``by_category`` sums to ``total_kg``."""

    total_kg: float
    by_category: dict[str, float]
    factor_version: str
    by_item: dict[str, float] = field(default_factory=dict)


def default_electricity_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """Household electricity per year (without heating and car) when the resident left it out."""
    f = factors or default_factors()
    c, t = answers.country, answers.home_type
    base = f.value(c, f"electricity_base_kwh_{t}")
    per_person = f.value(c, f"electricity_per_person_kwh_{t}")
    return base + per_person * answers.household_size


def default_heat_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """The home's heat use per year when the resident left it out: floor area × kWh/m²."""
    f = factors or default_factors()
    return answers.floor_area_m2 * f.value(answers.country, f"heat_kwh_per_m2_{answers.home_type}")


def _electricity_factor(answers: Answers, f: FactorSet) -> float:
    key = "electricity_green" if answers.green_electricity else "electricity_grid"
    return f.value(answers.country, key)


def _items(answers: Answers, f: FactorSet) -> dict[str, float]:
    c = answers.country
    people = answers.household_size
    elec = _electricity_factor(answers, f)

    heat = answers.heat_kwh if answers.heat_kwh is not None else default_heat_kwh(answers, f)
    if answers.heating == "district_heat":
        heating_kg = heat * f.value(c, "district_heat", answers.city)
    elif answers.heating == "heat_pump":
        heating_kg = heat / f.value(c, "heat_pump_cop") * elec
    elif answers.heating == "direct_electric":
        heating_kg = heat / f.value(c, "direct_electric_efficiency") * elec
    else:
        heating_kg = heat * f.value(c, f"heat_{answers.heating}")

    household_kwh = (
        answers.electricity_kwh
        if answers.electricity_kwh is not None
        else default_electricity_kwh(answers, f)
    )
    electricity_kg = household_kwh * elec

    km = answers.car_km_per_year
    if answers.car_fuel == "none":
        car_kg = 0.0
    elif answers.car_fuel == "electric":
        car_kg = km * f.value(c, "car_electric_kwh_per_km") * elec
    else:
        car_kg = km * f.value(c, f"car_{answers.car_fuel}")

    transit_km = answers.public_transport_km_per_week * WEEKS_PER_YEAR
    flights_kg = answers.flights_short_per_year * f.value(c, "flight_short")
    flights_kg += answers.flights_long_per_year * f.value(c, "flight_long")
    food_kg = f.value(c, f"diet_{answers.diet}") * f.value(c, f"food_waste_{answers.food_waste}")

    return {
        "heating": heating_kg / people,
        "electricity": electricity_kg / people,
        "car": car_kg,
        "public_transport": transit_km * f.value(c, "public_transport"),
        "flights": flights_kg,
        "food": food_kg,
        "goods_services": f.value(c, f"goods_services_{answers.spending}"),
        "public_services": f.value(c, "public_services"),
    }


def calculate(answers: Answers, factors: FactorSet | None = None) -> FootprintResult:
    """The footprint of one resident, kg CO2e per person and year (unrounded; the page rounds)."""
    f = factors or default_factors()
    items = _items(answers, f)
    by_category = dict.fromkeys(CATEGORIES, 0.0)
    for item, kg in items.items():
        by_category[ITEM_CATEGORY[item]] += kg
    return FootprintResult(
        total_kg=sum(by_category.values()),
        by_category=by_category,
        factor_version=f.version,
        by_item=items,
    )


# Typical answers of an average resident; with the factor file they reproduce the national
# averages (NATIONAL_AVERAGE_KG in comparison.py; tests/unit/test_footprint.py checks within
# 15 %). Household size about 2 in both countries (Statistics Finland, Destatis); floor area
# about 40 m² (FI) and 46 m² (DE) per person; most common heating (district heat in FI, gas in
# DE); car, public-transport and flight figures are SPARCS Engage demo estimates of per-person
# averages.
_AVERAGE_PROFILES: dict[str, dict[str, Any]] = {
    "FI": {
        "country": "FI",
        "city": None,
        "home_type": "apartment",
        "floor_area_m2": 80,
        "household_size": 2,
        "heating": "district_heat",
        "green_electricity": False,
        "car_km_per_year": 7000,
        "car_fuel": "petrol",
        "public_transport_km_per_week": 40,
        "flights_short_per_year": 1,
        "flights_long_per_year": 0.3,
        "diet": "average",
        "food_waste": "average",
        "spending": "average",
    },
    "DE": {
        "country": "DE",
        "city": None,
        "home_type": "apartment",
        "floor_area_m2": 92,
        "household_size": 2,
        "heating": "gas",
        "green_electricity": False,
        "car_km_per_year": 7000,
        "car_fuel": "petrol",
        "public_transport_km_per_week": 30,
        "flights_short_per_year": 1,
        "flights_long_per_year": 0.2,
        "diet": "average",
        "food_waste": "average",
        "spending": "average",
    },
}


def average_profile(country: str) -> Answers:
    """The answers of an average resident of ``country`` ("FI" or "DE")."""
    try:
        return Answers.model_validate(_AVERAGE_PROFILES[country])
    except KeyError:
        raise ValueError(f"no average profile for country {country!r}") from None
