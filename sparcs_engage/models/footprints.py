"""Saved carbon-footprint results and the actions residents pledged."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sparcs_engage.models.base import UTCDateTime, utcnow


class FootprintRecord(SQLModel, table=True):
    """A resident's footprint result, saved with their consent to count in the city's KPIs.

    Holds language-neutral answer ids and numbers only: no free text, no name, no IP.
    """

    __tablename__ = "footprint_result"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    respondent_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("respondent.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    city: str = Field(max_length=40, index=True)
    country: str = Field(max_length=2)
    answers: dict = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    total_kg: float
    housing_kg: float
    mobility_kg: float
    food_kg: float
    goods_services_kg: float
    # The fixed part (public services and infrastructure); 0 for results saved before 0010
    # in Finland, whose average then left it out. The lifestyle footprint is
    # total_kg - public_services_kg for every result, old or new.
    public_services_kg: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    factor_version: str = Field(max_length=40)
    consent_version: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    is_demo: bool = Field(default=False)


class Pledge(SQLModel, table=True):
    """An action a resident pledged to take, with the saving computed from their answers."""

    __tablename__ = "pledge"

    id: int | None = Field(default=None, primary_key=True)
    footprint_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("footprint_result.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    action_id: str = Field(max_length=40)
    saving_kg: float
