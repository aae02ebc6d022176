"""SPARCS Engage: the entry point that `streamlit run app.py` starts.

It sets up the page, builds the visitor's context (language, city, sign-in) and the navigation
for their role, draws the header, then runs the chosen page from views/.
"""

from pathlib import Path

import streamlit as st

from sparcs_engage.i18n import translator
from sparcs_engage.navigation import VIEW_PARAM, allowed, bare, routable_pages, visible_pages
from sparcs_engage.settings import load_settings
from sparcs_engage.ui.context import build_visitor, session_notices
from sparcs_engage.ui.database import lost_tap_note, page_guard
from sparcs_engage.ui.header import BRAND, document_chrome, draw_header
from sparcs_engage.ui.layout import footer, sign_in_required

HERE = Path(__file__).resolve().parent


def run() -> None:
    st.set_page_config(
        page_title=BRAND,
        # A file of our own: a Material icon name here makes browsers fetch it from Google.
        page_icon=str(HERE / "sparcs_engage" / "ui" / "assets" / "favicon.png"),
        layout="centered",
        initial_sidebar_state="collapsed",
    )
    # The one place where a lost database connection is turned into a note and a retry, for
    # every page (fragments and callbacks use the same helpers of ui/database.py).
    visitor = None
    with page_guard(translator(load_settings().default_language)):
        visitor = build_visitor()
    if visitor is None:
        return
    with page_guard(visitor.t):
        _page(visitor)


def _page(visitor) -> None:
    t = visitor.t
    routable = routable_pages()
    titles = {spec.key: page_title(t, spec, visitor) for spec in routable}
    pages = {
        spec.key: st.Page(
            HERE / spec.script,
            title=titles[spec.key],
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=spec.key == "home",
        )
        for spec in routable
    }
    # Streamlit's own menu is hidden: its links drop ?lang= and ?city=, ours keep them.
    current = st.navigation(list(pages.values()), position="hidden")
    spec = next(s for s in routable if pages[s.key].url_path == current.url_path)
    document_chrome(visitor, titles[spec.key])
    # A full-screen view (the projector's) has no header or footer to draw.
    alone = bare(spec, st.query_params.get(VIEW_PARAM), visitor.role)
    if not alone:
        draw_header(
            visitor,
            [(s, pages[s.key], titles[s.key]) for s in visible_pages(visitor.role)],
            spec.key,
        )
    session_notices(visitor)
    lost_tap_note(t)
    if allowed(spec, visitor.role):
        current.run()
    else:
        # A role page opened without that role: its script never runs, so nothing of it shows.
        sign_in_required(visitor, t(spec.title))
    if not alone:
        footer(visitor)


def page_title(t, spec, visitor) -> str:
    if spec.key == "login" and visitor.identity:
        return t("Account")
    return t(spec.title)


run()
