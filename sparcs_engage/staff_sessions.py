"""Signed-in sessions of staff and facilitators, kept in the database.

A sign-in opens a StaffSession. The browser gets an HttpOnly cookie naming it (set by the
server's own route, see ui/routes.py, after a one-time hand-off token), so a reload or an app
restart keeps the person signed in, on any app process. Sign-out, or the idle timeout, ends the
session for every tab and process at once: the cookie then opens nothing. Downloads for staff
are signed tickets bound to the session, so a download link dies with it.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from sparcs_engage.auth import Identity, audit
from sparcs_engage.keys import keyed_hash
from sparcs_engage.models import StaffSession, utcnow

COOKIE = "sparcs_session"
HANDOFF_TTL = timedelta(minutes=2)
TICKET_TTL_S = 15 * 60
# last_seen_at is written at most this often, so a busy page does not write on every run.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Opened:
    session_id: str
    handoff: str  # the one-time token the browser trades for its cookie


def _sign(value: str) -> str:
    return keyed_hash(f"staff-session:{value}")[:32]


def cookie_value(session_id: str) -> str:
    return f"{session_id}.{_sign(session_id)}"


def session_id_from_cookie(raw: object) -> str | None:
    """The session id a cookie names, if its signature holds; None for anything else."""
    if not isinstance(raw, str) or len(raw) > 100 or "." not in raw:
        return None
    value, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(value)):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def open_session(*, session: Session, identity: Identity, now: datetime | None = None) -> Opened:
    """Start a signed-in session for an identity that has just signed in."""
    now = now or utcnow()
    handoff = secrets.token_urlsafe(24)
    row = StaffSession(
        username=identity.username,
        role=identity.role,
        via=identity.via,
        created_at=now,
        last_seen_at=now,
        handoff_hash=keyed_hash(f"handoff:{handoff}"),
    )
    session.add(row)
    session.flush()
    return Opened(str(row.id), handoff)


def claim_handoff(
    *, session: Session, session_id: object, handoff: object, now: datetime | None = None
) -> str | None:
    """The cookie value for a fresh session whose one-time token this is; None otherwise.
    The token works once, within HANDOFF_TTL."""
    now = now or utcnow()
    row = _row(session, session_id)
    if row is None or row.ended_at is not None or not isinstance(handoff, str):
        return None
    if not row.handoff_hash or not hmac.compare_digest(
        row.handoff_hash, keyed_hash(f"handoff:{handoff}")
    ):
        return None
    if now - row.created_at > HANDOFF_TTL:
        return None
    row.handoff_hash = ""
    session.add(row)
    return cookie_value(str(row.id))


def _row(session: Session, session_id: object) -> StaffSession | None:
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        return None
    return session.get(StaffSession, key)


@dataclass(frozen=True)
class Check:
    """What a browser's session is now: ``identity`` when it is live, else ``ended`` says
    whether it ended just now for being idle (the page then says so)."""

    identity: Identity | None
    idle_ended: bool = False


def check(
    *, session: Session, session_id: object, idle: timedelta, now: datetime | None = None
) -> Check:
    """Whether a session is still live; an idle one is ended here (and audited)."""
    now = now or utcnow()
    row = _row(session, session_id)
    if row is None or row.ended_at is not None:
        return Check(None)
    if now - row.last_seen_at > idle:
        _end(session, row, now, "idle")
        return Check(None, idle_ended=True)
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return Check(Identity(row.username, row.role, row.via, str(row.id)))


def end(*, session: Session, session_id: object, reason: str = "sign-out") -> bool:
    """End a session (sign-out); False when it had ended already."""
    row = _row(session, session_id)
    if row is None or row.ended_at is not None:
        return False
    _end(session, row, utcnow(), reason)
    return True


def _end(session: Session, row: StaffSession, now: datetime, reason: str) -> None:
    row.ended_at = now
    row.handoff_hash = ""
    session.add(row)
    audit(session=session, actor=row.username, action="logout", detail=reason)


# Download tickets ----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_ticket(session_id: str, kind: str, params: dict, *, now: float) -> str:
    """A signed, short-lived ticket for one download of ``kind`` with ``params``, valid only
    with the cookie of the session it was made for."""
    body = _b64(
        json.dumps({"s": session_id, "k": kind, "p": params, "t": int(now)}).encode("utf-8")
    )
    return f"{body}.{keyed_hash(f'ticket:{body}')[:32]}"


@dataclass(frozen=True)
class Ticket:
    session_id: str
    kind: str
    params: dict


def read_ticket(raw: object, *, now: float) -> Ticket | None:
    """The ticket, if its signature holds and it is not older than TICKET_TTL_S."""
    if not isinstance(raw, str) or len(raw) > 4000 or "." not in raw:
        return None
    body, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, keyed_hash(f"ticket:{body}")[:32]):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not 0 <= now - data.get("t", 0) <= TICKET_TTL_S:
        return None
    if not isinstance(data.get("p"), dict):
        return None
    return Ticket(str(data.get("s")), str(data.get("k")), data["p"])


def idle_timeout(settings) -> timedelta:
    """The configured idle timeout (SPARCS_SESSION_IDLE_MINUTES)."""
    return timedelta(minutes=settings.session_idle_minutes)
