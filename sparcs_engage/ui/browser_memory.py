"""What a browser remembers without an account: that it has sent the City Vision survey of a
city. A first-party cookie holds only city ids (no code, nothing about the answers), so a
second submission from the same browser is refused politely even after the tab was closed.
"""

from __future__ import annotations

import streamlit as st

from sparcs_engage.cities import CITY_ID

SENT_COOKIE = "sparcs_vision_sent"
MAX_AGE_S = 365 * 24 * 3600


def sent_cities(raw: str | None) -> set[str]:
    """The city ids in the cookie's value ("espoo.leipzig"); anything else is ignored."""
    return {part for part in (raw or "").split(".") if CITY_ID.match(part)}


def cookie_value(cities: set[str]) -> str:
    return ".".join(sorted(c for c in cities if CITY_ID.match(c)))


def sent_from_this_browser(city_id: str) -> bool:
    return city_id in sent_cities(st.context.cookies.get(SENT_COOKIE))


def remember_sent(city_id: str) -> None:
    """Set the cookie in the visitor's browser (a one-line script; the value is only city ids,
    checked against the city id pattern, so nothing else can get into the script)."""
    value = cookie_value(sent_cities(st.context.cookies.get(SENT_COOKIE)) | {city_id})
    st.html(
        f"<script>document.cookie = '{SENT_COOKIE}={value}; path=/; max-age={MAX_AGE_S}; "
        "SameSite=Lax';</script>",
        unsafe_allow_javascript=True,
    )
