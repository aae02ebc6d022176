"""The visitor's context for one script run: language, city, signed-in identity."""

from __future__ import annotations

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
            return Identity(username=str(st.user.get("email")), role=role, via="sso")
    return None


def build_visitor() -> Visitor:
    """Draw the language and city choosers (bound to ?lang= and ?city=) and return the context.

    Called once per run from app.py, before the navigation, so the choices stay in the URL
    when the visitor changes pages.
    """
    settings = _settings()
    registry = city_registry()
    # The city first (from the URL or this session), since its default language counts below.
    asked_city = st.session_state.get("city") or st.query_params.get("city")
    default_city = registry.resolve(asked_city, settings.default_city)
    city_default_lang = registry[default_city].default_language if default_city else None
    # The choosers come before any text, so their label names all three languages.
    default_lang = negotiate_language(
        browser_locale=st.context.locale,
        city_default=city_default_lang,
        fallback=settings.default_language,
    )
    st.html(STYLE)
    brand, lang_col, city_col = st.columns([2, 2, 3], vertical_alignment="bottom")
    with brand:
        st.html('<p class="sparcs-brand">SPARCS Engage</p>')
    with lang_col:
        # No format_func: the label is what goes into the URL, and ?lang=fi must stay stable.
        lang = st.segmented_control(
            "Kieli · Sprache · Language",
            LANGUAGES,
            default=default_lang,
            key="lang",
            bind="query-params",
            required=True,
            help=" · ".join(LANGUAGE_NAMES.values()),
        )
    lang = lang if lang in LANGUAGES else default_lang
    t = translator(lang)
    city = None
    with city_col:
        if registry.cities:
            city_id = st.segmented_control(
                t("City"),
                registry.ids(),
                default=registry.resolve(None, settings.default_city),
                key="city",
                bind="query-params",
                required=True,
            )
            city = registry[city_id if city_id in registry else default_city]
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


def current_visitor() -> Visitor:
    """The context that app.py built for this run."""
    return st.session_state[VISITOR_KEY]


def sign_in_session(identity: Identity) -> None:
    st.session_state[IDENTITY_KEY] = identity


def sign_out_session() -> None:
    st.session_state.pop(IDENTITY_KEY, None)
