"""The visitor's context for one script run: language, city, signed-in identity."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from sparcs_engage.auth import Identity, role_for_email
from sparcs_engage.cities import City, CityRegistry, load_cities
from sparcs_engage.i18n import LANGUAGE_NAMES, LANGUAGES, Translator, negotiate_language, translator
from sparcs_engage.settings import Settings, load_settings

VISITOR_KEY = "_visitor"
STYLE = "<style>" + (Path(__file__).parent / "style.css").read_text(encoding="utf-8") + "</style>"
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


def _identity() -> Identity | None:
    identity = st.session_state.get(IDENTITY_KEY)
    if identity is not None:
        return identity
    if sso_configured() and st.user.is_logged_in:
        mapping = _secrets_section("sparcs").get("sso_roles", {})
        role = role_for_email(st.user.get("email"), dict(mapping))
        if role:
            identity = Identity(username=str(st.user.get("email")), role=role, via="sso")
            _audit_sso_login(identity)
            st.session_state[IDENTITY_KEY] = identity  # once per session: logged once
            return identity
    return None


def _audit_sso_login(identity: Identity) -> None:
    """A single sign-on login goes to the audit log like a password sign-in."""
    from sparcs_engage.auth import audit
    from sparcs_engage.db import get_engine, session_scope

    try:
        with session_scope(get_engine(_settings().database_url)) as session:
            audit(session=session, actor=identity.username, action="login", detail="sso")
    except Exception:  # the database being down must not lock staff out of the page
        logging.getLogger(__name__).warning("could not log the SSO login of %s", identity.username)


def _choose(key: str, value: str) -> None:
    """Called when the visitor picks a language or city: the URL takes the new value."""
    st.query_params[key] = st.session_state[f"{key}_choice"] or value


def build_visitor() -> Visitor:
    """Work out the visitor's language and city, draw their choosers, and return the context.

    The URL is the source of truth (?lang=, ?city=): it is read first and written back every
    run, and every link of ours carries both, so a link copied from any page opens the same
    language and city. Without them, this session's last choice, then the browser's language,
    then the city's own language decide.
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
        city_default=city.default_language if city else None,
        fallback=settings.default_language,
    )
    st.session_state["_lang"] = lang
    st.session_state["_city"] = city_id
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    if city_id and st.query_params.get("city") != city_id:
        st.query_params["city"] = city_id
    t = translator(lang)

    st.html(STYLE)
    brand, lang_col, city_col = st.columns([2, 2, 3], vertical_alignment="bottom")
    with brand:
        st.html('<p class="sparcs-brand">SPARCS Engage</p>')
    with lang_col:
        st.session_state["lang_choice"] = lang
        # The label comes before any translated text, so it names all three languages.
        st.segmented_control(
            "Kieli · Sprache · Language",
            LANGUAGES,
            key="lang_choice",
            required=True,
            on_change=_choose,
            args=("lang", lang),
            help=" · ".join(LANGUAGE_NAMES.values()),
        )
    with city_col:
        if city_id:
            st.session_state["city_choice"] = city_id
            st.segmented_control(
                t("City"),
                registry.ids(),
                format_func=lambda cid: registry[cid].name(lang),
                key="city_choice",
                required=True,
                on_change=_choose,
                args=("city", city_id),
            )
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


def link_params(visitor: Visitor) -> dict[str, str]:
    """The query parameters every link of ours carries."""
    params = {"lang": visitor.lang}
    if visitor.city is not None:
        params["city"] = visitor.city.id
    return params


def current_visitor() -> Visitor:
    """The context that app.py built for this run."""
    return st.session_state[VISITOR_KEY]


def sign_in_session(identity: Identity) -> None:
    st.session_state[IDENTITY_KEY] = identity


def sign_out_session() -> None:
    st.session_state.pop(IDENTITY_KEY, None)
