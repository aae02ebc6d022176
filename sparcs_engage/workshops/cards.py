"""Vision cards: the themes they are written on, a participant's or facilitator's card, and
the facilitator's hiding and merging."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.i18n import SOURCE_LANGUAGE, normalize_language
from sparcs_engage.models import Workshop, WorkshopCard
from sparcs_engage.surveys import SurveyDataError, clean_text, load_survey, survey_texts
from sparcs_engage.workshops.locking import (
    _audit,
    _participant_for_write,
    _refresh,
    _workshop_for_update,
)
from sparcs_engage.workshops.rules import (
    CARD_TOO_LONG,
    EMPTY_CARD,
    MAX_CARD_LENGTH,
    MERGE_INTO_ITSELF,
    NOT_COLLECTING,
    UNKNOWN_CARD,
    UNKNOWN_THEME,
    WRONG_PHASE,
    WorkshopError,
    _card_id,
    _require_phase,
)


@dataclass(frozen=True)
class SavedCard:
    """A card as it was stored."""

    id: int
    theme: str
    text: str


def city_themes(city: str) -> tuple[str, ...]:
    """The theme ids of a city's vision (from the survey definition), or none."""
    try:
        survey = load_survey(city)
    except SurveyDataError:
        return ()
    return survey.themes.ids if survey.themes else ()


def theme_label(theme: str, lang: str) -> str:
    """A theme's name in a language: the vision theme's label, or a facilitator's own name."""
    key = f"themes.{theme}.label"
    if key not in survey_texts(SOURCE_LANGUAGE).texts:
        return theme
    return survey_texts(normalize_language(lang) or SOURCE_LANGUAGE).get(key)


def _clean(raw: str, limit: int) -> str:
    # A pasted novel is measured before the (linear but needless) clean-up.
    return clean_text(raw) if len(raw) <= 4 * limit + 100 else raw


def _card_text(raw: object) -> str:
    if not isinstance(raw, str):
        raise WorkshopError(EMPTY_CARD)
    text = _clean(raw, MAX_CARD_LENGTH)
    if not text:
        raise WorkshopError(EMPTY_CARD)
    if len(text) > MAX_CARD_LENGTH:
        raise WorkshopError(CARD_TOO_LONG, {"max": MAX_CARD_LENGTH, "length": len(text)})
    return text


def _card_theme(theme: object, themes: Sequence[str]) -> str:
    if not isinstance(theme, str) or theme not in themes:
        raise WorkshopError(UNKNOWN_THEME)
    return theme


def add_facilitator_card(
    *, session: Session, workshop_id: uuid.UUID | str, theme: str, text: str, facilitator: str
) -> SavedCard:
    """Put the facilitator's own card on the board (in any phase before closing)."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    card = WorkshopCard(
        workshop_id=workshop.id,
        participant_id=None,
        theme=_card_theme(theme, workshop.themes),
        text=_card_text(text),
        by_facilitator=True,
    )
    session.add(card)
    session.flush()
    return SavedCard(id=card.id, theme=card.theme, text=card.text)


def _card_in(session: Session, workshop_id: uuid.UUID, card_id: object) -> WorkshopCard:
    card = session.get(WorkshopCard, _card_id(card_id), populate_existing=True)
    if card is None or card.workshop_id != workshop_id:
        raise WorkshopError(UNKNOWN_CARD)
    return card


def hide_card(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    card_id: int,
    facilitator: str,
    hidden: bool = True,
) -> None:
    """Take a card off the board (it stays stored, with its dots), or put it back. Also after
    closing: the top cards of closed workshops are public on /results, and a facilitator must
    be able to take one off there."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    card = _card_in(session, workshop.id, card_id)
    card.hidden = bool(hidden)
    session.add(card)
    _audit(
        session,
        facilitator,
        "workshop_hide_card" if hidden else "workshop_show_card",
        f"workshop {workshop.id}: card {card.id}",
    )
    session.flush()


def merge_cards(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    card_id: int,
    into_card_id: int,
    facilitator: str,
) -> int:
    """Merge a duplicate into another card: it leaves the board, its dots count in the other."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    source = _card_in(session, workshop.id, card_id)
    target = _card_in(session, workshop.id, into_card_id)
    # Both sides as the board shows them: a card already merged stands for its group.
    source_id = source.merged_into_id or source.id
    target_id = target.merged_into_id or target.id
    if source_id == target_id:
        raise WorkshopError(MERGE_INTO_ITSELF)
    if session.get(WorkshopCard, target_id).hidden:
        raise WorkshopError(UNKNOWN_CARD)
    c = WorkshopCard.__table__.c
    # One level only: what was merged into the source now points at the target too.
    session.execute(
        sa.update(WorkshopCard.__table__)
        .where(c.workshop_id == workshop.id)
        .where(sa.or_(c.id == source_id, c.merged_into_id == source_id))
        .values(merged_into_id=target_id)
    )
    _audit(
        session,
        facilitator,
        "workshop_merge_cards",
        f"workshop {workshop.id}: card {source_id} into {target_id}",
    )
    _refresh(session)
    return target_id


def add_card(*, session: Session, token: str, theme: str, text: str) -> SavedCard:
    """Save a participant's vision card on a theme, exactly as typed (trimmed)."""
    text = _card_text(text)
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting",), NOT_COLLECTING)
    themes = session.execute(
        sa.select(Workshop.__table__.c.themes).where(Workshop.__table__.c.id == actor.workshop_id)
    ).scalar_one()
    card = WorkshopCard(
        workshop_id=actor.workshop_id,
        participant_id=actor.participant_id,
        theme=_card_theme(theme, themes),
        text=text,
    )
    session.add(card)
    session.flush()
    return SavedCard(id=card.id, theme=card.theme, text=card.text)
