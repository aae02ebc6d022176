"""Configuration from the environment, read once per process and documented in the README."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set without touching code."""

    database_url: str
    default_language: str
    default_city: str
    data_dir: Path
    login_max_failures: int
    login_lockout_minutes: int


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def default_database_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'sparcs.db'}"


def load_settings() -> Settings:
    """Settings from SPARCS_* environment variables, with the defaults the README lists."""
    return Settings(
        database_url=os.environ.get("SPARCS_DATABASE_URL", "").strip() or default_database_url(),
        default_language=os.environ.get("SPARCS_DEFAULT_LANGUAGE", "").strip() or "en",
        default_city=os.environ.get("SPARCS_DEFAULT_CITY", "").strip() or "espoo",
        data_dir=Path(os.environ.get("SPARCS_DATA_DIR", "").strip() or REPO_ROOT / "data"),
        login_max_failures=_int("SPARCS_LOGIN_MAX_FAILURES", 5),
        login_lockout_minutes=_int("SPARCS_LOGIN_LOCKOUT_MINUTES", 15),
    )
