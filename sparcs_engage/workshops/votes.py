"""Dot voting: placing and taking back a dot, within the budget.

A dot is one ``INSERT ... SELECT ... WHERE`` whose conditions (voting open, card on the board,
fewer dots than the budget, fewer on this card than allowed) are evaluated by that statement,
under the locks of :mod:`.locking`: two taps at once are counted one after the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.models import Workshop, WorkshopCard, WorkshopParticipant, WorkshopVote, utcnow
from sparcs_engage.workshops.codes import _token_hash
from sparcs_engage.workshops.locking import (
    _CARD,
    _NOW,
    _PARTICIPANT,
    _WORKSHOP,
    _begin_write,
    _participant_for_write,
)
from sparcs_engage.workshops.rules import (
    CARD_FULL,
    CARD_MERGED,
    NO_DOT_HERE,
    NO_DOTS_LEFT,
    NOT_VOTING,
    UNKNOWN_CARD,
    UNKNOWN_PARTICIPANT,
    WorkshopError,
    _card_id,
    _phase_error,
    _require_phase,
)

MAX_TAP_LENGTH = 40
_TAP = sa.bindparam("tap", type_=sa.String(MAX_TAP_LENGTH))


@dataclass(frozen=True)
class VoteResult:
    """Where a participant's dots stand after placing or taking back one."""

    card_id: int
    dots_on_card: int
    dots_left: int


def _group(card_id) -> sa.ColumnElement[bool]:
    """A card as the board shows it: itself and the duplicates merged into it."""
    c = WorkshopCard.__table__.c
    return sa.or_(c.id == card_id, c.merged_into_id == card_id)


def _dots_counted() -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """A participant's dots in all, and on the card as the board shows it."""
    c, v = WorkshopCard.__table__, WorkshopVote.__table__
    mine = sa.select(sa.func.count()).select_from(v).where(v.c.participant_id == _PARTICIPANT)
    mine_on_card = (
        sa.select(sa.func.count())
        .select_from(v.join(c, v.c.card_id == c.c.id))
        .where(v.c.participant_id == _PARTICIPANT, _group(_CARD))
    )
    return mine.scalar_subquery(), mine_on_card.scalar_subquery()


@cache
def _voter_statement() -> sa.Select:
    p = WorkshopParticipant.__table__.c
    return (
        sa.select(p.id, p.workshop_id)
        .where(p.token_hash == sa.bindparam("digest"))
        .with_for_update()
    )


@cache
def _vote_facts_statement() -> sa.Select:
    """The workshop (share-locked) and what a tap on a card depends on, in one round trip."""
    w = Workshop.__table__
    card = WorkshopCard.__table__.alias("card")
    mine, mine_on_card = _dots_counted()
    this_card = sa.select(card.c.id).where(card.c.id == _CARD, card.c.workshop_id == _WORKSHOP)
    return (
        sa.select(
            w.c.phase,
            w.c.dots_per_participant,
            w.c.max_dots_per_card,
            mine.label("mine"),
            mine_on_card.label("mine_on_card"),
            this_card.exists().label("card_known"),
            this_card.with_only_columns(card.c.hidden).scalar_subquery().label("card_hidden"),
            this_card.with_only_columns(card.c.merged_into_id)
            .scalar_subquery()
            .label("card_merged_into"),
        )
        .where(w.c.id == _WORKSHOP)
        .with_for_update(read=True, of=w)
    )


@cache
def _vote_statement() -> sa.Insert:
    """One dot, written only if every rule holds when the statement runs."""
    w, c, v = Workshop.__table__, WorkshopCard.__table__, WorkshopVote.__table__
    mine, mine_on_card = _dots_counted()
    workshop = sa.select(w.c.id).where(w.c.id == _WORKSHOP)
    dot = sa.select(_WORKSHOP, _CARD, _PARTICIPANT, _NOW, _TAP).where(
        workshop.where(w.c.phase == "voting").exists(),
        sa.select(c.c.id)
        .where(
            c.c.id == _CARD,
            c.c.workshop_id == _WORKSHOP,
            c.c.hidden == sa.false(),
            c.c.merged_into_id.is_(None),
        )
        .exists(),
        mine < workshop.with_only_columns(w.c.dots_per_participant).scalar_subquery(),
        mine_on_card < workshop.with_only_columns(w.c.max_dots_per_card).scalar_subquery(),
    )
    return (
        sa.insert(v)
        .from_select(["workshop_id", "card_id", "participant_id", "created_at", "tap_id"], dot)
        .returning(v.c.id)
    )


@cache
def _tap_statement() -> sa.Select:
    """The card of the dot an earlier run of the same tap placed, if any."""
    v = WorkshopVote.__table__.c
    return sa.select(v.card_id).where(v.participant_id == _PARTICIPANT, v.tap_id == _TAP)


def _tap_id(tap: object) -> str | None:
    if tap is None:
        return None
    if not isinstance(tap, str) or not 1 <= len(tap) <= MAX_TAP_LENGTH:
        raise WorkshopError(UNKNOWN_CARD)
    return tap


def _my_dots(session: Session, participant_id: uuid.UUID, card_id: int) -> tuple[int, int]:
    """(dots on the card's group, dots in all) of a participant."""
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    on_card, total = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((_group(card_id), 1), else_=0)), 0),
            sa.func.count(),
        )
        .select_from(WorkshopVote.__table__.join(WorkshopCard.__table__, v.card_id == c.id))
        .where(v.participant_id == participant_id)
    ).one()
    return int(on_card), int(total)


def _vote_refused(facts: Any) -> WorkshopError | None:
    """Why a tap cannot become a dot, given the facts read for it; None when it can."""
    if facts.phase != "voting":
        return _phase_error(facts.phase, NOT_VOTING)
    if not facts.card_known or facts.card_hidden:
        return WorkshopError(UNKNOWN_CARD)
    if facts.card_merged_into is not None:
        return WorkshopError(CARD_MERGED)
    if facts.mine >= facts.dots_per_participant:
        return WorkshopError(NO_DOTS_LEFT)
    if facts.mine_on_card >= facts.max_dots_per_card:
        return WorkshopError(CARD_FULL, {"max": facts.max_dots_per_card})
    return None


def cast_vote(*, session: Session, token: str, card_id: int, tap: str | None = None) -> VoteResult:
    """Place one dot on a card while voting is open, within the participant's budget.

    ``tap`` names the tap on the tablet: the same tap again (a callback run twice, a write
    retried after a dropped connection) places no second dot and answers as the first did.
    """
    digest = _token_hash(token)
    card_id = _card_id(card_id)
    tap = _tap_id(tap)
    # SQLite: the one write lock from here to the commit. PostgreSQL: the participant's row,
    # and a share lock on the workshop's (in the facts query), until the transaction ends.
    _begin_write(session)
    voter = session.execute(_voter_statement(), {"digest": digest}).first()
    if voter is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    params = {"participant_id": voter.id, "workshop_id": voter.workshop_id, "card_id": card_id}
    if (
        tap is not None
        and session.execute(_tap_statement(), {"participant_id": voter.id, "tap": tap}).first()
    ):
        on_card, total = _my_dots(session, voter.id, card_id)
        dots = session.execute(
            sa.select(Workshop.__table__.c.dots_per_participant).where(
                Workshop.__table__.c.id == voter.workshop_id
            )
        ).scalar_one()
        return VoteResult(card_id=card_id, dots_on_card=on_card, dots_left=dots - total)
    facts = session.execute(_vote_facts_statement(), params).one()
    refused = _vote_refused(facts)
    if refused is not None:
        raise refused
    # The rules again, in the statement that writes: under the lock the facts are current, and
    # the statement alone could not count a dot past the budget even without it.
    inserted = session.execute(_vote_statement(), {**params, "now": utcnow(), "tap": tap}).first()
    if inserted is None:
        raise WorkshopError(NO_DOTS_LEFT)
    return VoteResult(
        card_id=card_id,
        dots_on_card=facts.mine_on_card + 1,
        dots_left=facts.dots_per_participant - facts.mine - 1,
    )


def withdraw_vote(*, session: Session, token: str, card_id: int) -> VoteResult:
    """Take back one of the participant's dots from a card while voting is open."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("voting",), NOT_VOTING)
    card = session.execute(
        sa.select(
            WorkshopCard.__table__.c.workshop_id, WorkshopCard.__table__.c.merged_into_id
        ).where(WorkshopCard.__table__.c.id == _card_id(card_id))
    ).first()
    if card is None or card.workshop_id != actor.workshop_id:
        raise WorkshopError(UNKNOWN_CARD)
    group_id = card.merged_into_id or card_id
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    latest = session.execute(
        sa.select(v.id)
        .select_from(WorkshopVote.__table__.join(WorkshopCard.__table__, v.card_id == c.id))
        .where(v.participant_id == actor.participant_id, _group(group_id))
        .order_by(v.id.desc())
        .limit(1)
    ).scalar()
    if latest is None:
        raise WorkshopError(NO_DOT_HERE)
    session.execute(sa.delete(WorkshopVote.__table__).where(v.id == latest))
    on_card, total = _my_dots(session, actor.participant_id, group_id)
    return VoteResult(
        card_id=group_id, dots_on_card=on_card, dots_left=actor.dots_per_participant - total
    )
