"""Consent and the privacy notice's version, stored with every response; deletion by code and
retention (purge) for data-protection requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.auth import audit
from sparcs_engage.models import (
    FootprintRecord,
    Respondent,
    SurveyResponse,
    Workshop,
    utcnow,
)
from sparcs_engage.respondents import find_respondent

# Raise whenever content/<lang>/privacy.md changes in substance: every saved response keeps
# the version its resident agreed to.
PRIVACY_NOTICE_VERSION = "2026-11-30"  # per city: controller, basis, rights, retention, cookies


# --------------------------------------------------------------------------------------------
# Data-protection requests and retention (staff page and `sparcs-engage` CLI)
# --------------------------------------------------------------------------------------------


def _forget_in_totals(session: Session, where) -> None:
    """Take the responses about to be deleted out of the results' running totals."""
    # Here, not at the top: the survey package imports this module (PRIVACY_NOTICE_VERSION).
    from sparcs_engage.surveys.totals import remove_responses

    remove_responses(session, where)


@dataclass(frozen=True)
class Deleted:
    """What a deletion by code removed (counts only: nothing about the person)."""

    survey_responses: int
    footprints: int


def delete_by_code(
    *, session: Session, code: object, actor: str, client: str = ""
) -> Deleted | None:
    """Delete everything a resident gave under their code, and log that it happened (never the
    code itself). None when no respondent has that code; wrong codes count against ``client``
    (see respondents.find_respondent)."""
    respondent = find_respondent(session=session, code=code, client=client)
    if respondent is None:
        return None
    counted = Deleted(
        survey_responses=session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.respondent_id == respondent.id)
        )
        or 0,
        footprints=session.scalar(
            sa.select(sa.func.count())
            .select_from(FootprintRecord)
            .where(FootprintRecord.respondent_id == respondent.id)
        )
        or 0,
    )
    city = respondent.city
    _forget_in_totals(session, SurveyResponse.respondent_id == respondent.id)
    session.delete(respondent)  # the database cascades to responses, answers and footprints
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="delete_respondent",
        detail=f"city {city}: {counted.survey_responses} survey response(s), "
        f"{counted.footprints} footprint(s)",
    )
    return counted


@dataclass(frozen=True)
class Purged:
    respondents: int
    workshops: int
    before: datetime


def purge(
    *,
    session: Session,
    older_than_days: int,
    actor: str,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Purged:
    """Retention: delete respondents (with all they gave) who first took part more than
    ``older_than_days`` days ago, and workshops held before then (with participants, cards and
    votes). The audit log is kept. With ``dry_run`` only count."""
    if not isinstance(older_than_days, int) or older_than_days < 1:
        raise ValueError("older_than_days must be a whole number of days, 1 or more")
    before = (now or utcnow()) - timedelta(days=older_than_days)
    old_respondents = sa.select(Respondent.id).where(Respondent.created_at < before)
    old_workshops = sa.select(Workshop.id).where(Workshop.held_on < before.date())
    respondents = session.scalar(sa.select(sa.func.count()).select_from(old_respondents.subquery()))
    workshops = session.scalar(sa.select(sa.func.count()).select_from(old_workshops.subquery()))
    if not dry_run:
        _forget_in_totals(session, SurveyResponse.respondent_id.in_(old_respondents))
        session.execute(sa.delete(Respondent).where(Respondent.id.in_(old_respondents)))
        session.execute(sa.delete(Workshop).where(Workshop.id.in_(old_workshops)))
        audit(
            session=session,
            actor=actor,
            action="purge",
            detail=f"older than {older_than_days} days: {respondents} respondent(s), "
            f"{workshops} workshop(s)",
        )
        session.flush()
    return Purged(respondents or 0, workshops or 0, before)
