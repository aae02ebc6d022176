"""The facilitator's set-up and phases: create a workshop, open it, move it on, show cards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from sparcs_engage.cities import load_cities
from sparcs_engage.i18n import normalize_language
from sparcs_engage.models import WORKSHOP_PHASES, Workshop, utcnow
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys import SurveyDataError, clean_text, load_survey
from sparcs_engage.workshops.cards import city_themes
from sparcs_engage.workshops.codes import new_join_code
from sparcs_engage.workshops.locking import _audit, _workshop_for_update
from sparcs_engage.workshops.rules import (
    _NEWLINES,
    DEFAULT_DOTS,
    DEFAULT_DOTS_PER_CARD,
    EMPTY_TITLE,
    INVALID_DATE,
    INVALID_DOTS,
    INVALID_DOTS_PER_CARD,
    INVALID_THEMES,
    MAX_DOTS,
    MAX_THEME_LENGTH,
    MAX_THEMES,
    MAX_TITLE_LENGTH,
    NEXT_PHASES,
    TITLE_TOO_LONG,
    UNKNOWN_CITY,
    UNKNOWN_DISTRICT,
    UNKNOWN_WORKSHOP,
    WRONG_PHASE,
    WorkshopError,
    _uuid,
)


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop's settings and phase, as the pages show them."""

    id: uuid.UUID
    join_code: str
    title: str
    city: str
    district: str | None
    lang: str
    held_on: date
    themes: tuple[str, ...]
    dots_per_participant: int
    max_dots_per_card: int
    show_cards: bool
    phase: str
    facilitator: str
    is_demo: bool
    opened_at: datetime | None
    closed_at: datetime | None


def _info(workshop: Workshop) -> WorkshopInfo:
    return WorkshopInfo(
        id=workshop.id,
        join_code=workshop.join_code,
        title=workshop.title,
        city=workshop.city,
        district=workshop.district,
        lang=workshop.lang,
        held_on=workshop.held_on,
        themes=tuple(workshop.themes),
        dots_per_participant=workshop.dots_per_participant,
        max_dots_per_card=workshop.max_dots_per_card,
        show_cards=workshop.show_cards,
        phase=workshop.phase,
        facilitator=workshop.facilitator,
        is_demo=workshop.is_demo,
        opened_at=workshop.opened_at,
        closed_at=workshop.closed_at,
    )


def _settings_themes(raw: object, city_theme_ids: tuple[str, ...]) -> list[str]:
    if raw is None:
        raw = city_theme_ids
    problem = WorkshopError(INVALID_THEMES, {"max": MAX_THEMES, "length": MAX_THEME_LENGTH})
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise problem
    themes: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise problem
        theme = clean_text(_NEWLINES.sub(" ", item[: MAX_THEME_LENGTH * 4]))
        if not theme or len(theme) > MAX_THEME_LENGTH or theme in themes:
            raise problem
        themes.append(theme)
    if not 1 <= len(themes) <= MAX_THEMES:
        raise problem
    return themes


def create_workshop(
    *,
    session: Session,
    facilitator: str,
    title: str,
    city: str,
    held_on: date,
    lang: str | None = None,
    district: str | None = None,
    themes: Sequence[str] | None = None,
    dots_per_participant: int = DEFAULT_DOTS,
    max_dots_per_card: int = DEFAULT_DOTS_PER_CARD,
    show_cards: bool = False,
    is_demo: bool = False,
) -> WorkshopInfo:
    """Set up a workshop as a draft with its join code; residents can join once it is opened."""
    registry = load_cities(load_settings().data_dir)
    if not isinstance(city, str) or city not in registry:
        raise WorkshopError(UNKNOWN_CITY)
    if not isinstance(title, str) or not clean_text(_NEWLINES.sub(" ", title[:1000])):
        raise WorkshopError(EMPTY_TITLE)
    title = clean_text(_NEWLINES.sub(" ", title[:1000]))
    if len(title) > MAX_TITLE_LENGTH:
        raise WorkshopError(TITLE_TOO_LONG, {"max": MAX_TITLE_LENGTH})
    if isinstance(held_on, datetime):
        held_on = held_on.date()
    if not isinstance(held_on, date):
        raise WorkshopError(INVALID_DATE)
    if district is not None and district != "":
        try:
            known = load_survey(city).districts
        except SurveyDataError:
            known = {}
        if district not in known:
            raise WorkshopError(UNKNOWN_DISTRICT)
    else:
        district = None
    theme_list = _settings_themes(themes, city_themes(city))
    if isinstance(dots_per_participant, bool) or not isinstance(dots_per_participant, int):
        raise WorkshopError(INVALID_DOTS, {"max": MAX_DOTS})
    if not 1 <= dots_per_participant <= MAX_DOTS:
        raise WorkshopError(INVALID_DOTS, {"max": MAX_DOTS})
    if (
        isinstance(max_dots_per_card, bool)
        or not isinstance(max_dots_per_card, int)
        or not 1 <= max_dots_per_card <= dots_per_participant
    ):
        raise WorkshopError(INVALID_DOTS_PER_CARD)

    while True:
        code = new_join_code()
        if session.exec(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
            break
    workshop = Workshop(
        join_code=code,
        title=title,
        city=city,
        district=district,
        lang=normalize_language(lang, registry[city].languages) or registry[city].default_language,
        held_on=held_on,
        themes=theme_list,
        dots_per_participant=dots_per_participant,
        max_dots_per_card=max_dots_per_card,
        show_cards=bool(show_cards),
        facilitator=str(facilitator)[:64],
        is_demo=bool(is_demo),
    )
    session.add(workshop)
    _audit(session, facilitator, "workshop_create", f"workshop {workshop.id} ({city}): {title}")
    session.flush()
    return _info(workshop)


def get_workshop(*, session: Session, workshop_id: uuid.UUID | str) -> WorkshopInfo:
    """A workshop's settings and phase."""
    wid = _uuid(workshop_id)
    workshop = session.get(Workshop, wid, populate_existing=True) if wid else None
    if workshop is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return _info(workshop)


def list_workshops(
    *,
    session: Session,
    city: str | None = None,
    include_closed: bool = True,
    run_by: str | None = None,
) -> list[WorkshopInfo]:
    """The workshops for the facilitator's list, newest date first; with ``run_by``, only
    those that facilitator runs (created, or was given)."""
    from sparcs_engage.workshops.ownership import run_by as runs

    query = select(Workshop).order_by(Workshop.held_on.desc(), Workshop.created_at.desc())
    if run_by is not None:
        query = query.where(runs(run_by))
    if city is not None:
        query = query.where(Workshop.city == city)
    if not include_closed:
        query = query.where(Workshop.phase != "closed")
    return [_info(w) for w in session.exec(query).all()]


def set_phase(
    *, session: Session, workshop_id: uuid.UUID | str, phase: str, facilitator: str
) -> WorkshopInfo:
    """Move the workshop to another phase: collecting, voting, results or closed."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    if phase not in WORKSHOP_PHASES or phase not in NEXT_PHASES[workshop.phase]:
        raise WorkshopError(WRONG_PHASE)
    now = utcnow()
    if phase == "collecting" and workshop.opened_at is None:
        workshop.opened_at = now
    if phase == "closed":
        workshop.closed_at = now
    previous, workshop.phase = workshop.phase, phase
    session.add(workshop)
    _audit(session, facilitator, "workshop_phase", f"workshop {workshop.id}: {previous}->{phase}")
    session.flush()
    return _info(workshop)


def open_workshop(
    *, session: Session, workshop_id: uuid.UUID | str, facilitator: str
) -> WorkshopInfo:
    """Open a draft workshop: residents can join with its code and start writing cards."""
    return set_phase(
        session=session, workshop_id=workshop_id, phase="collecting", facilitator=facilitator
    )


def set_show_cards(
    *, session: Session, workshop_id: uuid.UUID | str, show: bool, facilitator: str
) -> WorkshopInfo:
    """Let participants see each other's cards while collecting, or not."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    workshop.show_cards = bool(show)
    session.add(workshop)
    session.flush()
    return _info(workshop)
