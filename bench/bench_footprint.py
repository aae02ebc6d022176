"""The carbon footprint: one calculation and the action list against validating the same
answers, and the warm rerun of the /footprint result step under AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.run import Case
from bench.support import app_environment
from sparcs_engage.footprint import actions, average_profile, calculate, validate_answers

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


def _result_rerun():
    with app_environment(ROOT / "data"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = "de"
        at.query_params["city"] = "leipzig"
        at.run()
        at.switch_page(PAGE).run()
        for _ in range(3):
            at.button(key="fp_next").click().run()
            if at.exception:
                raise RuntimeError([e.value for e in at.exception])
    if not at.metric or not any(box.key.startswith("fp_pledge_") for box in at.checkbox):
        raise RuntimeError("the result step was not reached")

    def rerun():
        with app_environment(ROOT / "data"):
            at.run()

    return rerun


def cases() -> list[Case]:
    return [
        Case(VALIDATE, _validate, repeat=2000, warmup=50),
        Case(CALCULATE, _calculate, baseline=VALIDATE, repeat=2000, warmup=50),
        Case("footprint: actions", _actions, baseline=CALCULATE, repeat=2000),
        Case(
            "apptest: /footprint result warm rerun (de)",
            _result_rerun,
            baseline=BASELINE,
        ),
    ]
