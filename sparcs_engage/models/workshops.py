"""Co-creation workshops: the workshop, its participants, their vision cards and their dots."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sparcs_engage.models.base import UTCDateTime, utcnow

WORKSHOP_PHASES: tuple[str, ...] = ("draft", "collecting", "voting", "results", "closed")


class Workshop(SQLModel, table=True):
    """A live workshop where residents on tablets write vision cards and vote on them with dots.

    Residents join with the short ``join_code`` (or its QR code); the facilitator moves it
    through the phases draft -> collecting -> voting -> results -> closed.
    """

    __tablename__ = "workshop"
    __table_args__ = (
        sa.CheckConstraint(
            "phase IN ('draft', 'collecting', 'voting', 'results', 'closed')", name="phase"
        ),
        sa.CheckConstraint("dots_per_participant BETWEEN 1 AND 50", name="dots_per_participant"),
        sa.CheckConstraint(
            "max_dots_per_card BETWEEN 1 AND dots_per_participant", name="max_dots_per_card"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    join_code: str = Field(max_length=6, unique=True, index=True)
    title: str = Field(max_length=120)
    city: str = Field(max_length=40, index=True)
    district: str | None = Field(default=None, max_length=40)
    lang: str = Field(max_length=5)
    held_on: date
    # Theme ids of the city's vision (or a facilitator's own theme names), in board order.
    themes: list = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    dots_per_participant: int = Field(default=5)
    max_dots_per_card: int = Field(default=3)
    # Whether participants see each other's cards on their tablets while collecting; when voting
    # everyone sees every card, and the facilitator's board always shows them.
    show_cards: bool = Field(default=False)
    phase: str = Field(default="draft", max_length=12)
    facilitator: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_demo: bool = Field(default=False)


class WorkshopParticipant(SQLModel, table=True):
    """A resident at one workshop, known by a first name they chose or one made up for them.

    They come back through a random token kept in their URL or browser; only its SHA-256 is
    stored. No e-mail, no IP address. The rating of the workshop is theirs too.
    """

    __tablename__ = "workshop_participant"
    __table_args__ = (
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    workshop_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    token_hash: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=40)
    lang: str = Field(max_length=5)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rating: int | None = Field(default=None)
    rating_comment: str | None = Field(default=None, max_length=500)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkshopCard(SQLModel, table=True):
    """A vision card written on a theme, as typed, by a participant or the facilitator.

    A card merged into a duplicate keeps its text and its votes and points at the card it now
    counts in; a hidden card stays stored but leaves the board.
    """

    __tablename__ = "workshop_card"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # None for a card the facilitator wrote.
    participant_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop_participant.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
    )
    theme: str = Field(max_length=60)
    text: str = Field(max_length=280)
    by_facilitator: bool = Field(default=False)
    hidden: bool = Field(default=False)
    merged_into_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer(),
            sa.ForeignKey("workshop_card.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkshopVote(SQLModel, table=True):
    """One dot a participant placed on a card; several rows when they put several dots on it."""

    __tablename__ = "workshop_vote"
    # Budgets count a participant's dots, per card too; the board counts a workshop's dots per
    # card from the index alone.
    __table_args__ = (
        sa.Index("ix_workshop_vote_participant_id_card_id", "participant_id", "card_id"),
        sa.Index("ix_workshop_vote_workshop_id_card_id", "workshop_id", "card_id"),
        # A tap places one dot, even when its callback runs twice or its write is retried.
        sa.Index("ux_workshop_vote_participant_id_tap_id", "participant_id", "tap_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    card_id: int = Field(
        sa_column=sa.Column(
            sa.Integer(),
            sa.ForeignKey("workshop_card.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    participant_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop_participant.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    # The id of the tap on the tablet that placed this dot (None for dots from before 0008).
    tap_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkshopFacilitator(SQLModel, table=True):
    """A facilitator a workshop was given to, besides the one who created it
    (Workshop.facilitator): they may run it too. Only those two kinds of facilitator may."""

    __tablename__ = "workshop_facilitator"

    workshop_id: uuid.UUID = Field(
        sa_column=sa.Column(
            sa.Uuid(),
            sa.ForeignKey("workshop.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    username: str = Field(max_length=64, primary_key=True)
    given_by: str = Field(max_length=64)
    given_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
