"""What a waiting tablet checks: one small read that changes whenever anything a tablet shows
changes (the phase, the settings, a card written, hidden or merged, a dot placed or taken back).

Tablets of one workshop share it per process (sparcs_engage.ui.database caches it for a
second), and read their whole state only when it has moved on. It reads the indexes of the
workshop's cards and dots, never their rows' text.
"""

from __future__ import annotations

import uuid
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.models import Workshop, WorkshopCard, WorkshopVote
from sparcs_engage.workshops.rules import UNKNOWN_WORKSHOP, WorkshopError, _uuid

_ID = sa.bindparam("workshop_id", type_=sa.Uuid())


@cache
def _statement() -> sa.Select:
    w, c, v = Workshop.__table__.c, WorkshopCard.__table__.c, WorkshopVote.__table__.c
    cards = sa.select(
        sa.func.count(),
        sa.func.max(c.id),
        sa.func.count(c.merged_into_id),
        sa.func.sum(sa.case((c.hidden, 1), else_=0)),
    ).where(c.workshop_id == _ID)
    dots = sa.select(sa.func.count(), sa.func.max(v.id)).where(v.workshop_id == _ID)
    card_facts = cards.subquery()
    dot_facts = dots.subquery()
    return sa.select(
        w.phase,
        w.show_cards,
        w.dots_per_participant,
        w.max_dots_per_card,
        *card_facts.c,
        *dot_facts.c,
    ).where(w.id == _ID)


def workshop_fingerprint(*, session: Session, workshop_id: uuid.UUID | str) -> tuple:
    """A value that differs whenever what any tablet of the workshop shows may differ."""
    row = session.execute(_statement(), {"workshop_id": _uuid(workshop_id)}).first()
    if row is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return tuple(row)
