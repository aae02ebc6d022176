"""Demo data for the footprint: plausible saved results with pledges, marked as demo."""

from __future__ import annotations

import random
from typing import Any

from sqlmodel import Session, select

from sparcs_engage.footprint.actions import actions
from sparcs_engage.footprint.answers import (
    AMOUNTS,
    BUILDING_AGES,
    CAR_FUELS,
    CAR_SIZES,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    validate_answers,
)
from sparcs_engage.footprint.averages import average_profile
from sparcs_engage.footprint.records import save_footprint
from sparcs_engage.models import FootprintRecord


def demo_footprints(session: Session, options: Any) -> str:
    """A few hundred plausible footprint results with pledges, spread over both cities."""
    if session.exec(select(FootprintRecord).where(FootprintRecord.is_demo).limit(1)).first():
        return "demo footprints: already there"
    rng = random.Random(options.seed)
    made = 0
    for city_id, country in (("espoo", "FI"), ("leipzig", "DE")):
        base = average_profile(country).model_dump()
        for _ in range(options.footprints_per_city):
            raw = dict(base, city=city_id)
            raw["home_type"] = rng.choices(HOME_TYPES, weights=(6, 2, 2))[0]
            raw["floor_area_m2"] = round(rng.uniform(35, 160))
            raw["household_size"] = rng.choice((1, 1, 2, 2, 2, 3, 4, 5))
            raw["building_age"] = rng.choice(BUILDING_AGES)
            raw["heating"] = rng.choices(HEATINGS, weights=(6, 2, 1, 3, 1, 1))[0]
            raw["green_electricity"] = rng.random() < 0.35
            raw["car_fuel"] = rng.choices(CAR_FUELS, weights=(4, 2, 1, 1, 3))[0]
            raw["car_km_per_year"] = (
                0 if raw["car_fuel"] == "none" else round(rng.uniform(2000, 20000), -2)
            )
            raw["car_size"] = rng.choice(CAR_SIZES)
            raw["public_transport_km_per_week"] = round(rng.uniform(0, 150))
            raw["train_km_per_year"] = rng.choice((0, 0, 500, 1000, 3000))
            raw["flights_short_per_year"] = rng.choice((0, 0, 0.5, 1, 1, 2, 4))
            raw["flights_medium_per_year"] = rng.choice((0, 0, 0, 0.5, 1))
            raw["flights_long_per_year"] = rng.choice((0, 0, 0, 0.5, 1))
            raw["diet"] = rng.choices(DIETS, weights=(1, 2, 3, 5, 2))[0]
            raw["cheese"] = rng.choices(AMOUNTS, weights=(1, 2, 5, 2))[0]
            raw["food_waste"] = rng.choice(LEVELS)
            raw["spending"] = rng.choices(LEVELS, weights=(2, 5, 2))[0]
            answers = validate_answers(raw)
            options_ = [action.id for action in actions(answers)[:5]]
            pledged = rng.sample(options_, k=min(len(options_), rng.choice((0, 1, 2, 2, 3))))
            save_footprint(
                session=session,
                city=city_id,
                answers=answers,
                pledged=pledged,
                consent=True,
                is_demo=True,
            )
            made += 1
    return f"demo footprints: {made} results"
