"""The database as pages see it: one engine per process, and a friendly stop when it is down."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from sparcs_engage.db import (
    DatabaseBehind,
    DatabaseUnavailable,
    check_schema,
    get_engine,
    session_scope,
)
from sparcs_engage.i18n import Translator
from sparcs_engage.settings import load_settings


def engine() -> Engine:
    """The process's engine for the configured URL (get_engine keeps one per URL)."""
    return get_engine(load_settings().database_url)


@st.cache_data(ttl=15, show_spinner=False)
def _status(url: str) -> str:
    try:
        check_schema(get_engine(url))
    except DatabaseUnavailable:
        return "unavailable"
    except DatabaseBehind:
        return "behind"
    return "ok"


def database_status() -> str:
    """ok, unavailable or behind; checked at most every 15 seconds."""
    return _status(load_settings().database_url)


def require_database(t: Translator) -> Engine:
    """The engine, or a clear message in the visitor's language and the end of this page."""
    status = database_status()
    if status == "unavailable":
        st.error(
            t(
                "We cannot reach the database right now, so this part of the service is "
                "unavailable. Please try again in a few minutes."
            ),
            icon=":material/cloud_off:",
        )
        st.stop()
    if status == "behind":
        st.error(
            t(
                "The service is being updated and this part is unavailable for a moment. "
                "Please try again shortly."
            ),
            icon=":material/build:",
        )
        st.stop()
    return engine()


def run_use_case(engine: Engine, use_case, /, **kwargs):
    """One user action, one transaction: a core use case called with a fresh session."""
    with session_scope(engine) as session:
        return use_case(session=session, **kwargs)
