"""Who is on the other end, for rate limits: the browser's own id and its network address.

The address is the one the connection came from, or, behind a configured proxy
(SPARCS_TRUSTED_PROXY_HOPS), the one the proxy put into X-Forwarded-For; a client cannot forge
it past the proxy. The browser id is a signed first-party cookie, so residents behind one
address (a library, a school) are counted apart; a script that drops cookies is still counted
by its address.
"""

from __future__ import annotations

import hmac
import secrets

import streamlit as st

from sparcs_engage import throttle
from sparcs_engage.keys import keyed_hash
from sparcs_engage.settings import Settings

BROWSER_COOKIE = "sparcs_browser"
MAX_AGE_S = 365 * 24 * 3600


def client_address(settings: Settings) -> str:
    """The client's network address as this server can trust it ('local' on localhost)."""
    hops = settings.trusted_proxy_hops
    if hops:
        forwarded = st.context.headers.get("X-Forwarded-For") or ""
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if chain:
            return chain[-hops] if len(chain) >= hops else chain[0]
    return st.context.ip_address or "local"


def _sign(value: str) -> str:
    return keyed_hash(f"browser:{value}")[:24]


def browser_id() -> str:
    """This browser's own id: from its signed cookie, or new (and the cookie set)."""
    known = st.session_state.get("_browser_id")
    if known:
        return known
    raw = st.context.cookies.get(BROWSER_COOKIE)
    raw = raw if isinstance(raw, str) else ""
    value, _, signature = raw.partition(".")
    if not (value.isalnum() and signature and hmac.compare_digest(signature, _sign(value))):
        value = secrets.token_hex(12)
        # Only hex digits and a hex signature go into the script.
        st.html(
            f"<script>document.cookie = '{BROWSER_COOKIE}={value}.{_sign(value)}; path=/; "
            f"max-age={MAX_AGE_S}; SameSite=Lax';</script>",
            unsafe_allow_javascript=True,
        )
    st.session_state["_browser_id"] = value
    return value


def resident(settings: Settings) -> throttle.Client:
    """The client a resident's action is counted against (see throttle.Client)."""
    return throttle.Client(browser_id(), client_address(settings))
