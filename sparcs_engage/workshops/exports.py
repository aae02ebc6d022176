"""A closed workshop's outcome as CSV and XLSX (participants by number, never by name)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlmodel import Session

from sparcs_engage.exports import FORMULA_START, csv_bytes
from sparcs_engage.models import Workshop, WorkshopVote, utcnow
from sparcs_engage.workshops.cards import theme_label
from sparcs_engage.workshops.locking import _audit, _require_runner
from sparcs_engage.workshops.outcome import _load, _outcome, _ratings, _summary
from sparcs_engage.workshops.rules import (
    EXPORT_TABLES,
    NOT_CLOSED,
    ONLINE_WINDOW_S,
    TOP_VISIONS,
    WorkshopError,
)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _tables(session: Session, workshop: Workshop) -> dict[str, tuple[list[str], list[list]]]:
    """The outcome as tidy tables (header, rows); participants by number, never by name."""
    outcome = _outcome(
        session, workshop, utcnow() - timedelta(seconds=ONLINE_WINDOW_S), export=True
    )
    ratings = _ratings(session, workshop.id)
    number = {r.id: f"P{i}" for i, r in enumerate(ratings, start=1)}
    lang = workshop.lang
    cards = []
    for card in outcome.cards:
        if card.merged_into_id is not None:
            status = "merged"
        else:
            status = "hidden" if card.hidden else "on_board"
        cards.append(
            [
                card.id,
                card.theme,
                theme_label(card.theme, lang),
                card.text,
                "facilitator" if card.by_facilitator else number.get(card.participant_id, ""),
                status,
                card.merged_into_id,
                outcome.own_dots.get(card.id, 0),
                outcome.group_dots.get(card.id, 0) if status == "on_board" else None,
                _iso(card.created_at),
            ]
        )
    v = WorkshopVote.__table__.c
    root_of = {c.id: c.merged_into_id or c.id for c in outcome.cards}
    votes = [
        [
            row.id,
            row.card_id,
            root_of.get(row.card_id),
            number.get(row.participant_id, ""),
            _iso(row.created_at),
        ]
        for row in session.execute(
            sa.select(v.id, v.card_id, v.participant_id, v.created_at)
            .where(v.workshop_id == workshop.id)
            .order_by(v.id)
        ).all()
    ]
    rating_rows = [
        [number[r.id], r.rating, r.rating_comment, r.finished_at is not None, _iso(r.rated_at)]
        for r in ratings
    ]
    return {
        "cards": (
            [
                "card_id",
                "theme",
                "theme_label",
                "text",
                "author",
                "status",
                "merged_into",
                "own_dots",
                "board_dots",
                "created_at",
            ],
            cards,
        ),
        "votes": (["vote_id", "card_id", "counted_in_card", "participant", "created_at"], votes),
        "ratings": (["participant", "rating", "comment", "finished", "rated_at"], rating_rows),
    }


def _closed(session: Session, workshop_id: object, facilitator: str) -> Workshop:
    workshop = _load(session, workshop_id)
    _require_runner(session, workshop, facilitator)
    if workshop.phase != "closed":
        raise WorkshopError(NOT_CLOSED)
    return workshop


def export_csv(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    facilitator: str,
    table: str = "cards",
) -> bytes:
    """One table of a closed workshop's outcome (cards, votes or ratings) as CSV for Excel."""
    if table not in EXPORT_TABLES:
        raise ValueError(f"table must be one of {', '.join(EXPORT_TABLES)}")
    workshop = _closed(session, workshop_id, facilitator)
    header, rows = _tables(session, workshop)[table]
    _audit(session, facilitator, "export_workshop", f"workshop {workshop.id}: {table}.csv")
    session.flush()
    return csv_bytes(header, rows)


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet, values: Sequence[object], *, bold: bool = False) -> None:
    sheet.append([_cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            # Stored as text with Excel's quote prefix: shown as typed, never run as a formula.
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)


def export_xlsx(*, session: Session, workshop_id: uuid.UUID | str, facilitator: str) -> bytes:
    """A closed workshop's outcome as one workbook: a summary sheet and a sheet per table."""
    workshop = _closed(session, workshop_id, facilitator)
    outcome = _summary(session, workshop, workshop.lang, TOP_VISIONS)
    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    for key, value in (
        ("workshop", workshop.title),
        ("city", workshop.city),
        ("district", workshop.district),
        ("date", workshop.held_on.isoformat()),
        ("language", workshop.lang),
        ("participants", outcome.participants),
        ("participants_finished", outcome.participants_finished),
        ("cards_on_board", outcome.cards),
        ("dots_cast", outcome.dots_cast),
        ("ratings", outcome.ratings),
        ("rating_mean", outcome.rating_mean),
    ):
        _append(sheet, [key, value])
    sheet.append([])
    _append(sheet, ["theme", "theme_label", "rank", "card_id", "text", "dots"], bold=True)
    for theme in outcome.themes:
        for card in theme.cards:
            _append(sheet, [theme.theme, theme.label, card.rank, card.id, card.text, card.dots])
    for name, (header, rows) in _tables(session, workshop).items():
        table_sheet = book.create_sheet(name)
        _append(table_sheet, header, bold=True)
        for row in rows:
            _append(table_sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    _audit(session, facilitator, "export_workshop", f"workshop {workshop.id}: outcome.xlsx")
    session.flush()
    return buffer.getvalue()
