"""Small drawing helpers shared by the pages."""

from __future__ import annotations

import streamlit as st

from sparcs_engage.i18n import Translator


def source_note(t: Translator, source: str, year: int | str) -> None:
    """The source and year under a figure, as every figure a resident sees must carry."""
    st.caption(t("Source: {source}, {year}", source=source, year=year))


def plain_text(text: str) -> None:
    """Show user-supplied or data text as text, never as markdown or HTML."""
    st.text(text)


def page_link(visitor, page, label: str, icon: str | None = None) -> None:
    """A link to another page of ours that keeps the visitor's language and city in the URL."""
    from sparcs_engage.ui.context import link_params

    st.page_link(page, label=label, icon=icon, query_params=link_params(visitor))
