"""What a waiting tablet checks: one small read that moves on whenever anything a tablet shows
may have changed (the phase, the settings, a card written, hidden or merged, a dot placed or
taken back).

Tablets of one workshop share it per process (sparcs_engage.ui.database caches it for a
second) and read their whole state only when the part of it they show has moved on: while
voting, a dot placed by someone else changes nothing on another tablet, so it is left out.
It counts the workshop's cards and dots from their indexes, never reading their text.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.models import Workshop, WorkshopCard, WorkshopVote
from sparcs_engage.workshops.rules import UNKNOWN_WORKSHOP, WorkshopError, _uuid

_ID = sa.bindparam("workshop_id", type_=sa.Uuid())


class WorkshopMark(NamedTuple):
    """The facts a workshop's screens follow; equal marks mean nothing they show has moved."""

    phase: str
    show_cards: bool
    dots_per_participant: int
    max_dots_per_card: int
    cards: int
    last_card: int | None
    merged: int
    hidden: int
    facilitator_cards: int
    dots: int
    last_dot: int | None

    def for_tablet(self) -> tuple:
        """The part a participant's tablet shows: their own dots change only by their own
        taps, others' cards only count once they are shared, others' dots only in results."""
        common = (
            self.phase,
            self.show_cards,
            self.dots_per_participant,
            self.max_dots_per_card,
            self.merged,
            self.hidden,
            self.facilitator_cards,
        )
        if self.phase == "collecting" and not self.show_cards:
            return common
        if self.phase in ("collecting", "voting"):
            return (*common, self.cards, self.last_card)
        return tuple(self)


@cache
def _statement() -> sa.Select:
    w, c, v = Workshop.__table__.c, WorkshopCard.__table__.c, WorkshopVote.__table__.c
    cards = (
        sa.select(
            sa.func.count().label("cards"),
            sa.func.max(c.id).label("last_card"),
            sa.func.count(c.merged_into_id).label("merged"),
            sa.func.coalesce(sa.func.sum(sa.case((c.hidden, 1), else_=0)), 0).label("hidden"),
            sa.func.coalesce(sa.func.sum(sa.case((c.by_facilitator, 1), else_=0)), 0).label(
                "facilitator_cards"
            ),
        )
        .where(c.workshop_id == _ID)
        .subquery()
    )
    dots = (
        sa.select(sa.func.count().label("dots"), sa.func.max(v.id).label("last_dot"))
        .where(v.workshop_id == _ID)
        .subquery()
    )
    # One row each: joined on true, so the whole mark comes back in one round trip.
    return (
        sa.select(
            w.phase, w.show_cards, w.dots_per_participant, w.max_dots_per_card, *cards.c, *dots.c
        )
        .select_from(Workshop.__table__.join(cards, sa.true()).join(dots, sa.true()))
        .where(w.id == _ID)
    )


def workshop_mark(*, session: Session, workshop_id: uuid.UUID | str) -> WorkshopMark:
    """The workshop's mark now (see the module's docstring)."""
    row = session.execute(_statement(), {"workshop_id": _uuid(workshop_id)}).first()
    if row is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return WorkshopMark(*row)
