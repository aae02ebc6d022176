"""Small drawing helpers shared by the pages."""

from __future__ import annotations

import re

import streamlit as st

from sparcs_engage.i18n import Translator


def source_note(t: Translator, source: str, year: int | str) -> None:
    """The source and year under a figure, as every figure a resident sees must carry."""
    st.caption(t("Source: {source}, {year}", source=source, year=year))


def tonnes(t: Translator, kg: float) -> str:
    """Kilograms as tonnes of CO₂e with one decimal, in the visitor's language."""
    return t("{amount}\u00a0t CO₂e", amount=t.number(kg / 1000, digits=1))


def error_text(t: Translator, error) -> str:
    """The visitor's-language text of a core error that carries a msgid and its values
    (WorkshopError, KpiFilterError, ExportError)."""
    return t(error.message, **error.params)


def plain_text(text: str) -> None:
    """Show user-supplied or data text as text, never as markdown or HTML."""
    st.text(text)


def page_link(visitor, page, label: str, icon: str | None = None) -> None:
    """A link to another page of ours that keeps the visitor's language and city in the URL."""
    from sparcs_engage.ui.context import link_params

    st.page_link(page, label=label, icon=icon, query_params=link_params(visitor))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=\"'&])")


def escape_markdown(text: str) -> str:
    """User text (a workshop title, a first name) made safe to put into markdown: every
    character markdown, HTML or Streamlit's directives could act on is backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def sign_in_required(visitor, title: str) -> None:
    """What a page for a role shows to anyone without that role: its title and the way in."""
    from sparcs_engage.auth import ROLE_TITLES

    t = visitor.t
    st.title(title)
    if visitor.identity is None:
        st.info(
            t("This page is for signed-in workshop facilitators and city staff only."),
            icon=":material/lock:",
        )
        page_link(visitor, "views/account/login.py", t("Sign in"), ":material/login:")
    else:
        st.warning(
            t(
                "You are signed in as {role}. This page needs another role.",
                role=t(ROLE_TITLES[visitor.identity.role]),
            ),
            icon=":material/lock:",
        )
        page_link(visitor, "views/account/login.py", t("Your account"), ":material/person:")


def footer(visitor) -> None:
    """Every page's footer: the privacy notice and the accessibility statement."""
    t = visitor.t
    st.divider()
    with st.container(horizontal=True, key="site_footer", gap="medium"):
        page_link(visitor, "views/public/privacy.py", t("Privacy"), ":material/shield:")
        page_link(
            visitor,
            "views/public/accessibility.py",
            t("Accessibility"),
            ":material/accessibility_new:",
        )


def keep_what_fits(key: str, limit: int | None) -> None:
    """on_change of a text field drawn without max_chars (a browser refuses a too long paste
    altogether, leaving the field empty): a longer text keeps its first ``limit`` characters,
    and cut_note says so."""
    text = st.session_state.get(key) or ""
    st.session_state.pop(f"{key}__cut", None)
    if limit and len(text) > limit:
        st.session_state[f"{key}__cut"] = len(text)
        st.session_state[key] = text[:limit]


def cut_note(t, key: str, limit: int | None) -> None:
    """Under such a field: how long the text was and how much of it was kept."""
    cut = st.session_state.get(f"{key}__cut")
    if cut and limit:
        st.warning(
            t(
                "Your text was {length} characters long. We kept the first {max}; the rest "
                "was cut.",
                length=t.number(cut),
                max=t.number(limit),
            ),
            icon=":material/content_cut:",
        )
