"""The sign-in page (/login) for city staff and workshop facilitators; residents never need it."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from sparcs_engage.auth import ROLE_TITLES, sign_in
from sparcs_engage.db import session_scope
from sparcs_engage.ui.client import client_address
from sparcs_engage.ui.context import Visitor, sign_in_session, sign_out_session, sso_configured
from sparcs_engage.ui.database import require_database


def render(visitor: Visitor) -> None:
    """Draw /login: the account of a signed-in visitor, else the sign-in form."""
    if visitor.identity:
        _account(visitor)
        return
    t = visitor.t
    st.title(t("Sign in"))
    st.write(t("For city staff and workshop facilitators. Residents do not need an account."))

    engine = require_database(t)

    with st.form("sign_in", enter_to_submit=True):
        username = st.text_input(
            t("User name"), max_chars=64, key="username", autocomplete="username"
        )
        password = st.text_input(
            t("Password"),
            type="password",
            max_chars=1024,
            key="password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("Sign in"), type="primary", key="sign_in_submit")

    if submitted:
        settings = visitor.settings
        with session_scope(engine) as session:
            result = sign_in(
                session=session,
                username=username or "",
                password=password or "",
                max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.login_lockout_minutes),
                client=client_address(settings),
                client_failures=settings.login_client_max_failures,
            )
        if result.status == "ok":
            sign_in_session(result.identity)
            st.rerun()
        elif result.status == "throttled":
            st.error(
                t(
                    "Too many failed attempts from this device. Please wait {minutes}\u00a0minutes "
                    "before you try again.",
                    minutes=settings.login_lockout_minutes,
                )
            )
        elif result.status == "empty":
            st.error(t("Please enter your user name and password."))
        elif result.status == "locked":
            st.error(
                t(
                    "Too many failed attempts. For your security, signing in is paused for "
                    "{minutes}\u00a0minutes.",
                    minutes=settings.login_lockout_minutes,
                )
            )
        else:
            st.error(t("The user name or password is not right. Please try again."))

    if sso_configured():
        st.divider()
        if st.user.is_logged_in:
            st.warning(
                t(
                    "Your organisation account {email} has no role in SPARCS Engage yet. "
                    "Please ask the city's administrator to add it.",
                    email=str(st.user.get("email", "")),
                )
            )
        if st.button(t("Sign in with your organisation account"), key="sso", icon=":material/key:"):
            st.login()


def _account(visitor: Visitor) -> None:
    """Who is signed in, and the way to sign out."""
    t = visitor.t
    st.title(t("Your account"))
    st.write(
        t(
            "You are signed in as {name} ({role}).",
            name=visitor.identity.username,
            role=t(ROLE_TITLES[visitor.identity.role]),
        )
    )
    if st.button(t("Sign out"), key="sign_out", icon=":material/logout:"):
        sign_out_session()
