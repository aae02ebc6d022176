"""Staff and facilitator accounts: creation, password hashing (argon2id), sign-in with lockout.

Every sign-in, failed ones too, goes to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, func, select

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


class AccountError(MessageError):
    """An account request that cannot be carried out; ``message`` is a msgid to translate."""


@dataclass(frozen=True)
class Identity:
    """Who is signed in to this browser session, and with which role."""

    username: str
    role: str
    via: str = "password"


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: ``status`` is ok, invalid, locked or empty."""

    status: str
    identity: Identity | None = None
    locked_until: datetime | None = None


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
    account.failed_logins = 0
    account.locked_until = None
    session.add(account)


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


def audit(*, session: Session, actor: str, action: str, detail: str = "") -> None:
    """Write one line to the audit log."""
    session.add(AuditEvent(actor=actor[:128], action=action[:40], detail=detail[:500]))


def sign_in(
    *,
    session: Session,
    username: str,
    password: str,
    max_failures: int = 5,
    lockout: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> SignInResult:
    """Check a user name and password; lock the account for a while after repeated failures."""
    now = now or utcnow()
    name = normalize_username(username)[:64]
    if not name or not password:
        return SignInResult("empty")
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]  # never hash megabytes; it will not match
    account = _find(session, name)
    if account is None:
        _verify(_dummy_hash(), password)
        audit(session=session, actor=name, action="login_failed", detail="unknown user")
        return SignInResult("invalid")
    if account.locked_until and account.locked_until > now:
        audit(session=session, actor=name, action="login_locked")
        return SignInResult("locked", locked_until=account.locked_until)
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        detail = f"failure {account.failed_logins}"
        if account.failed_logins >= max_failures:
            account.locked_until = now + lockout
            account.failed_logins = 0
            detail += ", locked"
        session.add(account)
        audit(session=session, actor=name, action="login_failed", detail=detail)
        if account.locked_until and account.locked_until > now:
            return SignInResult("locked", locked_until=account.locked_until)
        return SignInResult("invalid")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.failed_logins = 0
    account.locked_until = None
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
