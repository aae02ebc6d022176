"""The server's secret keys, for keyed hashes (HMAC) of resident codes and of the clients and
user names that rate limits count.

A code hashed with a secret key cannot be found by trying every code offline, even with a copy
of the database. Keys come from ``SPARCS_SECRET_KEYS`` (comma-separated, the first is the one in
use; older ones are still accepted, so a key can be rotated). Without it, a key is made once
and kept in ``var/secret.key`` beside the default database: enough for one machine, while
several machines must share the variable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from sparcs_engage.settings import REPO_ROOT

KEY_FILE = REPO_ROOT / "var" / "secret.key"
MIN_KEY_LENGTH = 16


def _from_file(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created exclusively and readable by the owner only; a process that loses the race to
    # create it reads the winner's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


@cache
def secret_keys() -> tuple[bytes, ...]:
    """The keys, the one in use first."""
    raw = os.environ.get("SPARCS_SECRET_KEYS", "").strip()
    values = [part.strip() for part in raw.split(",") if part.strip()] or [_from_file(KEY_FILE)]
    for value in values:
        if len(value) < MIN_KEY_LENGTH:
            raise ValueError(
                f"SPARCS_SECRET_KEYS: every key needs at least {MIN_KEY_LENGTH} characters"
            )
    return tuple(value.encode("utf-8") for value in values)


def keyed_hash(value: str, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of ``value`` under ``key`` (the key in use by default), as 64 hex digits."""
    return hmac.new(key or secret_keys()[0], value.encode("utf-8"), hashlib.sha256).hexdigest()
