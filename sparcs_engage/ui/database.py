"""The database as pages see it: one engine per process, a friendly stop when it is down, and
the one place where a dropped connection is handled for every page.

A use case that meets a dropped connection is run once more on a fresh one (every read, and
every write that had not committed, is safe to repeat). When that fails too, the page shows a
translated "trying again" note and reruns a moment later, keeping the visitor's state; a tap's
callback that fails says its tap was not saved. Streamlit's exception box never shows.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sparcs_engage.db import (
    DatabaseBehind,
    DatabaseUnavailable,
    check_schema,
    get_engine,
    is_connection_error,
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


LOG = logging.getLogger(__name__)
RETRY_PAUSE_S = 0.2
PAGE_RETRY_S = 3
_LOST_KEY = "db_lost_tap"
_ARMED_KEY = "db_retry_armed"

# Use cases whose write may be repeated even when the connection dropped while committing,
# because they are idempotent (a dot names its tap). Every other write is repeated only when it
# failed before its commit began: a card or an answer is never saved twice.
_SAFE_TO_REPEAT: set[Callable] = set()


class DatabaseInterrupted(RuntimeError):
    """The connection to the database dropped twice in one action."""


def safe_to_repeat(use_case: Callable) -> Callable:
    """Mark a use case whose write may be repeated after a commit that may have landed."""
    _SAFE_TO_REPEAT.add(use_case)
    return use_case


def _attempt(engine: Engine, use_case, kwargs) -> object:
    """The use case's result; a failure while committing carries a note saying so."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = use_case(session=session, **kwargs)
        except BaseException:
            session.rollback()
            raise
        try:
            session.commit()
        except BaseException as exc:
            exc.add_note("sparcs: while committing")
            raise
        return result


def run_use_case(engine: Engine, use_case, /, **kwargs):
    """One user action, one transaction: a core use case called with a fresh session, once
    more on a fresh connection when the first one dropped (see the module's docstring)."""
    for attempt in (1, 2):
        try:
            return _attempt(engine, use_case, kwargs)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            committing = "sparcs: while committing" in getattr(exc, "__notes__", ())
            if attempt == 2 or (committing and use_case not in _SAFE_TO_REPEAT):
                raise DatabaseInterrupted(str(exc).splitlines()[0]) from exc
            LOG.warning("database connection lost in %s; trying once more", use_case.__name__)
            time.sleep(RETRY_PAUSE_S)
    raise AssertionError("unreachable")


def database_failure(exc: BaseException) -> bool:
    """Whether an exception that reached a page means the database could not be reached."""
    return isinstance(exc, DatabaseInterrupted | DatabaseUnavailable) or is_connection_error(exc)


def connection_lost_note(t) -> None:
    st.warning(
        t("Connection to the database was lost, trying again…"),
        icon=":material/sync_problem:",
    )


def _retry_soon() -> None:
    """Rerun the page a moment from now: the fragment's first run arms it, the next reruns."""

    @st.fragment(run_every=PAGE_RETRY_S)
    def retry() -> None:
        if st.session_state.pop(_ARMED_KEY, False):
            st.rerun(scope="app")
        st.session_state[_ARMED_KEY] = True

    retry()


@contextmanager
def page_guard(t, *, retry: bool = True) -> Iterator[None]:
    """Around a whole page run (app.py) or a live fragment: a lost connection shows a note in
    the visitor's language and the page tries again by itself, instead of an exception box."""
    try:
        yield
    except Exception as exc:
        if not database_failure(exc):
            raise
        LOG.warning("page stopped by a lost database connection: %s", exc)
        connection_lost_note(t)
        if retry:
            _retry_soon()


def guarded_callback(t, callback: Callable) -> Callable:
    """A widget callback that, when the database cannot be reached, leaves a note for the
    page instead of an exception box (callbacks run before the page, outside page_guard)."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except Exception as exc:
            if not database_failure(exc):
                raise
            LOG.warning("tap not saved, database connection lost: %s", exc)
            st.session_state[_LOST_KEY] = True
            return None

    return run


def lost_tap_note(t) -> None:
    """Say once that the last tap was not saved, after a callback met a lost connection."""
    if st.session_state.pop(_LOST_KEY, False):
        st.warning(
            t(
                "The connection to the database was lost, so your last action was not saved. "
                "Please try it again."
            ),
            icon=":material/sync_problem:",
        )
