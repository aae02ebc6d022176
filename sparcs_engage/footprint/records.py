"""Saving a footprint result and its pledges, looking it up and deleting it by code.

One code per resident across channels: a result saved with the code the resident already has
(from the survey, or from saving before) joins that respondent, and replaces the result saved
under it before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, delete, select

from sparcs_engage import throttle
from sparcs_engage.footprint.actions import actions
from sparcs_engage.footprint.answers import Answers
from sparcs_engage.footprint.calculation import calculate
from sparcs_engage.i18n import N_, MessageError
from sparcs_engage.models import FootprintRecord, Pledge, Respondent
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import create_respondent, find_respondent, normalize_code
from sparcs_engage.settings import load_settings


class ConsentMissing(ValueError):
    """Nothing is stored without the resident's explicit consent."""


class TooManySaves(MessageError):
    """Many results were saved from this device in a short time (SPARCS_SUBMISSIONS_PER_HOUR):
    they would inflate the city's figures."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "Many results have been saved from this device in a short time. "
                "Please try again later."
            )
        )


def save_limit() -> throttle.Limit:
    return throttle.Limit(load_settings().submissions_per_hour, 3600)


@dataclass(frozen=True)
class SavedFootprint:
    """A saved result as the resident sees it again with their code."""

    total_kg: float
    by_category: dict[str, float]
    pledges: dict[str, float]
    saved_at: datetime
    city: str

    @property
    def lifestyle_kg(self) -> float:
        return self.total_kg - self.by_category.get("public_services", 0.0)


@dataclass(frozen=True)
class SavedCode:
    """The code a result was saved under, and whether it was the resident's code already."""

    code: str
    existing: bool


def _respondent_for(
    session: Session, code: str | None, city: str, is_demo: bool
) -> tuple[Respondent, str, bool]:
    """The respondent of the resident's code when it exists in this city, else a new one."""
    normalized = normalize_code(code)
    if normalized is not None:
        respondent = find_respondent(session=session, code=code)
        if respondent is not None and respondent.city == city:
            return respondent, f"{normalized[:4]}-{normalized[4:]}", True
    respondent, new = create_respondent(session=session, city=city, is_demo=is_demo)
    return respondent, new, False


def save_footprint(
    *,
    session: Session,
    city: str,
    answers: Answers,
    pledged: list[str],
    consent: bool,
    is_demo: bool = False,
    client: throttle.Client | None = None,
    code: str | None = None,
) -> str:
    """Store a result and the pledged actions for the city's KPIs; return the resident's code.

    With ``code`` (the resident's code from the survey or an earlier save) the result joins
    that respondent when the code exists and belongs to the same city, replacing a result saved
    under it before; otherwise the resident gets a new code. The result and every saving are
    computed again here from the answers, so nothing the page sends is taken on trust; pledges
    of actions that do not apply are ignored.
    """
    return save_footprint_result(
        session=session,
        city=city,
        answers=answers,
        pledged=pledged,
        consent=consent,
        is_demo=is_demo,
        client=client,
        code=code,
    ).code


def save_footprint_result(
    *,
    session: Session,
    city: str,
    answers: Answers,
    pledged: list[str],
    consent: bool,
    is_demo: bool = False,
    client: throttle.Client | None = None,
    code: str | None = None,
) -> SavedCode:
    """``save_footprint``, telling also whether the code was the resident's own already."""
    if consent is not True:
        raise ConsentMissing("consent is required before anything is stored")
    limit = save_limit()
    if not throttle.allowed(session, "footprint", client, limit):
        raise TooManySaves()
    throttle.count(session, "footprint", client, limit)
    result = calculate(answers)
    available = {action.id: action.saving_kg for action in actions(answers)}
    respondent, used, existing = _respondent_for(session, code, city, is_demo)
    if existing:
        earlier = session.exec(
            select(FootprintRecord.id).where(FootprintRecord.respondent_id == respondent.id)
        ).all()
        if earlier:
            session.exec(delete(Pledge).where(Pledge.footprint_id.in_(earlier)))
            session.exec(delete(FootprintRecord).where(FootprintRecord.id.in_(earlier)))
    record = FootprintRecord(
        respondent_id=respondent.id,
        city=city,
        country=answers.country,
        answers=answers.model_dump(mode="json"),
        total_kg=result.total_kg,
        housing_kg=result.by_category["housing"],
        mobility_kg=result.by_category["mobility"],
        food_kg=result.by_category["food"],
        goods_services_kg=result.by_category["goods_services"],
        public_services_kg=result.by_category["public_services"],
        factor_version=result.factor_version,
        consent_version=PRIVACY_NOTICE_VERSION,
        is_demo=is_demo,
    )
    session.add(record)
    session.flush()
    for action_id in dict.fromkeys(pledged):
        if action_id in available:
            session.add(
                Pledge(footprint_id=record.id, action_id=action_id, saving_kg=available[action_id])
            )
    session.flush()
    return SavedCode(code=used, existing=existing)


def load_footprint(*, session: Session, code: object, client: str = "") -> SavedFootprint | None:
    """The result saved under a code, or None when the code is unknown or has no result; wrong
    codes count against ``client`` (respondents.find_respondent)."""
    respondent = find_respondent(session=session, code=code, client=client)
    if respondent is None:
        return None
    record = session.exec(
        select(FootprintRecord)
        .where(FootprintRecord.respondent_id == respondent.id)
        .order_by(FootprintRecord.created_at.desc())
    ).first()
    if record is None:
        return None
    pledges = session.exec(select(Pledge).where(Pledge.footprint_id == record.id)).all()
    return SavedFootprint(
        total_kg=record.total_kg,
        by_category={
            "housing": record.housing_kg,
            "mobility": record.mobility_kg,
            "food": record.food_kg,
            "goods_services": record.goods_services_kg,
            "public_services": record.public_services_kg,
        },
        pledges={p.action_id: p.saving_kg for p in pledges},
        saved_at=record.created_at,
        city=record.city,
    )
