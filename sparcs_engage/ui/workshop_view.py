"""The participant's page of a live workshop (/workshop), as one function.

A resident joins with the code (typed, or from the QR link ``?code=``), and their tablet keeps
who they are in the URL (``&p=<token>``): a reload, or a tablet waking up after its session
was dropped, opens the same person with exactly what the database holds. Every tap is one
transaction of the core, saved at once; this module only draws and calls.

The screen follows the facilitator: a small fragment that draws nothing looks every few
seconds at the workshop's mark (one small read per process and second, shared by every tablet
of the workshop, see sparcs_engage.workshops.changes) and draws the page again only when the
part of the mark a tablet shows has moved on (while voting, others' dots are not part of it).
Every TOUCH_S it reads the participant's state, so the board still counts them as connected.
A waiting tablet so costs a cache look-up, not a redraw of its cards; a card being typed
stays in its field across a redraw (the field keeps its key).

A tap names itself (``tap`` ids made when the buttons are drawn, renewed after each tap), so a
tap whose callback runs twice places one dot.
"""

from __future__ import annotations

import time
import uuid

import streamlit as st

from sparcs_engage import workshops as ws
from sparcs_engage.db import get_engine
from sparcs_engage.i18n import N_
from sparcs_engage.settings import load_settings
from sparcs_engage.ui.database import (
    guarded_callback,
    page_guard,
    require_database,
    safe_to_repeat,
)
from sparcs_engage.ui.database import run_use_case as _call
from sparcs_engage.ui.layout import cut_note, escape_markdown, keep_what_fits
from sparcs_engage.ui.layout import error_text as _error

REFRESH_S = 3
# A dot names its tap, so its write may be repeated after a commit whose answer was lost.
safe_to_repeat(ws.cast_vote)
# A tablet reads its whole state at least this often, so that the board counts it as connected
# (ws.ONLINE_WINDOW_S) even when nothing changes.
TOUCH_S = 30
CODE_PARAM = "code"
TOKEN_PARAM = "p"

PHASE_HINTS: dict[str, str] = {
    "collecting": N_("Write your ideas for 2050 on cards: one idea per card."),
    "voting": N_("Voting is open: place your dots on the ideas you like best."),
    "results": N_("These are the ideas with the most dots. Please tell us how the workshop went."),
}


def render(visitor) -> None:
    """Draw /workshop for this visitor."""
    t = visitor.t
    engine = require_database(t)
    state = st.session_state
    raw_code = st.query_params.get(CODE_PARAM)
    token = st.query_params.get(TOKEN_PARAM)
    code = ws.normalize_join_code(raw_code) if raw_code else None

    if token:
        try:
            me = _read(engine, token)
        except ws.WorkshopError as error:
            del st.query_params[TOKEN_PARAM]
            state["wk_notice"] = _error(t, error)
            me = None
        if me is not None and code is not None and me.workshop.join_code != code:
            # A token of another workshop (a shared tablet, an old link): start afresh here.
            del st.query_params[TOKEN_PARAM]
            me = None
        if me is not None:
            state["wk_last_token"] = token  # to be the same person after leaving the page
            if code is None:
                st.query_params[CODE_PARAM] = me.workshop.join_code
            own_city = me.workshop.city
            if own_city in visitor.registry.ids() and (
                visitor.city is None or visitor.city.id != own_city
            ):
                # The QR link names no city: the header follows the workshop's own.
                st.query_params["city"] = own_city
                st.session_state["_city"] = own_city
                st.rerun()
            _participant(visitor, engine, token, me)
            return
    _join(visitor, engine, raw_code, code)


# --------------------------------------------------------------------------------------------
# Joining
# --------------------------------------------------------------------------------------------


def _join(visitor, engine, raw_code: str | None, code: str | None) -> None:
    t = visitor.t
    state = st.session_state
    st.title(t("Join the workshop"))
    st.write(
        t(
            "Type the code you see on the screen, or scan the QR code. A first name is "
            "optional: without one, you get a friendly made-up name."
        )
    )
    notice = state.pop("wk_notice", None)
    if notice:
        st.warning(notice, icon=":material/info:")
    if raw_code and code is None:
        st.error(_error(t, ws.WorkshopError(ws.INVALID_CODE)), icon=":material/error:")
    with st.form("wk_join", enter_to_submit=True, border=True):
        typed = st.text_input(
            t("Workshop code"),
            value=code or "",
            max_chars=12,
            key="wk_code",
            placeholder="K7QM4T",
            autocomplete="off",
        )
        name = st.text_input(
            t("Your first name (optional)"),
            max_chars=ws.MAX_NAME_LENGTH,
            key="wk_name",
            autocomplete="given-name",
        )
        joining = st.form_submit_button(
            t("Join"), type="primary", key="wk_join_submit", width="stretch"
        )
    if not joining:
        return
    try:
        # The same tablet coming back (after a tap on the menu, say) is the same person again.
        joined = _call(
            engine,
            ws.join_workshop,
            code=typed,
            name=name or None,
            lang=visitor.lang,
            token=state.get("wk_last_token"),
        )
    except ws.WorkshopError as error:
        st.error(_error(t, error), icon=":material/error:")
        return
    st.query_params[CODE_PARAM] = ws.normalize_join_code(typed) or typed
    st.query_params[TOKEN_PARAM] = joined.token
    state["wk_last_token"] = joined.token
    state["wk_welcome"] = joined.name
    st.rerun()


# --------------------------------------------------------------------------------------------
# Taking part
# --------------------------------------------------------------------------------------------


def _signature(me: ws.ParticipantState) -> tuple[str, bool]:
    """What decides the page's layout: when it changes, the whole page is drawn again."""
    return me.workshop.phase, me.workshop.show_cards


def _participant(visitor, engine, token: str, me: ws.ParticipantState) -> None:
    t = visitor.t
    state = st.session_state
    info = me.workshop
    st.title(escape_markdown(info.title))
    welcome = state.pop("wk_welcome", None)
    if welcome:
        st.toast(
            t("Welcome, {name}!", name=escape_markdown(welcome)), icon=":material/waving_hand:"
        )
    st.caption(t("You take part as {name}.", name=escape_markdown(me.name)))
    state["wk_signature"] = _signature(me)

    if info.phase == "closed":
        st.success(t(ws.MESSAGES[ws.CLOSED]), icon=":material/celebration:")
        _results(t, me, top=ws.TOP_VISIONS)
        _leave(t)
        return
    hint = PHASE_HINTS.get(info.phase)
    if hint:
        st.info(t(hint), icon=":material/lightbulb:")
    if info.phase == "collecting":
        _card_form(t, engine, token, info)
    _live(visitor, engine, token, me)
    if info.phase == "results":
        _rating(t, engine, token, me)
    _leave(t)


@st.cache_data(ttl=1, show_spinner=False, max_entries=500)
def _shared_mark(url: str, workshop_id: str) -> tuple:
    """The workshop's mark as tablets see it, read at most once a second per process."""
    return _call(get_engine(url), ws.workshop_mark, workshop_id=workshop_id).for_tablet()


def _current(engine, token: str, workshop_id) -> ws.ParticipantState:
    """The participant's state: kept from the last read while the workshop's mark stands."""
    state = st.session_state
    mark = _shared_mark(load_settings().database_url, str(workshop_id))
    kept = state.get("wk_me")
    fresh_enough = time.monotonic() - state.get("wk_read_at", 0.0) < TOUCH_S
    if kept is not None and kept[0] == token and kept[1] == mark and fresh_enough:
        return kept[2]
    me = _call(engine, ws.participant_state, token=token)
    state["wk_me"] = (token, mark, me)
    state["wk_read_at"] = time.monotonic()
    return me


def _read(engine, token: str) -> ws.ParticipantState:
    """The state for a whole page: the kept one when it is this participant's and current."""
    kept = st.session_state.get("wk_me")
    if kept is not None and kept[0] == token:
        return _current(engine, token, kept[2].workshop.id)
    me = _call(engine, ws.participant_state, token=token)
    # No mark yet (it must be read before the state it vouches for): the fragment's next run
    # reads both.
    st.session_state["wk_me"] = (token, None, me)
    st.session_state["wk_read_at"] = time.monotonic()
    return me


def _forget_current() -> None:
    """After the participant's own tap: the next draw reads their state afresh."""
    st.session_state.pop("wk_me", None)


def _live(visitor, engine, token: str, me: ws.ParticipantState) -> None:
    """What follows the workshop (the cards, the dots, the results), drawn with the page; a
    small watcher decides when the page must be drawn again."""
    t = visitor.t
    if me.workshop.phase == "collecting":
        _collected(t, me)
    elif me.workshop.phase == "voting":
        _voting(t, engine, token, me)
    elif me.workshop.phase == "results":
        _results(t, me, top=None)
    _watch(visitor, engine, token, me.workshop.id)


def _watch(visitor, engine, token: str, workshop_id) -> None:
    """Every few seconds, the workshop's shared mark (no read of this tablet's own state): the
    page is drawn again only when what this tablet shows has moved on. A waiting tablet costs
    a cache look-up; every TOUCH_S it reads its state, which also tells the board it is there."""

    @st.fragment(run_every=REFRESH_S)
    def watch() -> None:
        state = st.session_state
        with page_guard(visitor.t, retry=False):  # the next run tries again
            mark = _shared_mark(load_settings().database_url, str(workshop_id))
            kept = state.get("wk_me")
            if kept is None or kept[0] != token:
                st.rerun(scope="app")
            if kept[1] is None:  # the page's first read: its mark, read after it
                state["wk_me"] = (token, mark, kept[2])
                return
            if kept[1] != mark:
                st.rerun(scope="app")
            if time.monotonic() - state.get("wk_read_at", 0.0) >= TOUCH_S:
                try:
                    me = _call(engine, ws.participant_state, token=token)
                except ws.WorkshopError:
                    st.rerun(scope="app")
                state["wk_read_at"] = time.monotonic()
                if me != kept[2]:
                    state["wk_me"] = (token, mark, me)
                    st.rerun(scope="app")

    watch()


def _card_form(t, engine, token: str, info: ws.WorkshopInfo) -> None:
    state = st.session_state
    message = state.pop("wk_card_message", None)

    def save() -> None:
        _forget_current()
        keep_what_fits("wk_card_text", ws.MAX_CARD_LENGTH)  # whichever callback ran first
        try:
            _call(
                engine,
                ws.add_card,
                token=token,
                theme=state.get("wk_card_theme"),
                text=state.get("wk_card_text", ""),
            )
        except ws.WorkshopError as error:
            state["wk_card_message"] = ("error", _error(t, error))
            return
        # Saved: the box is emptied for the next idea; the theme stays chosen.
        state["wk_card_text"] = ""
        state["wk_card_message"] = ("success", t("Your card is saved."))

    with st.container(border=True, key="wk_new_card"):
        st.subheader(t("Your vision for 2050"))
        if state.get("wk_card_theme") not in info.themes:
            state["wk_card_theme"] = info.themes[0]
        st.selectbox(
            t("Theme"),
            info.themes,
            format_func=lambda theme: ws.theme_label(theme, t.lang),
            key="wk_card_theme",
        )
        st.text_area(
            t("Your idea"),
            key="wk_card_text",
            placeholder=t("In 2050 our district ..."),
            on_change=keep_what_fits,
            args=("wk_card_text", ws.MAX_CARD_LENGTH),
        )
        cut_note(t, "wk_card_text", ws.MAX_CARD_LENGTH)
        st.button(
            t("Save the card"),
            type="primary",
            key="wk_card_save",
            icon=":material/add:",
            on_click=guarded_callback(t, save),
        )
        if message:
            kind, text = message
            (st.success if kind == "success" else st.error)(text)


def _card_box(card: ws.ParticipantCard, t, *, extra: str | None = None) -> None:
    st.text(card.text)
    notes = []
    if card.mine:
        notes.append(t("Your card"))
    elif card.by_facilitator:
        notes.append(t("From the facilitator"))
    if extra:
        notes.append(extra)
    if notes:
        st.caption(" · ".join(notes))


def _by_theme(me: ws.ParticipantState, cards) -> list[tuple[str, list[ws.ParticipantCard]]]:
    themes = dict.fromkeys(me.workshop.themes)
    groups: dict[str, list[ws.ParticipantCard]] = {theme: [] for theme in themes}
    for card in cards:
        groups.setdefault(card.theme, []).append(card)
    return [(theme, cards) for theme, cards in groups.items() if cards]


def _collected(t, me: ws.ParticipantState) -> None:
    cards = [c for c in me.cards if not c.hidden and c.merged_into_id is None]
    shared = me.workshop.show_cards
    st.subheader(t("Cards on the board") if shared else t("Your cards"))
    if not shared:
        st.caption(t("The others' cards appear here when the facilitator shares them."))
    if not cards:
        st.write(t("No cards yet."))
        return
    for theme, group in _by_theme(me, cards):
        st.markdown(f"**{escape_markdown(ws.theme_label(theme, t.lang))}**")
        for card in group:
            with st.container(border=True):
                _card_box(card, t)


def _voting(t, engine, token: str, me: ws.ParticipantState) -> None:
    state = st.session_state
    info = me.workshop
    message = state.pop("wk_vote_message", None)
    st.subheader(
        t.ngettext("You have {n} dot left", "You have {n} dots left", me.dots_left),
        anchor=False,
    )
    st.caption(
        t.ngettext(
            "Each participant has {n} dot.",
            "Each participant has {n} dots.",
            info.dots_per_participant,
        )
        + " "
        + t.ngettext(
            "At most {n} dot on one card.",
            "At most {n} dots on one card.",
            info.max_dots_per_card,
        )
    )
    if message:
        st.warning(message, icon=":material/info:")

    # The taps drawn now share one epoch; a tap that has run renews it, so the same tap
    # arriving twice (its callback run again by a refresh) is recognised and placed once.
    epoch = state.setdefault("wk_tap_epoch", uuid.uuid4().hex[:16])
    done: set = state.setdefault("wk_taps_done", set())

    def tap(use_case, card_id: int, tap_id: str) -> None:
        if tap_id in done:
            return
        done.add(tap_id)
        state["wk_tap_epoch"] = uuid.uuid4().hex[:16]
        _forget_current()
        kwargs = {"tap": tap_id} if use_case is ws.cast_vote else {}
        try:
            _call(engine, use_case, token=token, card_id=card_id, **kwargs)
        except ws.WorkshopError as error:
            state["wk_vote_message"] = _error(t, error)

    tap = guarded_callback(t, tap)

    cards = [c for c in me.cards if not c.hidden and c.merged_into_id is None]
    for theme, group in _by_theme(me, cards):
        st.markdown(f"**{escape_markdown(ws.theme_label(theme, t.lang))}**")
        for card in group:
            with st.container(border=True, key=f"wk_card_{card.id}"):
                _card_box(
                    card,
                    t,
                    extra=t.ngettext("{n} of your dots", "{n} of your dots", card.my_dots)
                    if card.my_dots
                    else None,
                )
                with st.container(horizontal=True, gap="small"):
                    st.button(
                        t("Place a dot"),
                        key=f"wk_vote_{card.id}",
                        icon=":material/add_circle:",
                        disabled=me.dots_left == 0 or card.my_dots >= info.max_dots_per_card,
                        on_click=tap,
                        args=(ws.cast_vote, card.id, f"{epoch}-p{card.id}"),
                    )
                    if card.my_dots:
                        st.button(
                            t("Take a dot back"),
                            key=f"wk_unvote_{card.id}",
                            icon=":material/remove_circle:",
                            on_click=tap,
                            args=(ws.withdraw_vote, card.id, f"{epoch}-w{card.id}"),
                        )
    # Dots on a card the facilitator has hidden still count: offer them back (without the text).
    hidden = [c for c in me.cards if c.hidden and c.my_dots]
    if hidden:
        st.caption(t("The facilitator has taken a card with your dots off the board."))
        for card in hidden:
            with st.container(border=True, horizontal=True, key=f"wk_hidden_{card.id}"):
                st.text(t.ngettext("{n} of your dots", "{n} of your dots", card.my_dots))
                st.button(
                    t("Take a dot back"),
                    key=f"wk_unvote_hidden_{card.id}",
                    icon=":material/remove_circle:",
                    on_click=tap,
                    args=(ws.withdraw_vote, card.id, f"{epoch}-h{card.id}"),
                )


def _results(t, me: ws.ParticipantState, top: int | None) -> None:
    cards = [c for c in me.cards if c.dots is not None]
    st.subheader(t("The ideas with the most dots"))
    if not cards:
        st.write(t("No cards yet."))
        return
    for theme, group in _by_theme(me, cards):
        ranked = sorted(group, key=lambda c: (-(c.dots or 0), c.id))
        st.markdown(f"**{escape_markdown(ws.theme_label(theme, t.lang))}**")
        for card in ranked[:top] if top else ranked:
            with st.container(border=True):
                _card_box(card, t, extra=t.ngettext("{n} dot", "{n} dots", card.dots or 0))


def _rating(t, engine, token: str, me: ws.ParticipantState) -> None:
    state = st.session_state
    with st.container(border=True, key="wk_rating_box"):
        st.subheader(t("How was the workshop?"))
        if me.finished and me.rating is not None and not state.get("wk_rate_again"):
            st.success(t("Thank you for your rating!"), icon=":material/favorite:")
            if st.button(t("Change my rating"), key="wk_rate_change"):
                state["wk_rate_again"] = True
                st.rerun()
            return
        stars = st.feedback(
            "stars",
            key="wk_rating",
            default=me.rating - 1 if me.rating else None,
        )
        comment = st.text_area(
            t("Anything else you want to tell us? (optional)"),
            value=me.rating_comment or "",
            max_chars=ws.MAX_COMMENT_LENGTH,
            key="wk_comment",
        )
        if st.button(t("Send my rating"), type="primary", key="wk_rate"):
            if stars is None:
                st.error(_error(t, ws.WorkshopError(ws.INVALID_RATING)))
                return
            _forget_current()
            try:
                _call(engine, ws.rate_workshop, token=token, rating=stars + 1, comment=comment)
                _call(engine, ws.finish, token=token)
            except ws.WorkshopError as error:
                st.error(_error(t, error))
                return
            state.pop("wk_rate_again", None)
            st.rerun()


def _leave(t) -> None:
    st.divider()

    def leave() -> None:
        # A shared tablet: the next resident joins as themselves. The first one's cards and
        # dots stay saved.
        st.query_params.pop(TOKEN_PARAM, None)
        for key in ("wk_card_text", "wk_name", "wk_rating", "wk_comment", "wk_last_token"):
            st.session_state.pop(key, None)

    st.button(
        t("Hand the tablet on: join as someone else"),
        key="wk_leave",
        icon=":material/logout:",
        on_click=leave,
    )
