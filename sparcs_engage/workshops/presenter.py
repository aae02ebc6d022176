"""What the projector shows (the presenter view of /facilitate) and the order of a board's cards.

One read per refresh: the live board while cards are collected and dots placed, the ranked
summary once voting has ended. The order of cards is a rule of the board, not of a page: while
residents vote a card keeps its place (the order it was written in), so it never jumps under a
finger when another card gets a dot; from the results on, the cards are ranked by their dots.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlmodel import Session

from sparcs_engage.workshops.outcome import Board, BoardCard, WorkshopSummary, board, summary
from sparcs_engage.workshops.phases import WorkshopInfo, get_workshop
from sparcs_engage.workshops.rules import TOP_VISIONS

# The phases in which a board ranks its cards by their dots; before, they keep their places.
RANKED_PHASES = ("results", "closed")


def board_order(cards: Iterable[BoardCard], phase: str) -> tuple[BoardCard, ...]:
    """The cards of one theme in the order a board shows them in this phase: by id (stable)
    until voting has ended, then most dots first (ties by id)."""
    if phase in RANKED_PHASES:
        return tuple(sorted(cards, key=lambda card: (-card.dots, card.id)))
    return tuple(sorted(cards, key=lambda card: card.id))


@dataclass(frozen=True)
class Presentation:
    """One refresh of the projector: the workshop, and either its live board (draft,
    collecting, voting; cards in their stable order) or its ranked summary (results, closed)."""

    workshop: WorkshopInfo
    board: Board | None = None
    summary: WorkshopSummary | None = None


def presentation(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    lang: str | None = None,
    top: int = TOP_VISIONS,
) -> Presentation:
    """What the presenter view shows now; raises unknown_workshop like the board."""
    phase = get_workshop(session=session, workshop_id=workshop_id).phase
    if phase not in RANKED_PHASES:
        current = board(session=session, workshop_id=workshop_id)
        if current.workshop.phase not in RANKED_PHASES:  # voting may have ended in between
            columns = tuple(
                replace(column, cards=board_order(column.cards, current.workshop.phase))
                for column in current.columns
            )
            return Presentation(workshop=current.workshop, board=replace(current, columns=columns))
    outcome = summary(session=session, workshop_id=workshop_id, lang=lang, top=top)
    return Presentation(workshop=outcome.workshop, summary=outcome)
