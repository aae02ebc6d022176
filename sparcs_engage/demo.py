"""Demo data, so that a fresh `make run` shows a living app. Everything it writes is marked as
demo data. Each area writes its own demo data next to its code (``footprint/demo.py``,
``surveys/demo.py``, ``workshops/demo.py``) and adds its step to DEMO_STEPS; every step is
idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sparcs_engage.auth import create_account
from sparcs_engage.db import session_scope
from sparcs_engage.footprint import demo_footprints
from sparcs_engage.models import Account
from sparcs_engage.surveys import demo_survey
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
