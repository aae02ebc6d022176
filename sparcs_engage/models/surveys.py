"""Survey responses and their answers, in a tidy long shape: one row per answered item."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sparcs_engage.models.base import UTCDateTime, utcnow

RESPONSE_STATUSES: tuple[str, ...] = ("draft", "submitted")
MODERATION_STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")


class SurveyResponse(SQLModel, table=True):
    """One resident's answers to a survey: a draft they can resume by code, then submitted.

    Holds the version of the privacy notice the resident agreed to and the survey version they
    answered; the answers themselves are rows of ``survey_answer``.
    """

    __tablename__ = "survey_response"
    # Results filter on (survey, city, status); KPIs and exports read by city and submit time.
    __table_args__ = (
        sa.Index("ix_survey_response_survey_city_status", "survey_id", "city", "status"),
        # With the id: an export walks a city's responses in its order without a sort.
        sa.Index("ix_survey_response_city_submitted_at", "city", "submitted_at", "id"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Unique: one response per respondent, so a second submission has nothing to submit.
    respondent_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("respondent.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    city: str = Field(max_length=40)
    survey_id: str = Field(max_length=40)
    survey_version: str = Field(max_length=20)
    consent_version: str = Field(max_length=20)
    lang: str = Field(max_length=5)
    status: str = Field(default="draft", max_length=10)
    current_section: str = Field(max_length=40)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_demo: bool = Field(default=False)


class SurveyAnswer(SQLModel, table=True):
    """One answered item of a response, with language-neutral ids only.

    ``item`` is the chosen option, the ranked or budgeted theme, the matrix row or the district;
    ``value`` the scale value, rank position or points; ``text`` an open answer exactly as typed,
    published only once ``moderation`` is ``approved``.
    """

    __tablename__ = "survey_answer"
    __table_args__ = (
        sa.Index("ix_survey_answer_question_id_item", "question_id", "item"),
        # /results walks the newest published open answers of a question: this index, partial
        # (open answers only) so that it stays small, gives them newest first.
        sa.Index(
            "ix_survey_answer_open",
            "question_id",
            "moderation",
            "id",
            sqlite_where=sa.text("text IS NOT NULL"),
            postgresql_where=sa.text("text IS NOT NULL"),
        ),
        sa.CheckConstraint(
            "moderation IS NULL OR moderation IN ('pending', 'approved', 'rejected')",
            name="moderation",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("survey_response.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    question_id: str = Field(max_length=40)
    item: str | None = Field(default=None, max_length=40)
    value: float | None = Field(default=None)
    text: str | None = Field(default=None, max_length=2000)
    lat: float | None = Field(default=None)
    lon: float | None = Field(default=None)
    moderation: str | None = Field(default=None, max_length=10)


# The acceptance rows of the survey that the KPI summary keeps, one column each.
SUMMARY_MEASURES: tuple[str, ...] = (
    "solar",
    "heat_pumps",
    "district_heat",
    "ev_charging",
    "smart_heating",
)


class SurveySummary(SQLModel, table=True):
    """One row per submitted response with the few answers the social KPIs read.

    Written in the same transaction as the submission (``surveys.submit``) and removed with the
    response (cascade), so it never disagrees with ``survey_answer``. It exists for speed: the
    KPIs of a city with a million answers read 25,000 narrow rows with an integer key instead of
    joining a million answer rows to their responses.
    """

    __tablename__ = "survey_summary"
    __table_args__ = (sa.Index("ix_survey_summary_city_submitted_at", "city", "submitted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("survey_response.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    city: str = Field(max_length=40)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    is_demo: bool = Field(default=False)
    district: str | None = Field(default=None, max_length=40)
    age_band: str | None = Field(default=None, max_length=40)
    gender: str | None = Field(default=None, max_length=40)
    energy_awareness: int | None = Field(default=None)
    sparcs_awareness: int | None = Field(default=None)
    accept_solar: int | None = Field(default=None)
    accept_heat_pumps: int | None = Field(default=None)
    accept_district_heat: int | None = Field(default=None)
    accept_ev_charging: int | None = Field(default=None)
    accept_smart_heating: int | None = Field(default=None)
    # Points spread in the budget question (100 when answered), None when not answered.
    budget_total: int | None = Field(default=None)


class SurveySummaryBudget(SQLModel, table=True):
    """The 100-point budget of one summarised response: one row per theme with points."""

    __tablename__ = "survey_summary_budget"
    # Covering: the KPI query sums points per theme without reading the table.
    __table_args__ = (
        sa.Index("ix_survey_summary_budget_summary_theme", "summary_id", "theme", "points"),
    )

    id: int | None = Field(default=None, primary_key=True)
    summary_id: int = Field(
        sa_column=sa.Column(
            sa.Integer(),
            sa.ForeignKey("survey_summary.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    theme: str = Field(max_length=40)
    points: int


# What a row of survey_total counts (see SurveyTotal).
TOTAL_KINDS: tuple[str, ...] = ("respondents", "question", "answer", "approved")


class SurveyTotal(SQLModel, table=True):
    """Running totals of a survey's public results: what /results shows, kept up to date.

    One row per (city, survey, demo or not, kind, question, item, value):
    ``respondents`` counts the submitted responses (question and item empty); ``question`` the
    respondents who answered a closed question; ``answer`` the answer rows of one option, row,
    theme or district and scale value (``value``: the whole scale value, rank position or
    points; 0 for a plain choice), with ``total`` the sum of their values (means come from it);
    ``n`` is the count of each kind.
    ``approved`` the open answers a moderator published. The submission adds a response in its
    own transaction, moderation and every deletion correct it, and `sparcs-engage results
    rebuild` recomputes it from the answers (surveys/totals.py). It exists for speed: /results
    of a city with a million respondents reads a few hundred rows instead of every answer.
    """

    __tablename__ = "survey_total"
    __table_args__ = (
        sa.UniqueConstraint(
            "city",
            "survey_id",
            "is_demo",
            "kind",
            "question_id",
            "item",
            "value",
            name="uq_survey_total_key",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    city: str = Field(max_length=40)
    survey_id: str = Field(max_length=40)
    is_demo: bool = Field(default=False)
    kind: str = Field(max_length=12)
    question_id: str = Field(default="", max_length=40)
    item: str = Field(default="", max_length=40)
    value: int = Field(default=0)
    n: int = Field(default=0)
    total: float = Field(default=0.0)
