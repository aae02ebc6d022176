"""SPARCS Engage: the entry point that `streamlit run app.py` starts.

It sets up the page, builds the visitor's context (language, city, sign-in) and the navigation
for their role, then runs the chosen page from pages/.
"""

from pathlib import Path

import streamlit as st

from sparcs_engage.navigation import visible_pages
from sparcs_engage.ui.context import build_visitor

HERE = Path(__file__).resolve().parent


def run() -> None:
    st.set_page_config(
        page_title="SPARCS Engage",
        page_icon=":material/energy_savings_leaf:",
        layout="centered",
        initial_sidebar_state="collapsed",
    )
    visitor = build_visitor()
    t = visitor.t
    pages = []
    for spec in visible_pages(visitor.role):
        title = t(spec.title)
        if spec.key == "login" and visitor.identity:
            title = t("Account")
        pages.append(
            st.Page(
                HERE / spec.script,
                title=title,
                icon=spec.icon,
                url_path=spec.url_path or None,
                default=spec.key == "home",
            )
        )
    st.navigation(pages, position="top").run()


run()
