"""The facilitator's page of live workshops (/facilitate), as one function.

Set up a workshop, open it, put the join code and its QR code on the projector, move the
workshop through its phases, watch the live board (it refreshes by itself), tidy it (hide,
merge, add a card) and, once closed, export the outcome and print its summary.

The workshop shown is chosen by ``?code=`` so that a reload of the facilitator's laptop keeps
it. Every rule (phases, limits, who may do what to which card) is the core's; this module draws
and calls.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

import streamlit as st

from sparcs_engage import workshops as ws
from sparcs_engage.i18n import LANGUAGE_NAMES, N_
from sparcs_engage.navigation import PRESENT_VIEW, VIEW_PARAM
from sparcs_engage.surveys import SurveyDataError, load_survey
from sparcs_engage.ui import presenter_view
from sparcs_engage.ui.database import guarded_callback, page_guard, require_database
from sparcs_engage.ui.database import run_use_case as _call
from sparcs_engage.ui.layout import error_text as _error
from sparcs_engage.ui.layout import escape_markdown, sign_in_required

ROLE = "facilitator"
BOARD_REFRESH_S = 2
CODE_PARAM = "code"
FALLBACK_BASE_URL = "http://localhost:8501"

PHASE_LABELS: dict[str, str] = {
    "draft": N_("Not opened yet"),
    "collecting": N_("Collecting cards"),
    "voting": N_("Voting"),
    "results": N_("Showing the results"),
    "closed": N_("Closed"),
}
# The button that moves the workshop to a phase, by the phase it moves to.
PHASE_ACTIONS: dict[str, str] = {
    "collecting": N_("Collect cards"),
    "voting": N_("Start voting"),
    "results": N_("Show the results"),
    "closed": N_("Close the workshop"),
}
VIEWS: dict[str, str] = {
    "join": N_("Join screen"),
    "board": N_("Live board"),
    "moderate": N_("Tidy the board"),
    "outcome": N_("Outcome"),
}


def render(visitor) -> None:
    """Draw /facilitate for this visitor; without the facilitator role, only the way in."""
    t = visitor.t
    if visitor.role != ROLE:
        sign_in_required(visitor, t("Run a workshop"))
        return
    city = visitor.city
    if city is None:
        st.title(t("Run a workshop"))
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    engine = require_database(t)
    st.set_page_config(layout="wide")
    # Only the workshops this facilitator runs (created, or was given): no other one opens here.
    workshops = _call(engine, ws.list_workshops, city=city.id, run_by=visitor.identity.username)
    code = ws.normalize_join_code(st.query_params.get(CODE_PARAM) or "")
    chosen = next((w for w in workshops if w.join_code == code), None)
    if st.query_params.get(VIEW_PARAM) == PRESENT_VIEW:
        if chosen is not None:
            url = ws.join_url(_base_url(), chosen.join_code, lang=chosen.lang, city=chosen.city)
            presenter_view.render(visitor, engine, chosen, join_url=url)
            return
        # No such workshop to present: the list, with the site's header and footer again.
        del st.query_params[VIEW_PARAM]
        st.rerun()
    if chosen is None:
        if code is not None or st.query_params.get(CODE_PARAM):
            del st.query_params[CODE_PARAM]
        _overview(visitor, engine, workshops)
    else:
        _workshop(visitor, engine, chosen)


# --------------------------------------------------------------------------------------------
# The list and the set-up form
# --------------------------------------------------------------------------------------------


def _choose(code: str | None) -> None:
    if code:
        st.query_params[CODE_PARAM] = code
    elif CODE_PARAM in st.query_params:
        del st.query_params[CODE_PARAM]
    st.session_state.pop("fc_view", None)
    st.session_state.pop("fc_confirm_close", None)


def _overview(visitor, engine, workshops: list[ws.WorkshopInfo]) -> None:
    t = visitor.t
    st.title(t("Run a workshop"))
    st.write(
        t(
            "Residents join on their tablets with a short code or a QR code, write their "
            "visions for 2050 on cards and vote on them with dots. The board updates live."
        )
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.header(t("Workshops in {city}", city=visitor.city.name(visitor.lang)))
        if not workshops:
            st.write(t("No workshops yet."))
        for info in workshops:
            with st.container(border=True, key=f"fc_item_{info.join_code}"):
                st.markdown(f"**{escape_markdown(info.title)}**")
                st.caption(
                    " · ".join(
                        [
                            t.date(info.held_on),
                            t(PHASE_LABELS[info.phase]),
                            t("Code {code}", code=info.join_code),
                        ]
                        + ([t("Demo data")] if info.is_demo else [])
                    )
                )
                st.button(
                    t("Open"),
                    key=f"fc_pick_{info.join_code}",
                    on_click=_choose,
                    args=(info.join_code,),
                )
    with right:
        _create_form(visitor, engine)


def _create_form(visitor, engine) -> None:
    t = visitor.t
    lang = visitor.lang
    city = visitor.city
    try:
        districts = load_survey(city.id)
    except SurveyDataError:
        districts = None
    district_ids = list(districts.districts) if districts else []
    city_theme_ids = list(ws.city_themes(city.id))
    st.header(t("Set up a new workshop"))
    with st.form("fc_create_form", border=True):
        title = st.text_input(t("Title"), max_chars=ws.MAX_TITLE_LENGTH, key="fc_title")
        held_on = st.date_input(
            t("Date"), value=date.today(), key="fc_date", format=t.date_input_format
        )
        workshop_lang = st.selectbox(
            t("Language of the workshop"),
            city.languages,  # the city's own
            index=city.languages.index(lang) if lang in city.languages else 0,
            format_func=lambda code: LANGUAGE_NAMES[code],
            key="fc_lang",
        )
        district = st.selectbox(
            t("District (optional)"),
            district_ids,
            index=None,
            format_func=lambda d: districts.district_name(d, lang),
            placeholder=t("The whole city"),
            key="fc_district",
        )
        themes = st.multiselect(
            t("Themes"),
            city_theme_ids,
            default=city_theme_ids,
            format_func=lambda theme: ws.theme_label(theme, lang),
            key="fc_themes",
            help=t("By default the city's Key Strategic Areas."),
            placeholder=t("Choose themes"),
        )
        own = st.text_area(
            t("Themes of your own (optional, one per line)"),
            key="fc_own_themes",
            height=90,
        )
        dots_col, card_col = st.columns(2)
        dots = dots_col.number_input(
            t("Dots per participant"),
            min_value=1,
            max_value=ws.MAX_DOTS,
            value=ws.DEFAULT_DOTS,
            key="fc_dots",
        )
        per_card = card_col.number_input(
            t("Most dots on one card"),
            min_value=1,
            max_value=ws.MAX_DOTS,
            value=ws.DEFAULT_DOTS_PER_CARD,
            key="fc_dots_per_card",
        )
        show_cards = st.checkbox(
            t("Participants see each other's cards while collecting"),
            key="fc_show_cards",
        )
        created = st.form_submit_button(t("Create the workshop"), type="primary", key="fc_create")
    if not created:
        return
    all_themes = [*themes, *(line.strip() for line in (own or "").splitlines() if line.strip())]
    try:
        info = _call(
            engine,
            ws.create_workshop,
            facilitator=visitor.identity.username,
            title=title,
            city=city.id,
            held_on=held_on,
            lang=workshop_lang,
            district=district,
            themes=all_themes,
            dots_per_participant=int(dots),
            max_dots_per_card=int(per_card),
            show_cards=show_cards,
        )
    except ws.WorkshopError as error:
        st.error(_error(t, error), icon=":material/error:")
        return
    _choose(info.join_code)
    st.rerun()


# --------------------------------------------------------------------------------------------
# One workshop
# --------------------------------------------------------------------------------------------


def _base_url() -> str:
    """The app's address as the facilitator's browser sees it (the residents see the same)."""
    url = st.context.url or FALLBACK_BASE_URL
    url = url.split("?", 1)[0].rstrip("/")
    if url.endswith("/facilitate"):
        url = url[: -len("/facilitate")]
    return url


def _workshop(visitor, engine, info: ws.WorkshopInfo) -> None:
    t = visitor.t
    state = st.session_state
    facilitator = visitor.identity.username
    st.button(
        t("All workshops"),
        key="fc_back",
        icon=":material/arrow_back:",
        on_click=_choose,
        args=(None,),
    )
    st.title(escape_markdown(info.title))
    place = visitor.city.name(visitor.lang)
    if info.district:
        with contextlib.suppress(SurveyDataError):
            district = load_survey(info.city).district_name(info.district, visitor.lang)
            place = f"{district}, {place}"
    st.caption(
        " · ".join(
            [
                t.date(info.held_on),
                place,
                LANGUAGE_NAMES.get(info.lang, info.lang),
                t("Code {code}", code=info.join_code),
            ]
        )
    )
    # The projector's own window (a new tab): the controls stay in this one. In the workshop's
    # language, which is the residents'. No help tooltip: with one, Streamlit draws the link
    # twice.
    present = {CODE_PARAM: info.join_code, VIEW_PARAM: PRESENT_VIEW, "lang": info.lang}
    st.link_button(
        t("Open the presenter view"),
        f"{_base_url()}/facilitate?{urlencode({**present, 'city': info.city})}",
        key="fc_present",
        icon=":material/present_to_all:",
    )
    notice = state.pop("fc_notice", None)
    if notice:
        st.error(notice, icon=":material/error:")

    def act(use_case, **kwargs) -> None:
        try:
            _call(engine, use_case, workshop_id=info.id, facilitator=facilitator, **kwargs)
        except ws.WorkshopError as error:
            state["fc_notice"] = _error(t, error)

    act = guarded_callback(t, act)

    with st.container(border=True, key="fc_phase"):
        st.markdown(
            t("Phase: **{phase}**", phase=t(PHASE_LABELS[info.phase])),
        )
        with st.container(horizontal=True, gap="small"):
            for phase in ws.NEXT_PHASES[info.phase]:
                label = t("Open the workshop") if info.phase == "draft" else t(PHASE_ACTIONS[phase])
                if phase == "closed":
                    st.button(
                        label,
                        key="fc_phase_closed",
                        icon=":material/lock:",
                        on_click=lambda: state.__setitem__("fc_confirm_close", True),
                    )
                    continue
                st.button(
                    label,
                    key=f"fc_phase_{phase}",
                    type="primary" if phase == _next_step(info.phase) else "secondary",
                    on_click=act,
                    args=(ws.set_phase,),
                    kwargs={"phase": phase},
                )
        if state.get("fc_confirm_close") and info.phase != "closed":
            st.warning(
                t(
                    "Closing ends the workshop for good: nobody can write, vote or rate any "
                    "more. Then you can export the outcome."
                )
            )
            with st.container(horizontal=True, gap="small"):
                st.button(
                    t("Yes, close the workshop"),
                    key="fc_close_yes",
                    type="primary",
                    on_click=lambda: (
                        state.pop("fc_confirm_close", None),
                        act(ws.set_phase, phase="closed"),
                    ),
                )
                st.button(
                    t("Cancel"),
                    key="fc_close_no",
                    on_click=lambda: state.pop("fc_confirm_close", None),
                )
        if info.phase != "closed":
            st.toggle(
                t("Participants see each other's cards while collecting"),
                value=info.show_cards,
                key=f"fc_show_cards_{info.join_code}",
                on_change=lambda: act(
                    ws.set_show_cards,
                    show=bool(state.get(f"fc_show_cards_{info.join_code}")),
                ),
            )

    _facilitators(visitor, engine, info)

    if "fc_view" not in state or state["fc_view"] is None:
        state["fc_view"] = {
            "draft": "join",
            "collecting": "join",
            "closed": "outcome",
        }.get(info.phase, "board")
    view = st.segmented_control(
        t("Show"),
        list(VIEWS),
        format_func=lambda v: t(VIEWS[v]),
        key="fc_view",
        required=True,
        label_visibility="collapsed",
    )
    if view == "join":
        _join_screen(visitor, info)
    elif view == "board":
        _live_board(visitor, engine, info.id, live=info.phase != "closed")
    elif view == "moderate":
        _moderate(visitor, engine, info, act)
    else:
        _outcome(visitor, engine, info)


def _facilitators(visitor, engine, info: ws.WorkshopInfo) -> None:
    """Who runs this workshop, and a way to give it to another facilitator (a co-host)."""
    t = visitor.t
    state = st.session_state
    names = _call(engine, ws.workshop_facilitators, workshop_id=info.id)
    with st.expander(t("Facilitators of this workshop: {names}", names=", ".join(names))):
        st.text_input(t("User name of another facilitator"), key="fc_give_to", max_chars=64)

        def give() -> None:
            try:
                _call(
                    engine,
                    ws.give_workshop,
                    workshop_id=info.id,
                    facilitator=visitor.identity.username,
                    to=state.get("fc_give_to", ""),
                )
            except ws.WorkshopError as error:
                state["fc_notice"] = _error(t, error)
                return
            state["fc_give_to"] = ""

        st.button(
            t("Add as a facilitator"),
            key="fc_give",
            icon=":material/person_add:",
            on_click=guarded_callback(t, give),
        )


def _next_step(phase: str) -> str | None:
    return {"draft": "collecting", "collecting": "voting", "voting": "results"}.get(phase)


def _join_screen(visitor, info: ws.WorkshopInfo) -> None:
    t = visitor.t
    url = ws.join_url(_base_url(), info.join_code, lang=info.lang, city=info.city)
    if info.phase == "draft":
        st.info(t("Residents can join once you open the workshop."), icon=":material/info:")
    text_col, qr_col = st.columns([3, 2], vertical_alignment="center")
    label = t("Join with the code")
    with text_col:
        st.html(
            '<div class="sparcs-join">'
            f'<p class="sparcs-join-label">{html.escape(label)}</p>'
            f'<p class="sparcs-join-code">{html.escape(info.join_code)}</p>'
            f'<p class="sparcs-join-url">{html.escape(url)}</p>'
            "</div>"
        )
    with qr_col:
        svg = ws.qr_svg(url)
        if "xmlns=" not in svg[:200]:
            # Drawn as an <img>: a standalone SVG needs its namespace.
            svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        st.image(svg, width=320, alt=t("QR code to join the workshop"))


def _live_board(visitor, engine, workshop_id, *, live: bool = True) -> None:
    # A closed workshop's board cannot change: no refreshing then.
    @st.fragment(run_every=BOARD_REFRESH_S if live else None)
    def board() -> None:
        t = visitor.t
        # A fragment's rerun sends the page configuration of app.py again: keep the board wide.
        st.set_page_config(layout="wide")
        with page_guard(t, retry=False):  # the board's next refresh tries again
            _draw_board(t, engine, workshop_id)

    board()


def _draw_board(t, engine, workshop_id) -> None:
    try:
        current = _call(engine, ws.board, workshop_id=workshop_id)
    except ws.WorkshopError as error:
        st.warning(_error(t, error))
        return
    if current.workshop.phase != st.session_state.get("fc_board_phase", current.workshop.phase):
        st.session_state["fc_board_phase"] = current.workshop.phase
        st.rerun()  # another facilitator's laptop moved the phase: redraw the controls too
    st.session_state["fc_board_phase"] = current.workshop.phase
    cards = sum(len(column.cards) for column in current.columns)
    with st.container(horizontal=True, key="fc_board_counts"):
        st.metric(t("Connected now"), t.number(current.participants_connected))
        st.metric(t("Finished"), t.number(current.participants_finished))
        st.metric(t("Cards"), t.number(cards))
        st.metric(t("Dots placed"), t.number(current.dots_cast))
    columns = [column for column in current.columns]
    per_row = 3
    for start in range(0, len(columns), per_row):
        row = st.columns(per_row, gap="medium")
        for slot, column in zip(row, columns[start : start + per_row], strict=False):
            with slot:
                _board_column(t, column, phase=current.workshop.phase)


def _board_column(t, column: ws.BoardColumn, *, phase: str) -> None:
    st.subheader(escape_markdown(ws.theme_label(column.theme, t.lang)), anchor=False)
    # Stable while residents vote (a card does not jump when another gets a dot), ranked after.
    cards = ws.board_order(column.cards, phase)
    if not cards:
        st.caption(t("No cards yet."))
    for card in cards:
        with st.container(border=True, key=f"fc_card_{card.id}"):
            st.text(card.text)
            notes = [t.ngettext("{n} dot", "{n} dots", card.dots)]
            notes.append(
                t("From the facilitator")
                if card.by_facilitator
                else escape_markdown(card.author or "")
            )
            if card.merged_ids:
                notes.append(
                    t.ngettext(
                        "{n} similar card merged in",
                        "{n} similar cards merged in",
                        len(card.merged_ids),
                    )
                )
            st.caption(" · ".join(notes))


def _card_label(t, card: ws.BoardCard) -> str:
    text = card.text if len(card.text) <= 70 else card.text[:69] + "…"
    return f"{ws.theme_label(card.theme, t.lang)}: {text}"


def _moderate(visitor, engine, info: ws.WorkshopInfo, act) -> None:
    t = visitor.t
    state = st.session_state
    current = _call(engine, ws.board, workshop_id=info.id)
    on_board = [card for column in current.columns for card in column.cards]
    if info.phase == "closed":
        st.info(
            t(
                "The workshop is closed: no new cards or merges. You can still hide a card, "
                "for example to take it off the public results."
            )
        )
        _hide_section(t, current, on_board, act)
        return
    st.button(t("Refresh"), key="fc_refresh", icon=":material/refresh:")

    with st.container(border=True, key="fc_add_card"):
        st.subheader(t("Add a card of your own"), anchor=False)
        st.selectbox(
            t("Theme"),
            info.themes,
            format_func=lambda theme: ws.theme_label(theme, t.lang),
            key="fc_new_theme",
        )
        st.text_area(t("Card"), max_chars=ws.MAX_CARD_LENGTH, key="fc_new_text")

        def add() -> None:
            try:
                _call(
                    engine,
                    ws.add_facilitator_card,
                    workshop_id=info.id,
                    theme=state.get("fc_new_theme"),
                    text=state.get("fc_new_text", ""),
                    facilitator=visitor.identity.username,
                )
            except ws.WorkshopError as error:
                state["fc_notice"] = _error(t, error)
                return
            state["fc_new_text"] = ""

        st.button(t("Add the card"), key="fc_add", icon=":material/add:", on_click=add)

    with st.container(border=True, key="fc_merge"):
        st.subheader(t("Merge two similar cards"), anchor=False)
        st.caption(t("The first card leaves the board; its dots count for the second."))
        ids = [card.id for card in on_board]
        labels = {card.id: _card_label(t, card) for card in on_board}
        source = st.selectbox(
            t("This card"),
            ids,
            index=None,
            format_func=labels.get,
            placeholder=t("Choose a card"),
            key="fc_merge_source",
        )
        target = st.selectbox(
            t("goes into this card"),
            [i for i in ids if i != source],
            index=None,
            format_func=labels.get,
            placeholder=t("Choose a card"),
            key="fc_merge_target",
        )

        def merge() -> None:
            act(
                ws.merge_cards,
                card_id=state.get("fc_merge_source"),
                into_card_id=state.get("fc_merge_target"),
            )
            state.pop("fc_merge_source", None)
            state.pop("fc_merge_target", None)

        st.button(
            t("Merge"),
            key="fc_merge_go",
            icon=":material/merge:",
            disabled=source is None or target is None,
            on_click=merge,
        )

    _hide_section(t, current, on_board, act)


def _hide_section(t, current: ws.Board, on_board: list, act) -> None:
    with st.container(border=True, key="fc_hide"):
        st.subheader(t("Hide a card"), anchor=False)
        st.caption(t("A hidden card leaves the board and everyone's tablets; it stays stored."))
        for card in on_board:
            with st.container(horizontal=True, key=f"fc_hide_row_{card.id}"):
                st.text(_card_label(t, card))
                st.button(
                    t("Hide"),
                    key=f"fc_hide_{card.id}",
                    icon=":material/visibility_off:",
                    on_click=act,
                    args=(ws.hide_card,),
                    kwargs={"card_id": card.id, "hidden": True},
                )
        if current.hidden_cards:
            hidden_title = t("Hidden cards")  # outside the f-string, so pybabel finds it
            st.markdown(f"**{hidden_title}**")
            for card in current.hidden_cards:
                with st.container(horizontal=True, key=f"fc_hidden_row_{card.id}"):
                    st.text(_card_label(t, card))
                    st.button(
                        t("Put back"),
                        key=f"fc_unhide_{card.id}",
                        icon=":material/visibility:",
                        on_click=act,
                        args=(ws.hide_card,),
                        kwargs={"card_id": card.id, "hidden": False},
                    )


def _outcome(visitor, engine, info: ws.WorkshopInfo) -> None:
    t = visitor.t
    if info.phase not in ("results", "closed"):
        st.info(t(ws.MESSAGES[ws.NO_RESULTS_YET]), icon=":material/info:")
        return
    if info.phase == "closed":
        _downloads(visitor, engine, info)
    else:
        st.info(t(ws.MESSAGES[ws.NOT_CLOSED]), icon=":material/info:")
    outcome = _call(engine, ws.summary, workshop_id=info.id, lang=visitor.lang)
    with st.container(key="fc_summary"):
        st.header(t("Summary: the top visions per theme"), anchor=False)
        st.caption(t("To print this summary, use your browser's print command."))
        st.write(
            " · ".join(
                [
                    t.ngettext("{n} participant", "{n} participants", outcome.participants),
                    t.ngettext("{n} card", "{n} cards", outcome.cards),
                    t.ngettext("{n} dot placed", "{n} dots placed", outcome.dots_cast),
                ]
            )
        )
        if outcome.rating_mean is not None:
            st.write(
                t.ngettext(
                    "Rated {mean} of 5 by {n} participant",
                    "Rated {mean} of 5 by {n} participants",
                    outcome.ratings,
                    mean=t.number(outcome.rating_mean, 1),
                )
            )
        for theme in outcome.themes:
            st.subheader(escape_markdown(theme.label), anchor=False)
            if not theme.cards:
                st.caption(t("No cards on this theme."))
            for card in theme.cards:
                with st.container(border=True):
                    st.text(f"{card.rank}. {card.text}")
                    st.caption(t.ngettext("{n} dot", "{n} dots", card.dots))


def _downloads(visitor, engine, info: ws.WorkshopInfo) -> None:
    t = visitor.t
    facilitator = visitor.identity.username
    stem = f"workshop-{info.join_code}-{info.held_on.isoformat()}"

    # Made when the button is pressed (each export is logged), not on every rerun of the page.
    def xlsx() -> bytes:
        return _call(engine, ws.export_xlsx, workshop_id=info.id, facilitator=facilitator)

    def csv_of(table: str) -> Callable[[], bytes]:
        return lambda: _call(
            engine, ws.export_csv, workshop_id=info.id, facilitator=facilitator, table=table
        )

    st.subheader(t("Export the outcome"), anchor=False)
    with st.container(horizontal=True, gap="small", key="fc_downloads"):
        st.download_button(
            t("Excel workbook (XLSX)"),
            data=xlsx,
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="fc_xlsx",
            icon=":material/download:",
            type="primary",
            on_click="ignore",
        )
        for table, label in (
            ("cards", N_("Cards (CSV)")),
            ("votes", N_("Dots (CSV)")),
            ("ratings", N_("Ratings (CSV)")),
        ):
            st.download_button(
                t(label),
                data=csv_of(table),
                file_name=f"{stem}-{table}.csv",
                mime="text/csv",
                key=f"fc_csv_{table}",
                icon=":material/download:",
                on_click="ignore",
            )
