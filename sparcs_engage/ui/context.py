"""The visitor's context for one script run: language, city, signed-in identity."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from sparcs_engage import staff_sessions
from sparcs_engage.auth import Identity, role_for_email
from sparcs_engage.cities import City, CityRegistry, load_cities
from sparcs_engage.i18n import Translator, negotiate_language, translator
from sparcs_engage.settings import Settings, load_settings

VISITOR_KEY = "_visitor"
IDENTITY_KEY = "identity"


@dataclass(frozen=True)
class Visitor:
    """What every page needs to know about the person looking at it."""

    lang: str
    t: Translator
    city: City | None
    registry: CityRegistry
    identity: Identity | None
    settings: Settings

    @property
    def role(self) -> str | None:
        return self.identity.role if self.identity else None


def _settings() -> Settings:
    return load_settings()  # a few environment reads: cheaper than a cache look-up


@st.cache_resource(ttl=60, show_spinner=False)
def _registry(data_dir: str) -> CityRegistry:
    return load_cities(Path(data_dir))


def city_registry() -> CityRegistry:
    """The cities, read again at most once a minute so a new city folder shows up."""
    return _registry(str(_settings().data_dir))


def _secrets_section(name: str) -> dict:
    try:
        section = st.secrets.get(name)
    except Exception:  # no secrets.toml at all: nothing configured
        return {}
    return dict(section) if section else {}


def sso_configured() -> bool:
    """True when an [auth] section for single sign-on (OIDC) is configured."""
    return bool(_secrets_section("auth"))


# Session-state keys that belong to the visitor, not to a signed-in person: kept on sign-out.
_VISITOR_STATE = {"_lang", "_city", "lang_choice", "city_choice", "_browser_id", VISITOR_KEY}
# How often a signed-in page asks the database whether its session is still live.
CHECK_EVERY_S = 20


def _engine():
    from sparcs_engage.db import get_engine

    return get_engine(_settings().database_url)


def _identity() -> Identity | None:
    identity = st.session_state.get(IDENTITY_KEY)
    if identity is None:
        identity = _identity_from_cookie() or _identity_from_sso()
        if identity is None:
            return None
        st.session_state[IDENTITY_KEY] = identity
        st.session_state["_session_checked"] = time.monotonic()
        return identity
    if time.monotonic() - st.session_state.get("_session_checked", 0.0) < CHECK_EVERY_S:
        return identity
    # Signed out in another tab, ended by the idle timeout, or live: asked now and then.
    if identity.session_id:
        from sparcs_engage.db import session_scope

        with session_scope(_engine()) as session:
            result = staff_sessions.check(
                session=session,
                session_id=identity.session_id,
                idle=staff_sessions.idle_timeout(_settings()),
            )
        if result.identity is None:
            _forget_signed_in(idle=result.idle_ended)
            return None
    st.session_state["_session_checked"] = time.monotonic()
    return identity


def _identity_from_cookie() -> Identity | None:
    """A reload, a new tab or an app restart: the HttpOnly cookie names a live session."""
    session_id = staff_sessions.session_id_from_cookie(
        st.context.cookies.get(staff_sessions.COOKIE)
    )
    if session_id is None:
        return None
    from sparcs_engage.db import session_scope

    try:
        with session_scope(_engine()) as session:
            result = staff_sessions.check(
                session=session,
                session_id=session_id,
                idle=staff_sessions.idle_timeout(_settings()),
            )
    except Exception:  # the database being down: signed out until it is back
        logging.getLogger(__name__).warning("could not check a staff session")
        return None
    if result.idle_ended:
        st.session_state["_signed_out_idle"] = True
    return result.identity


def _identity_from_sso() -> Identity | None:
    if not (sso_configured() and st.user.is_logged_in):
        return None
    mapping = _secrets_section("sparcs").get("sso_roles", {})
    role = role_for_email(st.user.get("email"), dict(mapping))
    if not role:
        return None
    identity = Identity(username=str(st.user.get("email")), role=role, via="sso")
    try:
        return sign_in_session(identity)
    except Exception:  # the database being down must not lock staff out of the page
        logging.getLogger(__name__).warning(
            "could not open the SSO session of %s", identity.username
        )
        return identity


def build_visitor() -> Visitor:
    """Work out the visitor's language and city and return the context (the header that lets
    them change both is drawn by ``sparcs_engage.ui.header``).

    The URL is the source of truth (?lang=, ?city=): it is read first and written back every
    run, and every link of ours carries both, so a link copied from any page opens the same
    language and city. Without them, this session's last choice, then the browser's language,
    then the city's own language decide, always among the languages the city speaks.
    """
    settings = _settings()
    registry = city_registry()
    city_id = registry.resolve(
        st.query_params.get("city"),
        registry.resolve(st.session_state.get("_city"), settings.default_city) or "",
    )
    city = registry[city_id] if city_id else None
    lang = negotiate_language(
        query=st.query_params.get("lang") or st.session_state.get("_lang"),
        browser_locale=st.context.locale,
        languages=city.languages if city else None,
        fallback=settings.default_language,
    )
    st.session_state["_lang"] = lang
    st.session_state["_city"] = city_id
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    if city_id and st.query_params.get("city") != city_id:
        st.query_params["city"] = city_id
    t = translator(lang)

    visitor = Visitor(
        lang=lang,
        t=t,
        city=city,
        registry=registry,
        identity=_identity(),
        settings=settings,
    )
    st.session_state[VISITOR_KEY] = visitor
    return visitor


def session_notices(visitor: Visitor) -> None:
    """Under the header: the browser fetches its cookie after a sign-in, and a tab signed out
    for idleness says so."""
    hand_cookie_over()
    if signed_out_for_idleness():
        st.info(
            visitor.t(
                "You were signed out after {minutes}\u00a0minutes without activity.",
                minutes=visitor.settings.session_idle_minutes,
            ),
            icon=":material/lock_clock:",
        )


def link_params(visitor: Visitor) -> dict[str, str]:
    """The query parameters every link of ours carries."""
    params = {"lang": visitor.lang}
    if visitor.city is not None:
        params["city"] = visitor.city.id
    return params


def current_visitor() -> Visitor:
    """The context that app.py built for this run."""
    return st.session_state[VISITOR_KEY]


def _current_path() -> str:
    """This page's path and query, to come back to after the cookie is set or removed."""
    page = st.context.url or ""
    path = "/" + page.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0] if page else "/"
    query = urlencode({k: st.query_params.get(k) for k in st.query_params})
    return path + ("?" + query if query else "")


def _go(url: str) -> None:
    """Send the browser to one of the server's own routes (json-quoted into the script)."""
    st.html(
        f"<script>window.location.replace({json.dumps(url)});</script>",
        unsafe_allow_javascript=True,
    )


def sign_in_session(identity: Identity) -> Identity:
    """Start the signed-in session: in the database, in this tab, and (through the server's
    session route) as an HttpOnly cookie so a reload keeps it. Audits SSO sign-ins."""
    from sparcs_engage.auth import audit
    from sparcs_engage.db import session_scope

    with session_scope(_engine()) as session:
        if identity.via == "sso":
            audit(session=session, actor=identity.username, action="login", detail="sso")
        opened = staff_sessions.open_session(session=session, identity=identity)
    identity = Identity(identity.username, identity.role, identity.via, opened.session_id)
    st.session_state[IDENTITY_KEY] = identity
    st.session_state["_session_checked"] = time.monotonic()
    st.session_state["_cookie_handoff"] = urlencode(
        {"s": opened.session_id, "h": opened.handoff, "next": _current_path()}
    )
    return identity


def hand_cookie_over() -> None:
    """After a sign-in, once: let the browser fetch its session cookie from the server."""
    handoff = st.session_state.pop("_cookie_handoff", None)
    if handoff:
        _go(f"/_sparcs/session?{handoff}")


def _forget_signed_in(*, idle: bool = False) -> None:
    """Clear everything of the signed-in person from this tab: identity, prepared files,
    form values; the visitor's language and city stay."""
    for key in list(st.session_state.keys()):
        if key not in _VISITOR_STATE:
            del st.session_state[key]
    if idle:
        st.session_state["_signed_out_idle"] = True


def sign_out_session() -> None:
    """End the signed-in session everywhere (database, this tab, the cookie), audit it, and
    end this run: the browser goes on to the server's sign-out route (or the SSO sign-out)."""
    from sparcs_engage.auth import audit
    from sparcs_engage.db import session_scope

    identity = st.session_state.get(IDENTITY_KEY)
    if identity is not None:
        with session_scope(_engine()) as session:
            ended = identity.session_id and staff_sessions.end(
                session=session, session_id=identity.session_id
            )
            if not ended:
                audit(session=session, actor=identity.username, action="logout", detail="sign-out")
    _forget_signed_in()
    if identity is not None and identity.via == "sso":
        st.logout()  # also ends the identity provider's cookie; ours names an ended session
    _go("/_sparcs/signout?" + urlencode({"next": _current_path()}))
    st.stop()


def signed_out_for_idleness() -> bool:
    """True once after the idle timeout signed this tab out (the page says so)."""
    return bool(st.session_state.pop("_signed_out_idle", False))
