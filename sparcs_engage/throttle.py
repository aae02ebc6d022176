"""Rate limits kept in the database: failed sign-ins per user name and per client, wrong
resident codes per client, submissions per client.

Every app process behind a proxy counts into the same rows, and each count is one atomic
statement (an upsert with RETURNING, on SQLite and PostgreSQL alike), so parallel attempts can
never overwrite each other's count. Keys are stored as keyed hashes: no address or user name is
kept in this table.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from sparcs_engage.keys import keyed_hash

# Rows whose window ended this long ago are removed now and then.
KEEP_S = 24 * 3600


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` within ``window_s`` seconds; reaching it blocks for a whole window."""

    attempts: int
    window_s: float


_HIT = sa.text(
    "INSERT INTO rate_limit (key, hits, window_start) VALUES (:key, 1, :now) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limit.window_start <= :cutoff THEN 1 ELSE rate_limit.hits + 1 END, "
    "window_start = CASE WHEN rate_limit.window_start <= :cutoff THEN :now "
    "ELSE rate_limit.window_start END "
    "RETURNING hits"
)


def bucket(kind: str, value: str) -> str:
    """The stored key of one counter: its kind and a keyed hash of what it counts."""
    return f"{kind}:{keyed_hash(f'{kind}:{value}')[:40]}"


@dataclass(frozen=True)
class Client:
    """Who acts, for limits on residents' actions: the browser's own id (a signed cookie) and
    the network address. The browser gets the limit; its address gets ADDRESS_FACTOR times as
    much, so residents sharing an address (a library, a school) are not held up by each other,
    while a script that drops its cookie is still held by its address."""

    browser: str
    address: str


ADDRESS_FACTOR = 20


def _client_buckets(kind: str, client: Client, limit: Limit) -> list[tuple[str, Limit]]:
    buckets = [(bucket(f"{kind}-address", client.address), _times(limit, ADDRESS_FACTOR))]
    if client.browser:
        buckets.insert(0, (bucket(f"{kind}-browser", client.browser), limit))
    return buckets


def _times(limit: Limit, factor: int) -> Limit:
    return Limit(limit.attempts * factor, limit.window_s)


def allowed(
    session: Session, kind: str, client: Client | None, limit: Limit, *, now: float | None = None
) -> bool:
    """Whether this client may do ``kind`` once more (counts nothing; see ``count``)."""
    if client is None:
        return True
    return not any(
        over(session, key, each, now=now) for key, each in _client_buckets(kind, client, limit)
    )


def count(
    session: Session, kind: str, client: Client | None, limit: Limit, *, now: float | None = None
) -> None:
    """Count one ``kind`` done by this client (after it succeeded)."""
    if client is None:
        return
    for key, each in _client_buckets(kind, client, limit):
        hit(session, key, each, now=now)


def hit(session: Session, key: str, limit: Limit, *, now: float | None = None) -> int:
    """Count one attempt and return how many this window holds, this one included. The attempt
    that reaches the limit starts the window again, so the block lasts a whole window."""
    now = time.time() if now is None else now
    hits = session.execute(
        _HIT, {"key": key, "now": now, "cutoff": now - limit.window_s}
    ).scalar_one()
    if hits == limit.attempts:
        session.execute(
            sa.text("UPDATE rate_limit SET window_start = :now WHERE key = :key"),
            {"key": key, "now": now},
        )
    if random.random() < 0.01:
        session.execute(
            sa.text("DELETE FROM rate_limit WHERE window_start < :old"), {"old": now - KEEP_S}
        )
    return hits


def over(session: Session, key: str, limit: Limit, *, now: float | None = None) -> bool:
    """Whether the key has used up its attempts in the current window (counts nothing)."""
    now = time.time() if now is None else now
    hits = session.execute(
        sa.text("SELECT hits FROM rate_limit WHERE key = :key AND window_start > :cutoff"),
        {"key": key, "cutoff": now - limit.window_s},
    ).scalar()
    return bool(hits and hits >= limit.attempts)


def clear(session: Session, key: str) -> None:
    session.execute(sa.text("DELETE FROM rate_limit WHERE key = :key"), {"key": key})
