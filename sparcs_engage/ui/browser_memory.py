"""What a browser remembers without an account: that it has sent the City Vision survey of a
city, and which draft it was writing. First-party cookies hold only city ids and a signed draft
id (no code, nothing about the answers), so a second submission from the same browser is
refused politely even after the tab was closed, and a reload goes on with the draft.
"""

from __future__ import annotations

import hmac
import re
import uuid

import streamlit as st

from sparcs_engage.cities import CITY_ID
from sparcs_engage.keys import keyed_hash

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


# A survey draft that was never sent: the browser keeps its id (signed, so no other draft can be
# named), so a reload or a tab closed by mistake goes on where the resident was, without the
# code. Only until it is sent, and at most DRAFT_MAX_AGE_S.
DRAFT_COOKIE = "sparcs_vision_draft"
DRAFT_MAX_AGE_S = 30 * 24 * 3600
_DRAFT_ENTRY = re.compile(r"^([a-z][a-z0-9-]{1,39})~([0-9a-f]{32})~([0-9a-f]{24})$")


def _draft_signature(city_id: str, response_hex: str) -> str:
    return keyed_hash(f"draft:{city_id}:{response_hex}")[:24]


def drafts(raw: str | None) -> dict[str, str]:
    """The draft ids in the cookie's value, by city; entries with a wrong signature are ignored."""
    found = {}
    for part in (raw or "").split("."):
        match = _DRAFT_ENTRY.match(part)
        if match and hmac.compare_digest(match[3], _draft_signature(match[1], match[2])):
            found[match[1]] = match[2]
    return found


def draft_cookie_value(entries: dict[str, str]) -> str:
    return ".".join(
        f"{city}~{hexid}~{_draft_signature(city, hexid)}" for city, hexid in sorted(entries.items())
    )


def draft_from_this_browser(city_id: str) -> str | None:
    """The id of this city's unsent draft that this browser remembers, if any."""
    raw = st.context.cookies.get(DRAFT_COOKIE)
    return drafts(raw if isinstance(raw, str) else None).get(city_id)


def _write_drafts(entries: dict[str, str]) -> None:
    value = draft_cookie_value(entries)  # only ids, hex digits and '~' and '.'
    age = DRAFT_MAX_AGE_S if entries else 0
    st.html(
        f"<script>document.cookie = '{DRAFT_COOKIE}={value}; path=/; max-age={age}; "
        "SameSite=Lax';</script>",
        unsafe_allow_javascript=True,
    )


def remember_draft(city_id: str, response_id: str) -> None:
    raw = st.context.cookies.get(DRAFT_COOKIE)
    entries = drafts(raw if isinstance(raw, str) else None)
    entries[city_id] = uuid.UUID(str(response_id)).hex
    _write_drafts(entries)


def forget_draft(city_id: str) -> None:
    raw = st.context.cookies.get(DRAFT_COOKIE)
    entries = drafts(raw if isinstance(raw, str) else None)
    entries.pop(city_id, None)
    _write_drafts(entries)
