"""Pseudonymous respondents: a short code to keep, and deletion by that code.

Only a keyed hash of the code is stored (HMAC-SHA-256 with the server's secret key, see
keys.py), so a copy of the database does not let anyone try all codes offline; wrong codes are
counted per client (``CODE_ATTEMPTS``), so nobody can try them online either.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlmodel import Session, select

from sparcs_engage import throttle
from sparcs_engage.i18n import N_, MessageError
from sparcs_engage.keys import keyed_hash, secret_keys
from sparcs_engage.models import Respondent

# No look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z): codes are read aloud and typed on tablets.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_code() -> str:
    """A fresh code such as ``K7QM-4TXA`` (about 37 bits of randomness)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _typed_code(code: object) -> str | None:
    """A code typed on its own, ignoring case, spaces and dashes."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(cleaned) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in cleaned):
        return cleaned
    return None


def normalize_code(code: object) -> str | None:
    """The code as stored, ignoring case, spaces and dashes; also found inside pasted text
    ("Your code is K7QM-4TXA.", see code_in_text). None when there is no code."""
    typed = _typed_code(code)
    if typed is not None:
        return typed
    found = code_in_text(code)
    return found.replace("-", "") if found else None


def display_code(code: str) -> str:
    """A code as people write it: ``K7QM-4TXA``."""
    normalized = normalize_code(code) or code
    return f"{normalized[:4]}-{normalized[4:]}" if len(normalized) == CODE_LENGTH else code


_CODE_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])([{CODE_ALPHABET}]{{4}})([ -]?)([{CODE_ALPHABET}]{{4}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def code_in_text(text: object) -> str | None:
    """The code in a text a resident pasted ("Your code is ABCD-EFGH, keep it"), written as
    ``ABCD-EFGH``; None when there is none. A code written as one (with its dash, in capitals)
    is preferred over an ordinary word that happens to use only code letters."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:10_000]
    direct = _typed_code(text.strip())
    if direct is not None:
        return f"{direct[:4]}-{direct[4:]}"
    found = []
    for match in _CODE_IN_TEXT.finditer(text):
        first, mark, second = match.groups()
        written = f"{first}{mark}{second}"
        score = (
            mark == "-",
            bool(mark),
            any(ch.isdigit() for ch in written),
            written == written.upper(),
        )
        found.append((score, f"{first.upper()}-{second.upper()}"))
    if not found:
        return None
    best = max(score for score, _code in found)
    codes = {code for score, code in found if score == best}
    return codes.pop() if len(codes) == 1 else None  # two codes alike: no guessing


# Wrong codes one client may type in an hour before the look-up and delete forms pause it.
CODE_ATTEMPTS = throttle.Limit(attempts=20, window_s=3600)


class CodeAttemptsExceeded(MessageError):
    """Too many wrong codes from one client: the forms pause it for a while."""

    def __init__(self) -> None:
        super().__init__(
            N_("Too many wrong codes were tried from this device. Please try again in an hour.")
        )


def hash_code(code: str) -> str:
    """The stored form of a code: its keyed hash under the key in use."""
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError("not a respondent code")
    return keyed_hash(normalized)


def _candidate_hashes(normalized: str) -> list[str]:
    """Every form a code may be stored in: under each key (newest first), and the plain SHA-256
    of codes saved before keyed hashes."""
    hashes = [keyed_hash(normalized, key) for key in secret_keys()]
    return [*hashes, hashlib.sha256(normalized.encode("ascii")).hexdigest()]


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


def find_respondent(*, session: Session, code: object, client: str = "") -> Respondent | None:
    """The respondent a code belongs to, or None (also for anything that is not a code).

    With a ``client`` (a page's visitor), a wrong code counts against that client, and a client
    over ``CODE_ATTEMPTS`` gets CodeAttemptsExceeded without any look-up. A code stored under
    an older key is stored again under the key in use."""
    key = throttle.bucket("code", client) if client else ""
    if key and throttle.over(session, key, CODE_ATTEMPTS):
        raise CodeAttemptsExceeded()
    normalized = normalize_code(code)
    respondent = None
    if normalized is not None:
        candidates = _candidate_hashes(normalized)
        respondent = session.exec(
            select(Respondent).where(Respondent.code_hash.in_(candidates))
        ).first()
        if respondent is not None and respondent.code_hash != candidates[0]:
            respondent.code_hash = candidates[0]
            session.add(respondent)
            session.flush()
    if respondent is None and key:
        throttle.hit(session, key, CODE_ATTEMPTS)
    return respondent


def delete_respondent(*, session: Session, code: object, client: str = "") -> bool:
    """Delete everything a respondent gave (the database cascades); False if no such code."""
    respondent = find_respondent(session=session, code=code, client=client)
    if respondent is None:
        return False
    # Here, not at the top: the survey package imports this module (see surveys/totals.py).
    from sparcs_engage.models import SurveyResponse
    from sparcs_engage.surveys.totals import remove_responses

    remove_responses(session, SurveyResponse.respondent_id == respondent.id)
    session.delete(respondent)
    session.flush()
    return True
