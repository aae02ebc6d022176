"""Demo data, so that a fresh `make run` shows a living app. Everything it writes is marked as
demo data. Each capability adds its own step to DEMO_STEPS; every step is idempotent."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sparcs_engage.auth import create_account
from sparcs_engage.db import session_scope
from sparcs_engage.footprint import (
    CAR_FUELS,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    actions,
    average_profile,
    validate_answers,
)
from sparcs_engage.footprint_records import save_footprint
from sparcs_engage.models import Account, FootprintRecord
from sparcs_engage.models.surveys import SurveyResponse
from sparcs_engage.surveys import demo_responses
from sparcs_engage.workshops import demo_workshops

# Shown in the README: demo accounts exist only where demo data was loaded.
DEMO_PASSWORD = "sparcs-demo-password"
DEMO_ACCOUNTS = {"demo.staff": "staff", "demo.facilitator": "facilitator"}


@dataclass(frozen=True)
class DemoOptions:
    respondents: int = 300
    footprints_per_city: int = 150
    seed: int = 2050


def demo_accounts(session: Session, options: DemoOptions) -> str:
    """One staff and one facilitator account with a documented password."""
    made = []
    for username, role in DEMO_ACCOUNTS.items():
        if session.exec(select(Account).where(Account.username == username)).first():
            continue
        create_account(session=session, username=username, password=DEMO_PASSWORD, role=role)
        made.append(username)
    return f"demo accounts: {', '.join(made) if made else 'already there'}"


def demo_footprints(session: Session, options: DemoOptions) -> str:
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
            raw["heating"] = rng.choices(HEATINGS, weights=(6, 2, 1, 3, 1, 1))[0]
            raw["green_electricity"] = rng.random() < 0.35
            raw["car_fuel"] = rng.choices(CAR_FUELS, weights=(4, 2, 1, 1, 3))[0]
            raw["car_km_per_year"] = (
                0 if raw["car_fuel"] == "none" else round(rng.uniform(2000, 20000), -2)
            )
            raw["public_transport_km_per_week"] = round(rng.uniform(0, 150))
            raw["flights_short_per_year"] = rng.choice((0, 0, 0.5, 1, 1, 2, 4))
            raw["flights_long_per_year"] = rng.choice((0, 0, 0, 0.5, 1))
            raw["diet"] = rng.choices(DIETS, weights=(1, 2, 3, 5, 2))[0]
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


def demo_survey(session: Session, options: DemoOptions) -> str:
    """Plausible submitted City Vision 2050 responses per city (--respondents N in all)."""
    existing = session.exec(
        select(SurveyResponse.id).where(SurveyResponse.is_demo).limit(1)
    ).first()
    if existing is not None:
        return "demo survey responses: already there"
    per_city = options.respondents // 2
    made = 0
    for offset, city_id in enumerate(("espoo", "leipzig")):
        count = per_city + (options.respondents % 2 if offset == 0 else 0)
        made += demo_responses(session=session, city=city_id, n=count, seed=options.seed + offset)
    return f"demo survey responses: {made}"


DEMO_STEPS: list[Callable[[Session, DemoOptions], str]] = [
    demo_accounts,
    demo_footprints,
    demo_survey,
    demo_workshops,
]


def database_is_empty(engine: Engine) -> bool:
    """True when no capability has stored anything yet (no accounts, no answers)."""
    with Session(engine) as session:
        return session.exec(select(Account).limit(1)).first() is None


def load_demo_data(engine: Engine, options: DemoOptions | None = None) -> list[str]:
    """Run every demo step in its own transaction; return what each one did."""
    options = options or DemoOptions()
    report = []
    for step in DEMO_STEPS:
        with session_scope(engine) as session:
            report.append(step(session, options))
    return report
