"""The privacy notice (/privacy): who is responsible, what is stored, why, for how long, and
the visitor's rights, with the chosen city's own controller, contacts and retention period."""

from __future__ import annotations

import streamlit as st

from sparcs_engage.cities import City
from sparcs_engage.i18n import Translator
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.ui.context import Visitor


def retention_text(t: Translator, days: int) -> str:
    """A retention period in the visitor's words: whole years as years, else days."""
    if days % 365 == 0:
        return t.unit(days // 365, "duration-year", length="long")
    return t.unit(days, "duration-day", length="long")


def notice(t: Translator, city: City) -> str:
    """The notice's text for a city, in the visitor's language."""
    privacy = city.privacy
    lang = t.lang
    return t.content("privacy").format(
        controller=privacy.controller[lang],
        address=privacy.address,
        email=privacy.email,
        dpo_email=privacy.dpo_email,
        hosting=privacy.hosting[lang],
        authority=privacy.authority[lang],
        retention=retention_text(t, privacy.retention_days),
        version=PRIVACY_NOTICE_VERSION,
    )


def render(visitor: Visitor) -> None:
    """Draw /privacy for this visitor and city."""
    t = visitor.t
    st.title(t("Privacy notice"))
    if visitor.city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    st.markdown(notice(t, visitor.city))
