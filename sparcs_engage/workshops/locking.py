"""Locks: the database, not the page, decides.

A participant's action locks their row (PostgreSQL) or takes SQLite's single write lock, and
share-locks the workshop's row, which every facilitator action locks exclusively. So a phase
change waits for the taps in flight, and once it has committed no tap of the old phase lands.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage.auth import audit
from sparcs_engage.models import (
    UTCDateTime,
    Workshop,
    WorkshopFacilitator,
    WorkshopParticipant,
    utcnow,
)
from sparcs_engage.workshops.codes import _token_hash
from sparcs_engage.workshops.rules import (
    NOT_YOURS,
    UNKNOWN_PARTICIPANT,
    UNKNOWN_WORKSHOP,
    WorkshopError,
    _uuid,
)

# SQLite has one writer, and its busy handler polls with sleeps growing to 100 ms: in a burst
# of taps from many threads (every visitor is a thread of one process) a waiting writer can lose
# every race until busy_timeout, and the writer holding the lock competes for the GIL with all
# the others. So the threads of this process that write workshop data queue for each database
# file and hold their place until their transaction ends; only they ask SQLite for the lock.
# The queue is for speed and fairness only: correctness comes from SQLite's own lock, so a
# place held too long (a session never closed) is given up, and other processes just wait.
QUEUE_WAIT_S = 10
_QUEUE_KEY = "sparcs_workshop_writer_queue"


class _WriterQueue:
    """The threads of this process waiting to write to one SQLite file, served one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: int | None = None

    def enter(self, timeout: float) -> bool:
        if not self._lock.acquire(timeout=timeout):
            return False
        self.owner = threading.get_ident()
        return True

    def leave(self) -> None:
        self.owner = None
        self._lock.release()


_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_GUARD = threading.Lock()


def _writer_queue(database: str) -> _WriterQueue:
    with _QUEUES_GUARD:
        return _QUEUES.setdefault(database, _WriterQueue())


def _enter_queue(session: Session, database: str) -> None:
    queue = _writer_queue(database)
    if queue.owner == threading.get_ident():
        return  # this thread already writes in another session: SQLite decides, as before
    if queue.enter(QUEUE_WAIT_S):
        session.info[_QUEUE_KEY] = queue
        return
    with _QUEUES_GUARD:  # the place was held too long: start a new queue, leave that one be
        if _QUEUES.get(database) is queue:
            _QUEUES[database] = _WriterQueue()


@sa.event.listens_for(Session, "after_transaction_end")
def _leave_queue(session: Session, transaction) -> None:
    if transaction.parent is None:
        queue = session.info.pop(_QUEUE_KEY, None)
        if queue is not None:
            queue.leave()


def _begin_write(session: Session) -> None:
    """On SQLite, take the single write lock now, so that what the transaction reads next is
    still true when it writes; PostgreSQL locks rows instead (see the callers)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    # pysqlite opens a transaction only before a write; reads before it ran outside of one.
    if connection.connection.dbapi_connection.in_transaction:
        return
    if _QUEUE_KEY not in session.info:
        _enter_queue(session, connection.engine.url.database or "")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _workshop_for_update(
    session: Session, workshop_id: object, facilitator: str | None = None
) -> Workshop:
    """The workshop, locked against participants' actions until the transaction ends; with a
    facilitator, only when they run it (they created it, or it was given to them)."""
    workshop_id = _uuid(workshop_id)
    _begin_write(session)
    workshop = (
        session.exec(
            select(Workshop)
            .where(Workshop.id == workshop_id)
            # Conflicts with the participants' share locks, not with foreign-key checks.
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        ).first()
        if workshop_id
        else None
    )
    if workshop is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    if facilitator is not None:
        _require_runner(session, workshop, facilitator)
    return workshop


def runs_workshop(session: Session, workshop: Workshop, username: str) -> bool:
    """Whether a facilitator runs this workshop: they created it or it was given to them."""
    if workshop.facilitator == username:
        return True
    f = WorkshopFacilitator.__table__.c
    given = session.execute(
        sa.select(f.username).where(f.workshop_id == workshop.id, f.username == username)
    ).first()
    return given is not None


def _require_runner(session: Session, workshop: Workshop, facilitator: str) -> None:
    if not runs_workshop(session, workshop, str(facilitator)):
        raise WorkshopError(NOT_YOURS)


@dataclass(frozen=True)
class _Actor:
    participant_id: uuid.UUID
    workshop_id: uuid.UUID
    phase: str
    dots_per_participant: int
    max_dots_per_card: int


# The statements of every tap, built once: SQLAlchemy then reuses their compiled form.
_PARTICIPANT = sa.bindparam("participant_id", type_=sa.Uuid())
_WORKSHOP = sa.bindparam("workshop_id", type_=sa.Uuid())
_CARD = sa.bindparam("card_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UTCDateTime())


@cache
def _touch_statement() -> sa.Update:
    p = WorkshopParticipant.__table__
    return (
        sa.update(p)
        .where(p.c.token_hash == sa.bindparam("digest"))
        .values(last_seen_at=_NOW)
        .returning(p.c.id, p.c.workshop_id)
    )


@cache
def _workshop_statement() -> sa.Select:
    w = Workshop.__table__.c
    # A share lock: a phase change waits for the taps in flight, and the next ones see it.
    return (
        sa.select(w.phase, w.dots_per_participant, w.max_dots_per_card)
        .where(w.id == _WORKSHOP)
        .with_for_update(read=True)
    )


def _lock_participant(session: Session, token: object) -> tuple[uuid.UUID, uuid.UUID]:
    """Lock the participant's row until the transaction ends, noting that they were seen."""
    digest = _token_hash(token)
    _begin_write(session)
    row = session.execute(_touch_statement(), {"digest": digest, "now": utcnow()}).first()
    if row is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    return row.id, row.workshop_id


def _participant_for_write(session: Session, token: object) -> _Actor:
    """Lock the participant and share-lock their workshop: its phase holds until we commit."""
    participant_id, workshop_id = _lock_participant(session, token)
    workshop = session.execute(_workshop_statement(), {"workshop_id": workshop_id}).one()
    return _Actor(
        participant_id=participant_id,
        workshop_id=workshop_id,
        phase=workshop.phase,
        dots_per_participant=workshop.dots_per_participant,
        max_dots_per_card=workshop.max_dots_per_card,
    )


def _refresh(session: Session) -> None:
    """After a bulk UPDATE: tables reread on next access by anything the caller still holds."""
    session.flush()
    session.expire_all()


def _audit(session: Session, actor: str, action: str, detail: str) -> None:
    # Through auth.audit: every entry is chained to the one before (`sparcs-engage audit verify`).
    audit(session=session, actor=str(actor), action=action, detail=detail)
