"""The carbon footprint: one calculation, the action list and the city's part (its plans and
every action together) against validating the same answers, and the warm reruns of the
/footprint result step (fi and de) and of /method under AppTest. The issue's bar: a warm rerun
of the result page under 50 ms median."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.run import Case
from bench.support import app_environment
from sparcs_engage.cities import load_cities
from sparcs_engage.footprint import (
    actions,
    average_profile,
    calculate,
    city_plans,
    outlook,
    planned_factors,
    validate_answers,
    with_every_action,
)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "views/public/footprint.py"
BASELINE = "apptest: empty script (baseline)"  # measured in bench_shell
VALIDATE = "footprint: validate_answers"
CALCULATE = "footprint: calculate"


def _raw_answers() -> dict:
    """The German average resident's answers as the form sends them."""
    return {**average_profile("DE").model_dump(), "city": "leipzig"}


def _validate():
    raw = _raw_answers()
    validate_answers(raw)  # fails here, not in the timing, if the profile is not valid
    return lambda: validate_answers(raw)


def _calculate():
    answers = validate_answers(_raw_answers())
    calculate(answers)  # loads and caches the emission factors outside the timing
    return lambda: calculate(answers)


def _actions():
    answers = validate_answers(_raw_answers())
    if not actions(answers):
        raise RuntimeError("the German average resident should have actions to take")
    return lambda: actions(answers)


def _city_part():
    """What the result adds to the calculation: the city's plans and every action together."""
    espoo = load_cities(ROOT / "data")["espoo"]
    answers = validate_answers({**average_profile("FI").model_dump(), "city": "espoo"})
    plans = city_plans(str(espoo.folder), espoo.id, espoo.country)
    if plans is None:
        raise RuntimeError("Espoo should have plans")

    def run():
        outlook(answers, plans)
        with_every_action(answers, planned_factors(answers, plans))
        with_every_action(answers)

    return run


def _warm(lang: str, city: str, page: str, steps: int):
    def make():
        with app_environment(ROOT / "data"):
            at = AppTest.from_file(APP, default_timeout=60)
            at.query_params["lang"] = lang
            at.query_params["city"] = city
            at.run()
            at.switch_page(page).run()
            for _ in range(steps):
                at.button(key="fp_next").click().run()
                if at.exception:
                    raise RuntimeError([e.value for e in at.exception])
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
        if steps and not any(box.key.startswith("fp_pledge_") for box in at.checkbox):
            raise RuntimeError("the result step was not reached")

        def rerun():
            with app_environment(ROOT / "data"):
                at.run()

        return rerun

    return make


def cases() -> list[Case]:
    return [
        Case(VALIDATE, _validate, repeat=2000, warmup=50),
        Case(CALCULATE, _calculate, baseline=VALIDATE, repeat=2000, warmup=50),
        Case("footprint: actions", _actions, baseline=CALCULATE, repeat=2000),
        Case("footprint: the city's part (plans, every action)", _city_part, baseline=CALCULATE),
        Case(
            "apptest: /footprint result warm rerun (de)",
            _warm("de", "leipzig", PAGE, 3),
            baseline=BASELINE,
        ),
        Case(
            "apptest: /footprint result warm rerun (fi)",
            _warm("fi", "espoo", PAGE, 3),
            baseline=BASELINE,
        ),
        Case(
            "apptest: /method warm rerun (fi)",
            _warm("fi", "espoo", "views/public/method.py", 0),
            baseline=BASELINE,
        ),
    ]
