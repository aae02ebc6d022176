"""Pseudonymous respondents: a short code to keep, and deletion by that code."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from sparcs_engage.models import Respondent

# No look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z): codes are read aloud and typed on tablets.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_code() -> str:
    """A fresh code such as ``K7QM-4TXA`` (about 37 bits of randomness)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: object) -> str | None:
    """The code as stored, ignoring case, spaces and dashes; None when it cannot be one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_code(code: str) -> str:
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError("not a respondent code")
    return hashlib.sha256(normalized.encode("ascii")).hexdigest()


def create_respondent(
    *, session: Session, city: str, is_demo: bool = False
) -> tuple[Respondent, str]:
    """A new respondent and the code to hand them (only its hash is stored)."""
    while True:
        code = new_code()
        digest = hash_code(code)
        if session.exec(select(Respondent).where(Respondent.code_hash == digest)).first() is None:
            break
    respondent = Respondent(code_hash=digest, city=city, is_demo=is_demo)
    session.add(respondent)
    session.flush()
    return respondent, code


def find_respondent(*, session: Session, code: object) -> Respondent | None:
    """The respondent a code belongs to, or None (also for anything that is not a code)."""
    if normalize_code(code) is None:
        return None
    digest = hash_code(str(code))
    return session.exec(select(Respondent).where(Respondent.code_hash == digest)).first()


def delete_respondent(*, session: Session, code: object) -> bool:
    """Delete everything a respondent gave (the database cascades); False if no such code."""
    respondent = find_respondent(session=session, code=code)
    if respondent is None:
        return False
    session.delete(respondent)
    session.flush()
    return True
