"""Join codes, participant tokens, the join link and its QR code."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlencode

import segno

from sparcs_engage.cities import CITY_ID
from sparcs_engage.i18n import normalize_language
from sparcs_engage.respondents import CODE_ALPHABET
from sparcs_engage.workshops.rules import JOIN_CODE_LENGTH, UNKNOWN_PARTICIPANT, WorkshopError


def new_join_code() -> str:
    """A fresh six-character code without look-alike characters, such as ``K7QM4T``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(code: object) -> str | None:
    """The code as stored, ignoring case, spaces and dashes; None when it cannot be one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    cleaned = "".join(ch for ch in code.upper() if not ch.isspace() and ch not in "-_.")
    if len(cleaned) != JOIN_CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def join_url(base_url: str, code: str, *, lang: str | None = None, city: str | None = None) -> str:
    """The link residents open to join (``<base>/workshop?code=...``), as the QR code holds it.
    It names the workshop's city too: a language is offered only in the cities that speak it,
    so without the city a Leipzig workshop's "lang=de" would meet Espoo, the default city."""
    normalized = normalize_join_code(code)
    if normalized is None:
        raise ValueError("not a workshop code")
    query = {"code": normalized}
    if normalize_language(lang):
        query["lang"] = normalize_language(lang)
    if isinstance(city, str) and CITY_ID.match(city):
        query["city"] = city
    return f"{base_url.rstrip('/')}/workshop?{urlencode(query)}"


def qr_svg(url: str) -> str:
    """The QR code of a link as inline SVG (black on white, with its quiet zone) for the page."""
    qr = segno.make_qr(url, error="m")
    return qr.svg_inline(scale=10, border=4, dark="#000000", light="#ffffff", omitsize=True)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_hash(token: object) -> str:
    """The stored form of a participant token; raises unknown_participant for anything else."""
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    return _hash_token(token)
