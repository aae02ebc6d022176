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
    login_max_failures: int  # failed sign-ins per user name (from all clients) in a window
    login_client_max_failures: int  # failed sign-ins per client in a window, whatever the name
    login_lockout_minutes: int  # the window, and how long a pause lasts
    session_idle_minutes: int  # staff and facilitators are signed out after this long idle
    trusted_proxy_hops: int  # proxies in front that append to X-Forwarded-For (0: none)
    submissions_per_hour: int  # survey submissions and footprint saves per client
    drafts_per_hour: int  # survey drafts started per client


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
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
        login_max_failures=_int("SPARCS_LOGIN_MAX_FAILURES", 10),
        login_client_max_failures=_int("SPARCS_LOGIN_CLIENT_MAX_FAILURES", 5),
        login_lockout_minutes=_int("SPARCS_LOGIN_LOCKOUT_MINUTES", 15),
        session_idle_minutes=_int("SPARCS_SESSION_IDLE_MINUTES", 30),
        trusted_proxy_hops=_int("SPARCS_TRUSTED_PROXY_HOPS", 0, minimum=0),
        submissions_per_hour=_int("SPARCS_SUBMISSIONS_PER_HOUR", 30),
        drafts_per_hour=_int("SPARCS_DRAFTS_PER_HOUR", 60),
    )
