"""The City Vision 2050 survey page (/vision): consent, sections saved at every step, review,
submit; a code to continue on another device."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from sparcs_engage.cities import City
from sparcs_engage.db import session_scope
from sparcs_engage.energy import load_districts
from sparcs_engage.i18n import Translator
from sparcs_engage.respondents import CodeAttemptsExceeded, display_code
from sparcs_engage.surveys import (
    ALREADY_SUBMITTED,
    INCOMPLETE,
    MESSAGES,
    RATE_LIMITED,
    REVIEW,
    Survey,
    SurveyTexts,
    load_draft,
    load_survey,
    resume,
    save_step,
    start,
    submit,
    survey_texts,
    visible_answers,
)
from sparcs_engage.ui import client
from sparcs_engage.ui.browser_memory import (
    draft_from_this_browser,
    forget_draft,
    remember_draft,
    remember_sent,
    sent_from_this_browser,
)
from sparcs_engage.ui.context import Visitor, current_visitor
from sparcs_engage.ui.database import require_database
from sparcs_engage.ui.layout import error_text as core_error_text
from sparcs_engage.ui.layout import page_link
from sparcs_engage.ui.survey_form import (
    answer_text,
    error_text,
    place_map,
    render_question,
    theme_meanings,
    widget_values,
)

# The survey's state in the session. Each city has its own draft: switching city puts the
# first city's keys aside (sv_drafts) and brings them back on the way back.
DRAFT_KEYS = (
    "sv_response_id",
    "sv_code",
    "sv_section",
    "sv_answers",
    "sv_errors",
    "sv_pending",
    "sv_to_review",
    "sv_done",
)
# The code a resident already has in this session (survey, footprint or workshop): offered
# again, so one code reaches everything they gave.
RESIDENT_CODE = "resident_code"


@st.cache_resource(show_spinner=False)
def _map_for(city_id: str, _survey: Survey, _city: City):
    return place_map(
        _survey,
        _city.center,
        _city.zoom,
        load_districts(_city.folder / "districts.geojson", _city.languages),
    )


def render(visitor: Visitor) -> None:
    """Draw /vision for this visitor: the start, a section, the review, or the thanks."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city
    state = st.session_state

    if city is None:
        st.title(t("City Vision 2050"))
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return

    survey = load_survey(city.id)
    texts = survey_texts(lang)
    st.title(texts.get("title"))
    engine = require_database(t)

    previous = state.get("sv_city")
    if previous not in (None, city.id):
        # Another city: its own survey; the first city's draft waits, as it was, for the way back.
        drafts = state.setdefault("sv_drafts", {})
        drafts[previous] = {key: state.pop(key) for key in DRAFT_KEYS if key in state}
        state.update(drafts.pop(city.id, {}))
    state["sv_city"] = city.id
    kiosk = st.query_params.get("kiosk") == "1"

    if state.get("sv_done"):
        _thanks(visitor, texts, state, kiosk)
        return

    if not state.get("sv_response_id") and not kiosk:
        _restore_from_browser(engine, city.id, state)
    if not state.get("sv_response_id"):
        _welcome(visitor, survey, texts, engine, state, kiosk)
        return

    if state.get("sv_remember_draft"):
        # Written in a run that goes on to draw the page (a script before st.rerun() may never
        # reach the browser).
        remember_draft(city.id, state.pop("sv_remember_draft"))
    answers: dict = state.setdefault("sv_answers", {})
    section_id: str = state.get("sv_section") or survey.first_section(answers)
    step, steps = survey.progress(section_id, answers)
    _show_code(t, state)

    if section_id == REVIEW:
        _review(t, survey, texts, engine, state, answers, section_id)
    else:
        _section(t, city, survey, texts, engine, state, answers, section_id, step, steps)


def _thanks(visitor: Visitor, texts: SurveyTexts, state: MutableMapping[str, Any], kiosk: bool):
    """After sending: thanks, the results, and on a shared tablet a fresh start."""
    t = visitor.t
    city_id = visitor.city.id
    forget_draft(city_id)
    st.success(texts.get("thanks"))
    if kiosk:
        # A library or workshop tablet: the next resident starts afresh, and this browser is
        # not marked as having sent the survey.
        st.info(t("Please hand the tablet to the next person."), icon=":material/tablet_android:")
        if st.button(t("Start again for the next person"), type="primary", key="sv_next_person"):
            for key in (*DRAFT_KEYS, RESIDENT_CODE, "sv_consent"):
                state.pop(key, None)
            st.rerun()
        return
    remember_sent(city_id)
    page_link(visitor, "views/public/results.py", t("See the results"), ":material/bar_chart:")
    st.caption(t("With your code you can delete your answers on the results page."))


def _restore_from_browser(engine: Engine, city_id: str, state: MutableMapping[str, Any]):
    """A reload or a new tab: this browser's unsent draft of the city, without the code."""
    response_hex = draft_from_this_browser(city_id)
    if not response_hex:
        return
    with session_scope(engine) as session:
        draft = load_draft(session=session, response_id=response_hex)
    if draft is None or draft.city != city_id or draft.status != "draft":
        return
    state.update(
        sv_response_id=str(draft.response_id),
        sv_code=None,  # shown once at the start; the draft goes on without it
        sv_section=draft.current_section,
        sv_answers=dict(draft.answers),
        sv_errors=({}, {}),
    )


def _show_code(t: Translator, state: MutableMapping[str, Any]) -> None:
    if not state.get("sv_code"):
        st.info(
            t(
                "We continued your survey where you left it. Your code was shown when you "
                "started; with it you can continue on another device or delete your answers."
            ),
            icon=":material/key:",
        )
        return
    st.info(
        t(
            "Your code is {code}. Write it down: with it you can continue on any device, "
            "or delete your answers later.",
            code=state["sv_code"],
        ),
        icon=":material/key:",
    )


def _welcome(
    visitor: Visitor,
    survey: Survey,
    texts: SurveyTexts,
    engine: Engine,
    state: MutableMapping[str, Any],
    kiosk: bool = False,
) -> None:
    """Before a draft: the intro, consent and start, and continuing with a code."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city
    st.write(texts.get("intro"))
    if survey.themes and survey.themes.demo:
        st.caption(
            t(
                "The themes of this survey are examples made for this demo, not yet the city's "
                "own Key Strategic Areas."
            )
        )
    if sent_from_this_browser(city.id) and not kiosk:
        # Sent before from this browser (the tab may have been closed since): no second time.
        st.info(
            t(
                "This browser has already sent answers to the survey of {city}. Thank you! "
                "If someone else would like to take part, please use another device.",
                city=city.name(lang),
            ),
            icon=":material/task_alt:",
        )
        page_link(visitor, "views/public/results.py", t("See the results"), ":material/bar_chart:")
    else:
        with st.container(border=True):
            st.subheader(t("Take part"))
            st.write(
                t(
                    "We store your answers without your name. Before you start, please read how we "
                    "handle them."
                )
            )
            page_link(
                visitor,
                "views/public/privacy.py",
                t("Read the privacy notice"),
                ":material/shield:",
            )
            consent = st.checkbox(texts.get("consent"), key="sv_consent")
            own_code = state.get(RESIDENT_CODE)
            keep_code = own_code and st.checkbox(
                t(
                    "Use my code {code} for the survey too, so that one code reaches all I gave.",
                    code=display_code(own_code),
                ),
                value=True,
                key="sv_keep_code",
            )
            if st.button(
                t("Start the survey"), type="primary", disabled=not consent, key="sv_start"
            ):
                with session_scope(engine) as session:
                    started = start(
                        session=session,
                        city=city.id,
                        lang=lang,
                        consented=consent,
                        client=client.resident(visitor.settings),
                        code=own_code if keep_code else None,
                    )
                if started.error == RATE_LIMITED:
                    st.error(t(MESSAGES[RATE_LIMITED]))
                    return
                if started.ok:
                    state.update(
                        sv_response_id=str(started.response_id),
                        sv_code=started.code,
                        sv_section=started.section_id,
                        sv_answers={},
                        sv_errors=({}, {}),
                    )
                    state[RESIDENT_CODE] = started.code
                    if not kiosk:
                        state["sv_remember_draft"] = str(started.response_id)
                    st.rerun()
                st.error(t("The survey could not be started. Please try again."))
    with st.container(border=True):
        st.subheader(t("Continue with your code"))
        # Room for a pasted sentence: the code is found inside it.
        code = st.text_input(
            t("Your code"), max_chars=200, key="sv_resume_code", placeholder="ABCD-EFGH"
        )
        if st.button(t("Continue"), key="sv_resume"):
            try:
                with session_scope(engine) as session:
                    draft = resume(
                        session=session,
                        code=code,
                        client=client.client_address(visitor.settings),
                    )
            except CodeAttemptsExceeded as exc:
                st.error(core_error_text(t, exc))
                return
            if draft is None or draft.city != city.id:
                st.warning(t("We found no survey answers with this code. Please check it."))
            elif draft.status == "submitted":
                st.info(t("The answers with this code have already been sent. Thank you!"))
            else:
                state.update(
                    sv_response_id=str(draft.response_id),
                    sv_code=display_code(code),
                    sv_section=draft.current_section,
                    sv_answers=dict(draft.answers),
                    sv_errors=({}, {}),
                )
                state[RESIDENT_CODE] = display_code(code)
                if not kiosk:
                    state["sv_remember_draft"] = str(draft.response_id)
                st.rerun()


def _review(
    t: Translator,
    survey: Survey,
    texts: SurveyTexts,
    engine: Engine,
    state: MutableMapping[str, Any],
    answers: dict,
    section_id: str,
) -> None:
    """Every visible answer, a way back to each part, and sending."""
    st.progress(1.0, text=t("Check your answers"))
    st.header(t("Check your answers"), anchor="part-review")
    _focus_heading(state, "part-review")
    shown = visible_answers(survey, answers)
    for section in survey.visible_sections(shown):
        with st.container(border=True):
            st.subheader(texts.section(section.id))
            for q in section.visible_questions(shown):
                st.markdown(f"**{texts.question(q.id)}**")
                st.text(answer_text(q, survey, texts, t, shown.get(q.id)))
            if st.button(t("Change"), key=f"sv_edit_{section.id}"):
                state["sv_section"] = section.id
                state["sv_to_review"] = True  # Next then comes back here
                state["sv_focus"] = True
                st.rerun()
    errors, _ = state.get("sv_errors", ({}, {}))
    if errors.get("_submit"):
        st.error(errors["_submit"])
    if st.button(t("Send my answers"), type="primary", key="sv_submit"):
        with session_scope(engine) as session:
            sent = submit(
                session=session,
                response_id=state["sv_response_id"],
                client=client.resident(current_visitor().settings),
            )
        if sent.ok:
            state["sv_done"] = True
            state.pop("sv_response_id", None)
            st.rerun()
        elif sent.error == RATE_LIMITED:
            message = t(MESSAGES[RATE_LIMITED])
        elif sent.error == ALREADY_SUBMITTED:
            message = t("The answers with this code have already been sent. Thank you!")
        elif sent.error == INCOMPLETE:
            state["sv_section"] = sent.section_id
            state["sv_errors"] = (dict(sent.errors), {})
            st.rerun()
        else:
            message = t("Your answers could not be sent. Please try again.")
        state["sv_errors"] = ({"_submit": message}, {})
        st.rerun()
    if st.button(t("Back"), key="sv_back_review"):
        state["sv_section"] = survey.previous_section(REVIEW, answers) or section_id
        st.rerun()


def _section(
    t: Translator,
    city: City,
    survey: Survey,
    texts: SurveyTexts,
    engine: Engine,
    state: MutableMapping[str, Any],
    answers: dict,
    section_id: str,
    step: int,
    steps: int,
) -> None:
    """One part of the survey: its questions, saved on Back and Next."""
    section = survey.section(section_id)
    st.progress(step / steps, text=t("Part {n} of {total}", n=step, total=steps))
    st.header(texts.section(section.id), anchor=f"part-{section.id}")
    _focus_heading(state, f"part-{section.id}")
    intro = texts.get(f"sections.{section.id}.intro")
    if intro:
        st.write(intro)
    if any(q.required and q.visible(answers) for q in section.questions):
        st.caption(t("Questions marked “required” need an answer; the others you may skip."))
    errors, params = state.get("sv_errors", ({}, {}))
    # What is on screen but not saved yet, so that a language switch (which redraws every
    # option) does not lose it.
    pending: dict = state.setdefault("sv_pending", {}).setdefault(section.id, {})
    if state.get("sv_lang") not in (None, t.lang):
        # The language changed: the browser resets option lists whose labels changed, so the
        # widgets get what was on screen back explicitly.
        for q in section.questions:
            if q.id in pending:
                state.update(widget_values(q, pending[q.id]))
    state["sv_lang"] = t.lang
    given: dict = {}
    live = dict(answers)
    # Keyed by section, so that tests (and styles) can tell which part is on screen.
    with st.container(key=f"sv_section_{section.id}"):
        themed = [q for q in section.questions if q.options_from == "themes" and q.visible(live)]
        if themed:
            theme_meanings(survey, themed[0], texts, t)
        for q in section.questions:
            if not q.visible(live):
                continue
            value = render_question(
                q=q,
                survey=survey,
                texts=texts,
                t=t,
                current=pending.get(q.id, answers.get(q.id)),
                error=error_text(t, errors, params, q.id),
                place_map=_map_for(city.id, survey, city) if q.type == "place" else None,
            )
            given[q.id] = pending[q.id] = value
            live[q.id] = value if value not in (None, [], {}, "") else None
            if live[q.id] is None:
                live.pop(q.id)

    back_col, next_col = st.columns(2)
    back = back_col.button(
        t("Back"),
        key="sv_back",
        width="stretch",
        disabled=survey.previous_section(section.id, answers) is None,
    )
    forward = next_col.button(t("Next"), type="primary", key="sv_next", width="stretch")
    if back or forward:
        with session_scope(engine) as session:
            saved = save_step(
                session=session,
                response_id=state["sv_response_id"],
                section_id=section.id,
                raw_answers=given,
            )
            draft = (
                load_draft(session=session, response_id=state["sv_response_id"])
                if saved.ok
                else None
            )
        state["sv_focus"] = True
        if draft is not None:
            # What the database now holds, cleaned by the core, is what the next steps show.
            state["sv_answers"] = answers = dict(draft.answers)
            state["sv_errors"] = ({}, {})
            state["sv_pending"].pop(section.id, None)
        if back:
            state.pop("sv_to_review", None)
            state["sv_section"] = survey.previous_section(section.id, answers) or section.id
            st.rerun()
        if saved.ok:
            # Back to the review after "Change": it lists every part, a newly opened one too.
            to_review = state.pop("sv_to_review", False)
            state["sv_section"] = REVIEW if to_review else saved.section_id
            st.rerun()
        if saved.error == ALREADY_SUBMITTED:
            state["sv_done"] = True
            st.rerun()
        state["sv_errors"] = (dict(saved.errors), {k: dict(v) for k, v in saved.params.items()})
        st.rerun()


def _focus_heading(state: MutableMapping[str, Any], anchor: str) -> None:
    """After Next, Back or Change: move the keyboard focus to the new part's heading, so a
    keyboard or screen-reader user does not start again at the top of the page."""
    if not state.pop("sv_focus", False):
        return
    # The anchor is our own id (a section id from the survey file: [a-z0-9_]).
    st.html(
        "<script>setTimeout(() => {"
        f"const h = document.getElementById({anchor!r});"
        "if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }"
        "}, 150);</script>",
        unsafe_allow_javascript=True,
    )
