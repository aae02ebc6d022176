"""The calculation: a footprint per person and year, in the four categories of a lifestyle and
the fixed part everyone shares.

Conventions (the methodology page, /method, explains them to the resident in their language):

* Results are kg CO2e **per person and year**, in five categories: ``housing``, ``mobility``,
  ``food`` and ``goods_services`` (the lifestyle footprint, which the national averages and the
  1.5-degree targets cover) and ``public_services`` (public services and infrastructure: the
  same for everyone in a country, changed by no personal choice).
* Housing is computed for the whole household and divided by ``household_size``: heat,
  household electricity, the building's construction (per m² and year over a 50-year life) and,
  where the factor file has its factors, a summer cottage.
* ``heat_kwh`` is the **heat** the home uses per year (space heating and hot water), in kWh. For
  district heat it is the metered kWh on the bill. The oil, gas and wood factors are per kWh of
  heat (boiler efficiency included); a heat pump needs ``heat_kwh / COP`` kWh of electricity and
  direct electric heating ``heat_kwh / 1.0``. Left empty, it is the floor area times a per-m²
  value: by the building's age when known, else by the home type.
* ``electricity_kwh`` is the household's electricity **without** heating and car charging, per
  year. Left empty, it is a fixed part plus a part per person, by home type.
* Green electricity covers all electricity the household buys: appliances, heat pump, direct
  electric heating, the cottage and charging an electric car at home.
* ``car_km_per_year`` is the kilometres the resident travels by car; the car's emissions per
  vehicle-km (fuel, size) are shared by the people in it (``car_occupancy``). Building the car
  is not in the car factor: like the Umweltbundesamt, we count buying things, cars included,
  under goods and services.
* Local public transport is asked in **km per week**, long-distance train and coach in km per
  year (the year has 52 weeks here).
* Flights are **return** flights per year in three distance bands (there and back counts once);
  fractions such as 0.5 (one trip every other year) are allowed.
* Dairy and cheese move the diet's footprint by the difference from the national average, but
  never below the vegan diet's footprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sparcs_engage.footprint.answers import (
    CATEGORIES,
    LIFESTYLE_CATEGORIES,
    WEEKS_PER_YEAR,
    Answers,
)
from sparcs_engage.footprint.factors import FactorSet, default_factors

# Finer items behind the categories, for charts and explanations.
ITEM_CATEGORY: dict[str, str] = {
    "heating": "housing",
    "electricity": "housing",
    "construction": "housing",
    "cottage": "housing",
    "car": "mobility",
    "public_transport": "mobility",
    "long_distance": "mobility",
    "flights": "mobility",
    "food": "food",
    "goods_services": "goods_services",
    "public_services": "public_services",
}


@dataclass(frozen=True)
class FootprintResult:
    """kg CO2e per person and year; ``by_category`` and ``by_item`` each sum to ``total_kg``."""

    total_kg: float
    by_category: dict[str, float]
    factor_version: str
    by_item: dict[str, float] = field(default_factory=dict)

    @property
    def lifestyle_kg(self) -> float:
        """The lifestyle footprint: every category but the fixed public part."""
        return sum(self.by_category[c] for c in LIFESTYLE_CATEGORIES)

    @property
    def public_kg(self) -> float:
        return self.by_category["public_services"]


def default_electricity_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """Household electricity per year (without heating and car) when the resident left it out."""
    f = factors or default_factors()
    c, t = answers.country, answers.home_type
    base = f.value(c, f"electricity_base_kwh_{t}")
    per_person = f.value(c, f"electricity_per_person_kwh_{t}")
    return base + per_person * answers.household_size


def heat_per_m2(answers: Answers, factors: FactorSet | None = None) -> float:
    """The typical heat use per m² and year: by the building's age when known, else by type."""
    f = factors or default_factors()
    if answers.building_age != "unknown":
        return f.value(answers.country, f"heat_kwh_per_m2_age_{answers.building_age}")
    return f.value(answers.country, f"heat_kwh_per_m2_{answers.home_type}")


def default_heat_kwh(answers: Answers, factors: FactorSet | None = None) -> float:
    """The home's heat use per year when the resident left it out: floor area × kWh/m²."""
    return answers.floor_area_m2 * heat_per_m2(answers, factors)


def car_occupancy(answers: Answers, factors: FactorSet | None = None) -> float:
    """The people who usually share the car: the answer, else the country's average."""
    if answers.car_occupancy is not None:
        return answers.car_occupancy
    return (factors or default_factors()).value(answers.country, "car_occupancy_default")


def has_cottage_question(country: str, factors: FactorSet | None = None) -> bool:
    """Whether the calculator asks about a summer cottage in this country."""
    return (factors or default_factors()).has(country, "cottage_floor_area_m2")


def _electricity_factor(answers: Answers, f: FactorSet) -> float:
    key = "electricity_green" if answers.green_electricity else "electricity_grid"
    return f.value(answers.country, key)


def _heating_kg(answers: Answers, f: FactorSet, elec: float) -> float:
    c = answers.country
    heat = answers.heat_kwh if answers.heat_kwh is not None else default_heat_kwh(answers, f)
    if answers.heating == "district_heat":
        return heat * f.value(c, "district_heat", answers.city)
    if answers.heating == "heat_pump":
        return heat / f.value(c, "heat_pump_cop") * elec
    if answers.heating == "direct_electric":
        return heat / f.value(c, "direct_electric_efficiency") * elec
    return heat * f.value(c, f"heat_{answers.heating}")


def _cottage_kg(answers: Answers, f: FactorSet, elec: float) -> float:
    c = answers.country
    if answers.cottage == "none" or not has_cottage_question(c, f):
        return 0.0
    kwh = f.value(c, f"cottage_electricity_kwh_{answers.cottage}")
    built = f.value(c, "cottage_floor_area_m2") * f.value(c, "construction_per_m2_year_house")
    return kwh * elec + built


def _car_kg(answers: Answers, f: FactorSet, elec: float) -> float:
    c = answers.country
    if answers.car_fuel == "none":
        return 0.0
    size = 1.0
    if answers.car_size != "unknown":
        size = f.value(c, f"car_size_multiplier_{answers.car_size}")
    if answers.car_fuel == "electric":
        per_km = f.value(c, "car_electric_kwh_per_km") * elec
    else:
        per_km = f.value(c, f"car_{answers.car_fuel}")
    return answers.car_km_per_year * per_km * size / car_occupancy(answers, f)


def _food_kg(answers: Answers, f: FactorSet) -> float:
    c = answers.country
    diet = f.value(c, f"diet_{answers.diet}")
    if answers.diet != "vegan":  # the vegan diet has no dairy to change
        for item, amount in (("dairy", answers.dairy), ("cheese", answers.cheese)):
            multiplier = f.value(c, f"food_amount_multiplier_{amount}")
            diet += (multiplier - 1) * f.value(c, f"food_{item}_average")
        diet = max(diet, f.value(c, "diet_vegan"))
    return diet * f.value(c, f"food_waste_{answers.food_waste}")


def _items(answers: Answers, f: FactorSet) -> dict[str, float]:
    c = answers.country
    people = answers.household_size
    elec = _electricity_factor(answers, f)
    household_kwh = (
        answers.electricity_kwh
        if answers.electricity_kwh is not None
        else default_electricity_kwh(answers, f)
    )
    building = "apartment" if answers.home_type == "apartment" else "house"
    construction = answers.floor_area_m2 * f.value(c, f"construction_per_m2_year_{building}")
    flights = (
        answers.flights_short_per_year * f.value(c, "flight_short")
        + answers.flights_medium_per_year * f.value(c, "flight_medium")
        + answers.flights_long_per_year * f.value(c, "flight_long")
    )
    long_distance = answers.train_km_per_year * f.value(c, "train_long_distance")
    long_distance += answers.coach_km_per_year * f.value(c, "coach")
    transit_km = answers.public_transport_km_per_week * WEEKS_PER_YEAR
    return {
        "heating": _heating_kg(answers, f, elec) / people,
        "electricity": household_kwh * elec / people,
        "construction": construction / people,
        "cottage": _cottage_kg(answers, f, elec) / people,
        "car": _car_kg(answers, f, elec),
        "public_transport": transit_km * f.value(c, "public_transport"),
        "long_distance": long_distance,
        "flights": flights,
        "food": _food_kg(answers, f),
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
