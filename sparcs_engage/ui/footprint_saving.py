"""Saving a footprint result with the actions the resident chose, under their code (one code
per resident across the survey and the footprint), and looking at or deleting it later.

``st.session_state["resident_code"]`` holds the resident's code once the survey or this page
has given them one; a deleted code is forgotten everywhere on the page at once."""

from __future__ import annotations

import streamlit as st

from sparcs_engage.cities import City
from sparcs_engage.db import session_scope
from sparcs_engage.footprint import (
    Answers,
    TooManySaves,
    actions,
    load_footprint,
    save_footprint_result,
)
from sparcs_engage.respondents import (
    CodeAttemptsExceeded,
    code_in_text,
    delete_respondent,
    normalize_code,
)
from sparcs_engage.settings import Settings
from sparcs_engage.ui import client
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.database import database_status, engine, require_database
from sparcs_engage.ui.footprint_labels import ACTION
from sparcs_engage.ui.layout import error_text, page_link, tonnes

LOOKUP_KEY = "fp_lookup_code"
# What the look-up shows, kept between reruns until the next look-up: (kind, data).
LOOKUP_STATE = "fp_lookup_state"


def pledges_and_save(visitor: Visitor, city: City, answers: Answers) -> None:
    """The actions that help most (to tick), then the save with consent (no name, a code)."""
    t = visitor.t
    state = st.session_state
    saved = state.get("fp_saved_code")
    st.header(t("What would help most"))
    top = actions(answers)[:5]
    if not top:
        st.write(t("We found no bigger step for you: your footprint is already low."))
    pledged = []
    for action in top:
        label = t(
            "{action}: about {amount} less a year",
            action=t(ACTION[action.id]),
            amount=tonnes(t, action.saving_kg),
        )
        if st.checkbox(label, key=f"fp_pledge_{action.id}", disabled=bool(saved)):
            pledged.append(action.id)
    if top:
        st.caption(
            t(
                "Tick the actions you want to take. The savings are worked out from "
                "your own answers."
            )
        )

    st.header(t("Save your result"))
    if saved:
        st.success(t("Saved. Thank you! Keep this code to look at or delete your result later:"))
        st.code(saved, language=None)
    else:
        _save(visitor, city, answers, pledged)
    if st.button(t("Change my answers"), key="fp_restart"):
        state["fp_step"] = 0
        state.pop("fp_saved_code", None)
        st.rerun()


def _save(visitor: Visitor, city: City, answers: Answers, pledged: list[str]) -> None:
    t = visitor.t
    state = st.session_state
    st.write(
        t(
            "If you like, save your result and the actions you chose. It is saved without your "
            "name, and counts in your city's figures."
        )
    )
    consent = st.checkbox(
        t(
            "I agree that my answers, result and chosen actions are saved without my name, "
            "under a random code, as described in the privacy notice."
        ),
        key="fp_consent",
    )
    page_link(visitor, "views/public/privacy.py", t("Read the privacy notice"), ":material/shield:")
    mine = state.get("resident_code") if normalize_code(state.get("resident_code")) else None
    use_mine = False
    if mine:
        choice = st.radio(
            t("Which code?"),
            ("mine", "new"),
            format_func=lambda option: (
                t("Save under your code {code}", code=mine)
                if option == "mine"
                else t("Get a new code")
            ),
            key="fp_code_choice",
        )
        use_mine = choice == "mine"
    if not st.button(t("Save my result"), type="primary", disabled=not consent, key="fp_save"):
        return
    engine = require_database(t)
    try:
        with session_scope(engine) as session:
            saved = save_footprint_result(
                session=session,
                city=city.id,
                answers=answers,
                pledged=pledged,
                consent=consent,
                client=client.resident(visitor.settings),
                code=mine if use_mine else None,
            )
    except TooManySaves as exc:
        st.error(error_text(t, exc))
        return
    state["fp_saved_code"] = saved.code
    state["resident_code"] = saved.code
    st.rerun()


def _forget(code: str) -> None:
    """A deleted code: the page no longer offers it or calls it saved."""
    state = st.session_state
    for key in ("fp_saved_code", "resident_code"):
        if normalize_code(state.get(key)) == normalize_code(code):
            state.pop(key, None)


def _look_up(action: str, settings: Settings) -> None:
    """Show or delete: find the code in what was typed or pasted, then act on it."""
    state = st.session_state
    text = state.get(LOOKUP_KEY) or ""
    code = code_in_text(text)
    if code is None:
        state[LOOKUP_STATE] = ("no_code", None)
        return
    state[LOOKUP_KEY] = code  # the field shows the code it found
    if database_status() != "ok":
        state[LOOKUP_STATE] = ("database", None)
        return
    address = client.client_address(settings)
    try:
        with session_scope(engine()) as session:
            saved = load_footprint(session=session, code=code, client=address)
            if saved is not None and action == "delete":
                delete_respondent(session=session, code=code)
    except CodeAttemptsExceeded as exc:
        state[LOOKUP_STATE] = ("error", exc)
        return
    if saved is None:
        state[LOOKUP_STATE] = ("unknown", None)
    elif action == "delete":
        _forget(code)
        state[LOOKUP_STATE] = ("deleted", None)
    else:
        state[LOOKUP_STATE] = ("found", saved)


def look_up(visitor: Visitor) -> None:
    """Look at or delete a result saved earlier, by its code (also inside pasted text)."""
    t = visitor.t
    state = st.session_state
    st.divider()
    with st.expander(t("Look at or delete a saved result"), key="fp_lookup_open"):
        st.text_input(
            t("Your code"),
            max_chars=300,
            key=LOOKUP_KEY,
            placeholder="K7QM-4TXA",
        )
        st.caption(t("You can paste the whole message with your code: we find the code in it."))
        show_col, delete_col = st.columns(2)
        args = (visitor.settings,)
        show_col.button(
            t("Show"), key="fp_lookup", width="stretch", on_click=_look_up, args=("show", *args)
        )
        delete_col.button(
            t("Delete my result"),
            key="fp_delete",
            width="stretch",
            on_click=_look_up,
            args=("delete", *args),
        )
        kind, data = state.get(LOOKUP_STATE) or (None, None)
        if kind == "database":
            require_database(t)
        if kind == "no_code":
            st.warning(t("We found no code in what you typed. A code looks like K7QM-4TXA."))
        elif kind == "unknown":
            st.warning(t("We found no saved result with this code. Please check it."))
        elif kind == "error":
            st.error(error_text(t, data))
        elif kind == "deleted":
            st.success(t("Your result and your chosen actions are deleted."))
        elif kind == "found":
            st.metric(t("Your carbon footprint a year"), tonnes(t, data.lifestyle_kg))
            st.write(t("Saved on {date}", date=t.date(data.saved_at.date(), "long")))
            for action_id in data.pledges:
                st.write("✓ " + t(ACTION.get(action_id, action_id)))
            if data.by_category.get("public_services"):
                st.caption(
                    t(
                        "Without public services ({public}), which are the same for everyone.",
                        public=tonnes(t, data.by_category["public_services"]),
                    )
                )
