"""Residents who take part, as pseudonyms: a random id and the hash of the short code they keep."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from sparcs_engage.models.base import UTCDateTime, utcnow


class Respondent(SQLModel, table=True):
    """One resident taking part in the survey, the footprint calculator or a workshop.

    No name, e-mail or IP address: only a random id, the city, and the SHA-256 of the short
    code the resident keeps to come back to or delete their answers.
    """

    __tablename__ = "respondent"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    city: str = Field(max_length=40, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    is_demo: bool = Field(default=False)
