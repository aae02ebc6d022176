"""The app shell: warm rerun of the home page under AppTest against an empty script."""

from __future__ import annotations

import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.run import Case

ROOT = Path(__file__).resolve().parent.parent
EMPTY = Path(tempfile.mkdtemp()) / "empty.py"


def _rerun(script: Path, **query: str):
    def make():
        at = AppTest.from_file(str(script), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at.run

    return make


def cases() -> list[Case]:
    EMPTY.write_text("import streamlit as st\n", encoding="utf-8")
    return [
        Case("apptest: empty script (baseline)", _rerun(EMPTY)),
        Case(
            "apptest: home page warm rerun (fi)",
            _rerun(ROOT / "app.py", lang="fi"),
            baseline="apptest: empty script (baseline)",
        ),
    ]
