"""A resident's response: start, save a section, resume by code, submit, delete.

Each use case takes a Session and flushes but never commits: the page wraps the call in
``db.session_scope``, so one step is one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage import throttle
from sparcs_engage.i18n import N_, SOURCE_LANGUAGE, normalize_language
from sparcs_engage.models import (
    SurveyAnswer,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    utcnow,
)
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import create_respondent, display_code, find_respondent
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys.definition import REVIEW, SURVEY_ID, SurveyDataError
from sparcs_engage.surveys.storage import (
    _stored_answers,
    _write_summary,
    answer_rows,
    visible_answers,
)
from sparcs_engage.surveys.structure import load_survey
from sparcs_engage.surveys.totals import add_responses, remove_responses
from sparcs_engage.surveys.validation import E_REQUIRED, Problem, validate_answer

# Limits per client (throttle.Client), from settings: SPARCS_SUBMISSIONS_PER_HOUR and
# SPARCS_DRAFTS_PER_HOUR. A resident who starts and sends once never meets them; one client
# can no longer hold up a whole city, as a limit per city did.
RATE_LIMIT_WINDOW_S = 3600


def submission_limit() -> throttle.Limit:
    return throttle.Limit(load_settings().submissions_per_hour, RATE_LIMIT_WINDOW_S)


def draft_limit() -> throttle.Limit:
    return throttle.Limit(load_settings().drafts_per_hour, RATE_LIMIT_WINDOW_S)


# For the whole call, in StepResult.error and friends: a code, and its message in MESSAGES.
CONSENT_REQUIRED = "consent_required"
UNKNOWN_CITY = "unknown_city"
NOT_FOUND = "not_found"
ALREADY_SUBMITTED = "already_submitted"
UNKNOWN_SECTION = "unknown_section"
INVALID = "invalid"
INCOMPLETE = "incomplete"
RATE_LIMITED = "rate_limited"
MESSAGES: dict[str, str] = {
    CONSENT_REQUIRED: N_("Please read the privacy notice and agree to it before you start."),
    UNKNOWN_CITY: N_("The survey is not open in this city."),
    NOT_FOUND: N_("We could not find answers for this code. Please check the code."),
    ALREADY_SUBMITTED: N_(
        "You have already sent your answers. Thank you! With your code you can look at the "
        "results or delete your answers."
    ),
    UNKNOWN_SECTION: N_("This part of the survey does not exist. Please go back to the start."),
    INVALID: N_("Some answers need another look. Please check the questions marked below."),
    INCOMPLETE: N_("Some questions still need an answer. Please check the part shown."),
    RATE_LIMITED: N_(
        "Many answers have come from this device in a short time. Please try again later."
    ),
}


@dataclass(frozen=True)
class Started:
    """A new draft and the code to give the resident, or why none was started."""

    ok: bool
    error: str | None = None
    response_id: uuid.UUID | None = None
    code: str | None = None
    section_id: str | None = None


@dataclass(frozen=True)
class StepResult:
    """The outcome of saving a section: where to go next, or what to fix.

    ``errors`` maps question ids to msgids; ``params`` holds their placeholder values.
    """

    ok: bool
    section_id: str | None = None
    error: str | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, int | str]] = field(default_factory=dict)
    retry_after_s: int | None = None


@dataclass(frozen=True)
class Draft:
    """A response found by its code: where the resident was and what they answered."""

    response_id: uuid.UUID
    city: str
    lang: str
    status: str
    current_section: str
    answers: Mapping[str, Any]
    consent_version: str
    survey_version: str


def start(
    *,
    session: Session,
    city: str,
    lang: str,
    consented: bool,
    survey_id: str = SURVEY_ID,
    client: throttle.Client | None = None,
    code: str | None = None,
) -> Started:
    """Begin a response once the resident has agreed to the privacy notice. With the ``code``
    the resident already has (from their footprint or a workshop, in this city), the survey
    is kept under that same code, so one code reaches everything they gave."""
    if consented is not True:
        return Started(ok=False, error=CONSENT_REQUIRED)
    try:
        survey = load_survey(city, survey_id)
    except SurveyDataError:
        return Started(ok=False, error=UNKNOWN_CITY)
    limit = draft_limit()
    if not throttle.allowed(session, "draft", client, limit):
        return Started(ok=False, error=RATE_LIMITED)
    throttle.count(session, "draft", client, limit)
    respondent = _respondent_for_survey(session, code, city) if code else None
    if respondent is None:
        respondent, code = create_respondent(session=session, city=city)
    else:
        code = display_code(code)
    section_id = survey.first_section()
    response = SurveyResponse(
        respondent_id=respondent.id,
        city=city,
        survey_id=survey.id,
        survey_version=survey.version,
        consent_version=PRIVACY_NOTICE_VERSION,
        lang=normalize_language(lang) or SOURCE_LANGUAGE,
        current_section=section_id,
    )
    session.add(response)
    session.flush()
    return Started(ok=True, response_id=response.id, code=code, section_id=section_id)


def _respondent_for_survey(session: Session, code: str, city: str):
    """The resident of an existing code, when it belongs to this city and has no survey
    response yet (one response per respondent); else None (a new code is made)."""
    respondent = find_respondent(session=session, code=code)
    if respondent is None or respondent.city != city:
        return None
    taken = session.exec(
        select(SurveyResponse.id).where(SurveyResponse.respondent_id == respondent.id)
    ).first()
    return None if taken else respondent


def _response(session: Session, response_id: object) -> SurveyResponse | None:
    if isinstance(response_id, str):
        try:
            response_id = uuid.UUID(response_id)
        except ValueError:
            return None
    if not isinstance(response_id, uuid.UUID):
        return None
    return session.get(SurveyResponse, response_id)


def save_step(
    *,
    session: Session,
    response_id: uuid.UUID | str,
    section_id: str,
    raw_answers: Mapping[str, Any],
) -> StepResult:
    """Validate one section's answers and replace that section's stored answers with them."""
    response = _response(session, response_id)
    if response is None:
        return StepResult(ok=False, error=NOT_FOUND)
    if response.status != "draft":
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    survey = load_survey(response.city, response.survey_id)
    try:
        section = survey.section(section_id)
    except KeyError:
        return StepResult(ok=False, error=UNKNOWN_SECTION)
    if not isinstance(raw_answers, Mapping):
        raw_answers = {}

    section_ids = {q.id for q in section.questions}
    answers = {
        k: v
        for k, v in _stored_answers(session, survey, response.id).items()
        if k not in section_ids
    }
    errors: dict[str, str] = {}
    params: dict[str, Mapping[str, int | str]] = {}
    rows: list[dict[str, Any]] = []
    # In order, so that a condition on an earlier question of the same section sees its answer.
    for q in section.questions:
        if not q.visible(answers):
            continue  # hidden: whatever came for it is dropped
        checked = validate_answer(survey, q, raw_answers.get(q.id))
        if isinstance(checked, Problem):
            errors[q.id] = checked.msgid
            if checked.params:
                params[q.id] = dict(checked.params)
            continue
        if checked is not None:
            answers[q.id] = checked
            rows.extend(answer_rows(q, checked))
    if errors:
        return StepResult(
            ok=False, section_id=section.id, error=INVALID, errors=errors, params=params
        )

    session.execute(
        sa.delete(SurveyAnswer).where(
            SurveyAnswer.response_id == response.id,
            SurveyAnswer.question_id.in_(sorted(section_ids)),
        )
    )
    if rows:
        session.execute(
            sa.insert(SurveyAnswer.__table__), [{**r, "response_id": response.id} for r in rows]
        )
    next_id = survey.next_section(section.id, answers)
    response.current_section = next_id
    response.updated_at = utcnow()
    session.add(response)
    session.flush()
    return StepResult(ok=True, section_id=next_id)


def resume(*, session: Session, code: object, client: str = "") -> Draft | None:
    """Find a resident's response by their code, to continue, review or delete it. Wrong codes
    count against ``client`` (respondents.find_respondent)."""
    respondent = find_respondent(session=session, code=code, client=client)
    if respondent is None:
        return None
    response = session.exec(
        select(SurveyResponse).where(SurveyResponse.respondent_id == respondent.id)
    ).first()
    return _draft_of(session, response) if response is not None else None


def load_draft(*, session: Session, response_id: uuid.UUID | str) -> Draft | None:
    """A response by its id: for the page that holds it (in the session or in the browser's
    signed draft cookie), to show what is stored now."""
    response = _response(session, response_id)
    return _draft_of(session, response) if response is not None else None


def _draft_of(session: Session, response: SurveyResponse) -> Draft:
    survey = load_survey(response.city, response.survey_id)
    answers = _stored_answers(session, survey, response.id)
    current = response.current_section
    if current != REVIEW and current not in {s.id for s in survey.visible_sections(answers)}:
        current = survey.first_section(answers)
    return Draft(
        response_id=response.id,
        city=response.city,
        lang=response.lang,
        status=response.status,
        current_section=current,
        answers=answers,
        consent_version=response.consent_version,
        survey_version=response.survey_version,
    )


def submit(
    *,
    session: Session,
    response_id: uuid.UUID | str,
    client: throttle.Client | None = None,
    limit: throttle.Limit | None = None,
    now: datetime | None = None,
) -> StepResult:
    """Send a completed draft: once per respondent, and at most ``limit`` (settings by
    default) per client in a window."""
    response = _response(session, response_id)
    if response is None:
        return StepResult(ok=False, error=NOT_FOUND)
    if response.status != "draft":
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    now = now or utcnow()

    survey = load_survey(response.city, response.survey_id)
    stored = _stored_answers(session, survey, response.id)
    answers = visible_answers(survey, stored)
    errors: dict[str, str] = {}
    first_incomplete = None
    for section in survey.visible_sections(answers):
        for q in section.visible_questions(answers):
            if q.required and q.id not in answers:
                errors[q.id] = E_REQUIRED
                first_incomplete = first_incomplete or section.id
    if errors:
        return StepResult(ok=False, section_id=first_incomplete, error=INCOMPLETE, errors=errors)

    limit = limit or submission_limit()
    if not throttle.allowed(session, "submit", client, limit, now=now.timestamp()):
        return StepResult(ok=False, error=RATE_LIMITED, retry_after_s=int(limit.window_s))

    hidden = sorted(set(stored) - set(answers))
    if hidden:
        # Answers to questions that a later change hid are not part of what was sent.
        session.execute(
            sa.delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(hidden)
            )
        )
    # Guarded by status: of two tabs submitting at once, only one changes the row.
    changed = session.execute(
        sa.update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.status == "draft")
        .values(status="submitted", submitted_at=now, updated_at=now, current_section=REVIEW)
    ).rowcount
    if changed != 1:
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    session.flush()
    session.refresh(response)
    _write_summary(session, response, answers)
    add_responses(session, SurveyResponse.id == response.id)
    throttle.count(session, "submit", client, limit, now=now.timestamp())
    session.flush()
    return StepResult(ok=True, section_id=REVIEW)


def delete_response(*, session: Session, code: object, client: str = "") -> bool:
    """Delete a resident's survey answers by their code; False when there is nothing to delete.

    The respondent itself stays (their footprint or workshop input may use the same code);
    ``respondents.delete_respondent`` removes everything.
    """
    respondent = find_respondent(session=session, code=code, client=client)
    if respondent is None:
        return False
    ids = session.exec(
        select(SurveyResponse.id).where(SurveyResponse.respondent_id == respondent.id)
    ).all()
    if not ids:
        return False
    remove_responses(session, SurveyResponse.id.in_(ids))
    # Explicit, so that it holds even on a connection without foreign-key enforcement.
    summaries = sa.select(SurveySummary.id).where(SurveySummary.response_id.in_(ids))
    session.execute(
        sa.delete(SurveySummaryBudget).where(SurveySummaryBudget.summary_id.in_(summaries))
    )
    session.execute(sa.delete(SurveySummary).where(SurveySummary.response_id.in_(ids)))
    session.execute(sa.delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids)))
    session.execute(sa.delete(SurveyResponse).where(SurveyResponse.id.in_(ids)))
    session.flush()
    session.expire_all()
    return True
