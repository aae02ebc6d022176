"""Staff and facilitator accounts: creation, password hashing (argon2id), sign-in with lockout,
and the tamper-evident audit log.

Every sign-in, failed ones too, goes to the audit log.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, func, select

from sparcs_engage import throttle
from sparcs_engage.i18n import N_, MessageError
from sparcs_engage.models import ROLES, Account, AuditEvent, utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

# argon2id with the library's current defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both paths take the same time.


@cache
def _dummy_hash() -> str:
    """A hash to verify unknown users against, so both paths cost the same. Made on first use:
    an argon2 hash takes 64 MB for a moment, which a command that never signs anyone in (an
    export, say) should not pay."""
    return _hasher.hash("not a real password, only for constant-time sign-in")


# A client (a browser, or an address behind the proxy) may fail this often in a window before it
# is paused, whatever names it tries: one client alone cannot lock someone else's account when
# the account's own limit is higher (see load_settings).
CLIENT_FAILURES = 5


class AccountError(MessageError):
    """An account request that cannot be carried out; ``message`` is a msgid to translate."""


@dataclass(frozen=True)
class Identity:
    """Who is signed in to this browser session, and with which role."""

    username: str
    role: str
    via: str = "password"
    session_id: str = ""  # the StaffSession behind the browser's cookie, once it has one


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: ``status`` is ok, invalid, locked (the user name has had too
    many failures), throttled (this client has) or empty."""

    status: str
    identity: Identity | None = None


def normalize_username(username: str) -> str:
    return username.strip().lower()


def check_new_password(password: str) -> None:
    if not password:
        raise AccountError(N_("The password cannot be empty."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("The password must have at least {n} characters."), n=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(N_("The password is too long."))


def create_account(*, session: Session, username: str, password: str, role: str) -> Account:
    """Add a staff or facilitator account; used by `sparcs-engage user add`."""
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise AccountError(
            N_("A user name has 3 to 64 characters: letters a-z, digits and . _ @ -")
        )
    if role not in ROLES:
        raise AccountError(N_("Unknown role {role}."), role=role)
    check_new_password(password)
    if session.exec(select(Account).where(Account.username == name)).first():
        raise AccountError(N_("The user name {name} is taken."), name=name)
    account = Account(username=name, password_hash=_hasher.hash(password), role=role)
    session.add(account)
    session.flush()
    return account


def set_password(*, session: Session, username: str, password: str) -> None:
    """Give an account a new password and lift any lockout."""
    account = _find(session, username)
    if account is None:
        raise AccountError(N_("There is no user {name}."), name=normalize_username(username))
    check_new_password(password)
    account.password_hash = _hasher.hash(password)
    session.add(account)
    throttle.clear(session, _name_bucket(account.username))


def remove_account(*, session: Session, username: str) -> None:
    account = _find(session, username)
    if account is None:
        raise AccountError(N_("There is no user {name}."), name=normalize_username(username))
    session.delete(account)


def list_accounts(*, session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(Account.username)))


def _find(session: Session, username: str) -> Account | None:
    name = normalize_username(username)
    return session.exec(select(Account).where(Account.username == name)).first()


# The audit log is a hash chain; the first entry follows this value.
GENESIS = "0" * 64
# One writer at a time appends to the chain (PostgreSQL; SQLite has one writer anyway).
_AUDIT_LOCK = 0x5BA2C5


def _chain_hash(prev_hash: str, event: AuditEvent) -> str:
    at = event.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = json.dumps(
        [event.id, at, event.actor, event.action, event.detail, prev_hash], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit(*, session: Session, actor: str, action: str, detail: str = "") -> None:
    """Append one entry to the audit log, chained to the entry before it."""
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: entries get their ids and links in one order.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    event = AuditEvent(actor=actor[:128], action=action[:40], detail=detail[:500])
    session.add(event)
    session.flush()  # on SQLite this takes the write lock: nobody appends in between
    prev = session.scalar(
        select(AuditEvent.entry_hash)
        .where(AuditEvent.id < event.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    # Read back as stored, so the hash covers exactly what verify will read.
    session.refresh(event, ["at"])
    event.prev_hash = prev or GENESIS
    event.entry_hash = _chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the audit log: entries read, and the first one that is wrong."""

    entries: int
    broken_id: int | None = None
    problem: str = ""


def verify_audit_chain(*, session: Session) -> ChainCheck:
    """Walk the audit log in order and recompute every link; name the first broken entry."""
    prev = GENESIS
    count = 0
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000)
    for event in rows:
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(
                count, event.id, "does not follow the entry before it (one was removed or changed)"
            )
        if _chain_hash(prev, event) != event.entry_hash:
            return ChainCheck(count, event.id, "its content was changed after it was written")
        prev = event.entry_hash
    return ChainCheck(count)


def _name_bucket(name: str) -> str:
    return throttle.bucket("login-name", name)


def _client_bucket(client: str) -> str:
    return throttle.bucket("login-client", client)


def is_locked(*, session: Session, username: str, lockout: timedelta, max_failures: int) -> bool:
    """Whether sign-ins under this name are paused now."""
    limit = throttle.Limit(max_failures, lockout.total_seconds())
    return throttle.over(session, _name_bucket(normalize_username(username)), limit)


def sign_in(
    *,
    session: Session,
    username: str,
    password: str,
    max_failures: int = 5,
    lockout: timedelta = timedelta(minutes=15),
    client: str = "",
    client_failures: int = CLIENT_FAILURES,
    now: datetime | None = None,
) -> SignInResult:
    """Check a user name and password; pause a client, then a user name, after repeated
    failures.

    Every attempt is counted before its password is checked, in one atomic statement, so
    parallel attempts can never check more than ``max_failures`` passwords in a window. A known
    and an unknown user name take the same path, the same time and get the same answers.
    """
    now = now or utcnow()
    stamp = now.timestamp()
    name = normalize_username(username)[:64]
    if not name or not password:
        return SignInResult("empty")
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]  # never hash megabytes; it will not match
    window = lockout.total_seconds()
    client_limit = throttle.Limit(client_failures, window)
    if client and throttle.over(session, _client_bucket(client), client_limit, now=stamp):
        audit(session=session, actor=name, action="login_throttled")
        return SignInResult("throttled")
    name_limit = throttle.Limit(max_failures, window)
    attempt = throttle.hit(session, _name_bucket(name), name_limit, now=stamp)
    if attempt > max_failures:
        audit(session=session, actor=name, action="login_locked")
        return SignInResult("locked")
    account = _find(session, name)
    if not _verify(account.password_hash if account else _dummy_hash(), password) or not account:
        detail = f"failure {attempt}" + ("" if account else ", unknown user")
        if client:
            throttle.hit(session, _client_bucket(client), client_limit, now=stamp)
        if attempt >= max_failures:
            audit(session=session, actor=name, action="login_failed", detail=detail + ", locked")
            return SignInResult("locked")
        audit(session=session, actor=name, action="login_failed", detail=detail)
        return SignInResult("invalid")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    throttle.clear(session, _name_bucket(name))
    account.last_login_at = now
    session.add(account)
    audit(session=session, actor=name, action="login")
    return SignInResult("ok", identity=Identity(username=name, role=account.role))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def role_for_email(email: object, mapping: dict[str, str]) -> str | None:
    """The role that configuration gives a single-sign-on e-mail address, if any."""
    if not isinstance(email, str):
        return None
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    role = lowered.get(email.strip().lower())
    return role if role in ROLES else None


def count_accounts(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Account)).one()


ROLE_TITLES: dict[str, str] = {
    "staff": N_("City staff"),
    "facilitator": N_("Workshop facilitator"),
}
