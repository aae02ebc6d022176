"""The privacy notice (/privacy): what is stored, why, for how long, and the visitor's rights."""

from __future__ import annotations

import streamlit as st

from sparcs_engage.ui.context import Visitor


def render(visitor: Visitor) -> None:
    """Draw /privacy for this visitor."""
    t = visitor.t
    st.title(t("Privacy notice"))
    st.markdown(t.content("privacy"))
