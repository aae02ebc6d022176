"""Consent and the privacy notice's version, stored with every response."""

from __future__ import annotations

# Raise whenever content/<lang>/privacy.md changes in substance: every saved response keeps
# the version its resident agreed to.
PRIVACY_NOTICE_VERSION = "2026-11"
