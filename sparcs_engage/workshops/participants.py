"""Participants: joining with the code (a tablet's token keeps the same person), what their
tablet shows after a reload, their rating of the workshop and finishing."""

from __future__ import annotations

import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage.i18n import LANGUAGE_INFO, SOURCE_LANGUAGE, normalize_language
from sparcs_engage.models import Workshop, WorkshopCard, WorkshopParticipant, WorkshopVote, utcnow
from sparcs_engage.workshops.cards import _clean
from sparcs_engage.workshops.codes import _hash_token, _token_hash, normalize_join_code
from sparcs_engage.workshops.locking import _begin_write, _participant_for_write, _refresh
from sparcs_engage.workshops.outcome import _roots
from sparcs_engage.workshops.phases import WorkshopInfo, _info
from sparcs_engage.workshops.rules import (
    _NEWLINES,
    ALL_CARDS_PHASES,
    COMMENT_TOO_LONG,
    INVALID_CODE,
    INVALID_RATING,
    MAX_COMMENT_LENGTH,
    MAX_NAME_LENGTH,
    NAME_TOO_LONG,
    NOT_OPEN,
    TOUCH_EVERY_S,
    UNKNOWN_CODE,
    UNKNOWN_PARTICIPANT,
    WRONG_PHASE,
    WorkshopError,
    _require_phase,
)

# Friendly names for participants who give none: a nature or energy word and a number, from
# each language's content/<lang>/language.toml.
GENERATED_NAME_WORDS: dict[str, str] = {
    code: " ".join(language.participant_names) for code, language in LANGUAGE_INFO.items()
}


@dataclass(frozen=True)
class Joined:
    """A participant in a workshop, and the token their tablet keeps to stay them on reload."""

    workshop_id: uuid.UUID
    participant_id: uuid.UUID
    token: str
    name: str
    rejoined: bool


@dataclass(frozen=True)
class ParticipantCard:
    """A card as a participant's tablet shows it; ``dots`` (everyone's) only once voting ended."""

    id: int
    theme: str
    text: str
    mine: bool
    by_facilitator: bool
    my_dots: int
    dots: int | None
    hidden: bool = False
    merged_into_id: int | None = None


@dataclass(frozen=True)
class ParticipantState:
    """Everything a participant's page needs after a reload."""

    workshop: WorkshopInfo
    participant_id: uuid.UUID
    name: str
    cards: tuple[ParticipantCard, ...]
    dots_used: int
    dots_left: int
    finished: bool
    rating: int | None
    rating_comment: str | None


def generated_name(lang: str, taken: Iterable[str] = (), rng: random.Random | None = None) -> str:
    """A friendly name such as ``Aurinko 7``, ``Sonne 7`` or ``Sun 7`` not yet taken."""
    words = GENERATED_NAME_WORDS[normalize_language(lang) or SOURCE_LANGUAGE].split()
    rng = rng or random.Random(secrets.randbits(64))
    taken = set(taken)
    for _ in range(200):
        name = f"{rng.choice(words)} {rng.randint(1, 99)}"
        if name not in taken:
            return name
    n = 100
    while f"{words[0]} {n}" in taken:
        n += 1
    return f"{words[0]} {n}"


def _names_lock(session: Session, workshop_id: uuid.UUID) -> None:
    """On PostgreSQL, joins that make up a name take turns per workshop until they commit, so
    two tablets joining at once never read the same taken names and pick the same new one.
    (Joins only share-lock the workshop; SQLite has one writer anyway.)"""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(workshop_id.bytes[:8], "big", signed=True)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _workshop_by_code(session: Session, code: object) -> Workshop:
    normalized = normalize_join_code(code)
    if normalized is None:
        raise WorkshopError(INVALID_CODE)
    _begin_write(session)
    # Share-locked like the participants' actions: nobody joins once it has closed.
    workshop = session.exec(
        select(Workshop)
        .where(Workshop.join_code == normalized)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).first()
    if workshop is None:
        raise WorkshopError(UNKNOWN_CODE)
    return workshop


def join_workshop(
    *,
    session: Session,
    code: str,
    name: str | None = None,
    lang: str | None = None,
    token: str | None = None,
) -> Joined:
    """Join an open workshop by its code; with the token of an earlier visit, be that person."""
    workshop = _workshop_by_code(session, code)
    _require_phase(workshop.phase, ("collecting", "voting", "results"), NOT_OPEN)
    if isinstance(token, str) and 16 <= len(token) <= 100:
        known = session.exec(
            select(WorkshopParticipant).where(
                WorkshopParticipant.token_hash == _hash_token(token),
                WorkshopParticipant.workshop_id == workshop.id,
            )
        ).first()
        if known is not None:
            known.last_seen_at = utcnow()
            session.add(known)
            session.flush()
            return Joined(
                workshop_id=workshop.id,
                participant_id=known.id,
                token=token,
                name=known.name,
                rejoined=True,
            )
    chosen = ""
    if name is not None:
        if not isinstance(name, str):
            raise WorkshopError(NAME_TOO_LONG, {"max": MAX_NAME_LENGTH})
        chosen = _NEWLINES.sub(" ", _clean(name, MAX_NAME_LENGTH))
        if len(chosen) > MAX_NAME_LENGTH:
            raise WorkshopError(NAME_TOO_LONG, {"max": MAX_NAME_LENGTH})
    language = normalize_language(lang) or workshop.lang
    if not chosen:
        _names_lock(session, workshop.id)
        taken = session.exec(
            select(WorkshopParticipant.name).where(WorkshopParticipant.workshop_id == workshop.id)
        ).all()
        chosen = generated_name(language, taken)
    new_token = secrets.token_urlsafe(24)
    participant = WorkshopParticipant(
        workshop_id=workshop.id, token_hash=_hash_token(new_token), name=chosen, lang=language
    )
    session.add(participant)
    session.flush()
    return Joined(
        workshop_id=workshop.id,
        participant_id=participant.id,
        token=new_token,
        name=chosen,
        rejoined=False,
    )


def participant_state(*, session: Session, token: str) -> ParticipantState:
    """What a participant's tablet shows after a reload: their cards, dots, rating."""
    digest = _token_hash(token)
    participant = session.exec(
        select(WorkshopParticipant)
        .where(WorkshopParticipant.token_hash == digest)
        .execution_options(populate_existing=True)
    ).first()
    if participant is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    workshop = session.get(Workshop, participant.workshop_id, populate_existing=True)
    now = utcnow()
    if now - participant.last_seen_at > timedelta(seconds=TOUCH_EVERY_S):
        _begin_write(session)
        session.execute(
            sa.update(WorkshopParticipant.__table__)
            .where(WorkshopParticipant.__table__.c.id == participant.id)
            .values(last_seen_at=now)
        )
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    all_cards = workshop.show_cards or workshop.phase in ALL_CARDS_PHASES
    query = sa.select(
        c.id, c.theme, c.text, c.participant_id, c.by_facilitator, c.hidden, c.merged_into_id
    ).where(c.workshop_id == workshop.id)
    if not all_cards:
        query = query.where(sa.or_(c.participant_id == participant.id, c.by_facilitator))
    rows = session.execute(query.order_by(c.id)).all()
    dots_by_card = dict(
        session.execute(
            sa.select(v.card_id, sa.func.count())
            .where(v.workshop_id == workshop.id)
            .group_by(v.card_id)
        ).all()
    )
    mine_by_card = dict(
        session.execute(
            sa.select(v.card_id, sa.func.count())
            .where(v.participant_id == participant.id)
            .group_by(v.card_id)
        ).all()
    )
    root_of = _roots(session, workshop.id)
    group_dots: dict[int, int] = defaultdict(int)
    group_mine: dict[int, int] = defaultdict(int)
    for card_id, n in dots_by_card.items():
        group_dots[root_of.get(card_id, card_id)] += n
    for card_id, n in mine_by_card.items():
        group_mine[root_of.get(card_id, card_id)] += n
    show_totals = workshop.phase in ("results", "closed")
    cards = []
    for row in rows:
        mine = row.participant_id == participant.id
        on_board = not row.hidden and row.merged_into_id is None
        if not on_board and not mine and not group_mine.get(row.id):
            continue
        cards.append(
            ParticipantCard(
                id=row.id,
                theme=row.theme,
                text=row.text,
                mine=mine,
                by_facilitator=row.by_facilitator,
                my_dots=group_mine.get(row.id, 0) if row.merged_into_id is None else 0,
                dots=group_dots.get(row.id, 0) if show_totals and on_board else None,
                hidden=row.hidden,
                merged_into_id=row.merged_into_id,
            )
        )
    used = sum(mine_by_card.values())
    return ParticipantState(
        workshop=_info(workshop),
        participant_id=participant.id,
        name=participant.name,
        cards=tuple(cards),
        dots_used=used,
        dots_left=max(0, workshop.dots_per_participant - used),
        finished=participant.finished_at is not None,
        rating=participant.rating,
        rating_comment=participant.rating_comment,
    )


def rate_workshop(*, session: Session, token: str, rating: int, comment: str | None = None) -> None:
    """Save (or change) a participant's rating of the workshop, 1-5, and an optional comment."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting", "voting", "results"), WRONG_PHASE)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise WorkshopError(INVALID_RATING)
    text = None
    if comment is not None:
        if not isinstance(comment, str):
            raise WorkshopError(COMMENT_TOO_LONG, {"max": MAX_COMMENT_LENGTH, "length": 0})
        text = _clean(comment, MAX_COMMENT_LENGTH) or None
        if text is not None and len(text) > MAX_COMMENT_LENGTH:
            raise WorkshopError(COMMENT_TOO_LONG, {"max": MAX_COMMENT_LENGTH, "length": len(text)})
    p = WorkshopParticipant.__table__.c
    session.execute(
        sa.update(WorkshopParticipant.__table__)
        .where(p.id == actor.participant_id)
        .values(rating=rating, rating_comment=text, rated_at=utcnow())
    )
    _refresh(session)


def finish(*, session: Session, token: str) -> None:
    """Mark the participant as done (the board counts them); doing it twice changes nothing."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting", "voting", "results"), WRONG_PHASE)
    p = WorkshopParticipant.__table__.c
    session.execute(
        sa.update(WorkshopParticipant.__table__)
        .where(p.id == actor.participant_id, p.finished_at.is_(None))
        .values(finished_at=utcnow())
    )
    _refresh(session)
