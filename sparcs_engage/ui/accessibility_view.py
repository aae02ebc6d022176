"""The accessibility statement (/accessibility), in the form of the EU model statement
(Implementing Decision (EU) 2018/1523): compliance status, known gaps, how it was checked, the
city's feedback contact and the enforcement procedure."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import streamlit as st

from sparcs_engage.ui.context import Visitor


@cache
def evidence(path: Path) -> dict:
    """data/accessibility.toml: the date of the last check and the standard checked against."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def render(visitor: Visitor) -> None:
    """Draw /accessibility for this visitor and city."""
    t = visitor.t
    st.title(t("Accessibility statement"))
    city = visitor.city
    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    facts = evidence(visitor.settings.data_dir / "accessibility.toml")
    lang = visitor.lang
    st.markdown(
        t.content("accessibility").format(
            controller=city.privacy.controller[lang],
            law=city.accessibility.law[lang],
            standard=facts["standard"],
            last_check=t.date(facts["last_check"], "long"),
            feedback_email=city.accessibility.feedback_email,
            enforcement=city.accessibility.enforcement[lang],
        )
    )
