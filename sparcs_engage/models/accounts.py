"""Accounts of staff and facilitators, and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from sparcs_engage.models.base import UTCDateTime, utcnow

ROLES: tuple[str, ...] = ("staff", "facilitator")


class Account(SQLModel, table=True):
    """A staff member or workshop facilitator who signs in; residents never have one."""

    __tablename__ = "account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """One line of the audit log: a login, a failed login, an export, a deletion.

    The log is a hash chain: each entry's ``entry_hash`` covers its own fields and the
    ``prev_hash`` of the entry before it, so a changed or removed entry breaks the chain at that
    point (`sparcs-engage audit verify` names it)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=40, index=True)
    detail: str = Field(default="", max_length=500)
    prev_hash: str = Field(default="", max_length=64)
    entry_hash: str = Field(default="", max_length=64)


class RateLimit(SQLModel, table=True):
    """A counter of attempts for one key (a client, a user name) within a time window: failed
    sign-ins, wrong resident codes, submissions. Kept in the database so that every app
    process behind a proxy counts the same attempts."""

    __tablename__ = "rate_limit"

    key: str = Field(primary_key=True, max_length=160)
    hits: int = Field(default=0)
    window_start: float = Field(default=0.0)  # Unix seconds: compared in SQL on both backends


class StaffSession(SQLModel, table=True):
    """A signed-in staff member's or facilitator's browser: what the HttpOnly session cookie
    points to, so a reload or an app restart keeps them signed in, and sign-out or an idle
    timeout ends it for every tab and every app process at once."""

    __tablename__ = "staff_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=128, index=True)
    role: str = Field(max_length=20)
    via: str = Field(default="password", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The one-time token that lets the browser fetch its cookie (keyed hash; empty once used).
    handoff_hash: str = Field(default="", max_length=64)
