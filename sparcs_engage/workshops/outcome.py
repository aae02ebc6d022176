"""The outcome: the live board, the printable summary and the top visions of a city's closed
workshops for /results."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage.i18n import SOURCE_LANGUAGE, normalize_language
from sparcs_engage.models import Workshop, WorkshopCard, WorkshopParticipant, WorkshopVote, utcnow
from sparcs_engage.workshops.cards import city_themes, theme_label
from sparcs_engage.workshops.phases import WorkshopInfo, _info
from sparcs_engage.workshops.rules import (
    NO_RESULTS_YET,
    ONLINE_WINDOW_S,
    TOP_VISIONS,
    UNKNOWN_WORKSHOP,
    WorkshopError,
    _uuid,
)


@dataclass(frozen=True, slots=True)
class BoardCard:
    """A card on the live board: its dots include those of the duplicates merged into it."""

    id: int
    theme: str
    text: str
    author: str | None  # None for the facilitator's cards
    by_facilitator: bool
    dots: int
    merged_ids: tuple[int, ...] = ()
    merged_texts: tuple[str, ...] = ()
    hidden: bool = False


@dataclass(frozen=True)
class BoardColumn:
    theme: str
    cards: tuple[BoardCard, ...]


@dataclass(frozen=True)
class Board:
    """The live board: cards by theme with their dots, and who is connected and finished."""

    workshop: WorkshopInfo
    columns: tuple[BoardColumn, ...]
    hidden_cards: tuple[BoardCard, ...]
    participants: int
    participants_connected: int
    participants_finished: int
    dots_cast: int


@dataclass(frozen=True)
class SummaryCard:
    rank: int
    id: int
    text: str
    dots: int
    merged: int  # how many duplicates were merged into it


@dataclass(frozen=True)
class ThemeSummary:
    theme: str
    label: str
    cards: tuple[SummaryCard, ...]
    cards_total: int


@dataclass(frozen=True)
class WorkshopSummary:
    """The outcome for the printable page: the top visions per theme and the ratings."""

    workshop: WorkshopInfo
    lang: str
    themes: tuple[ThemeSummary, ...]
    participants: int
    participants_finished: int
    cards: int
    dots_cast: int
    ratings: int
    rating_mean: float | None
    rating_counts: Mapping[int, int] = field(default_factory=dict)


def _roots(session: Session, workshop_id: uuid.UUID) -> dict[int, int]:
    """For each merged card of a workshop, the card it counts in."""
    c = WorkshopCard.__table__.c
    return dict(
        session.execute(
            sa.select(c.id, c.merged_into_id).where(
                c.workshop_id == workshop_id, c.merged_into_id.is_not(None)
            )
        ).all()
    )


@dataclass
class _Outcome:
    """Every card and vote of a workshop, read once, for the board, summary and exports."""

    workshop: Workshop
    cards: list[Any]
    own_dots: dict[int, int]
    group_dots: dict[int, int]
    merged: dict[int, list[Any]]
    participants: int
    connected: int
    finished: int
    dots_cast: int


def _outcome(
    session: Session, workshop: Workshop, online_since: datetime, *, export: bool = False
) -> _Outcome:
    c, v, p = (
        WorkshopCard.__table__.c,
        WorkshopVote.__table__.c,
        WorkshopParticipant.__table__.c,
    )
    columns = [c.id, c.theme, c.text, c.by_facilitator, c.hidden, c.merged_into_id]
    # The board needs no times (reading 5,000 timestamps costs more than the rest).
    columns += [c.participant_id, c.created_at] if export else [p.name.label("author")]
    cards = session.execute(
        sa.select(*columns)
        .select_from(
            WorkshopCard.__table__.outerjoin(
                WorkshopParticipant.__table__, c.participant_id == p.id
            )
        )
        .where(c.workshop_id == workshop.id)
        .order_by(c.id)
    ).all()
    own_dots = dict(
        session.execute(
            sa.select(v.card_id, sa.func.count())
            .where(v.workshop_id == workshop.id)
            .group_by(v.card_id)
        ).all()
    )
    total, connected, finished = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((p.last_seen_at >= online_since, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((p.finished_at.is_not(None), 1), else_=0)), 0),
        ).where(p.workshop_id == workshop.id)
    ).one()
    group_dots: dict[int, int] = defaultdict(int)
    merged: dict[int, list[Any]] = defaultdict(list)
    for card in cards:
        root = card.merged_into_id or card.id
        group_dots[root] += own_dots.get(card.id, 0)
        if card.merged_into_id is not None:
            merged[root].append(card)
    return _Outcome(
        workshop=workshop,
        cards=list(cards),
        own_dots=own_dots,
        group_dots=dict(group_dots),
        merged=dict(merged),
        participants=int(total),
        connected=int(connected),
        finished=int(finished),
        dots_cast=sum(own_dots.values()),
    )


def _board_card(outcome: _Outcome, card: Any) -> BoardCard:
    merged = outcome.merged.get(card.id)
    return BoardCard(
        card.id,
        card.theme,
        card.text,
        None if card.by_facilitator else card.author,
        card.by_facilitator,
        outcome.group_dots.get(card.id, 0),
        tuple(m.id for m in merged) if merged else (),
        tuple(m.text for m in merged) if merged else (),
        card.hidden,
    )


def _load(session: Session, workshop_id: object) -> Workshop:
    wid = _uuid(workshop_id)
    workshop = session.get(Workshop, wid, populate_existing=True) if wid else None
    if workshop is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return workshop


def board(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    online_window_s: int = ONLINE_WINDOW_S,
    now: datetime | None = None,
) -> Board:
    """The live board: cards per theme with their dots, participants connected and finished."""
    workshop = _load(session, workshop_id)
    outcome = _outcome(session, workshop, (now or utcnow()) - timedelta(seconds=online_window_s))
    by_theme: dict[str, list[BoardCard]] = {theme: [] for theme in workshop.themes}
    hidden = []
    for card in outcome.cards:
        if card.merged_into_id is not None:
            continue
        if card.hidden:
            hidden.append(_board_card(outcome, card))
            continue
        by_theme.setdefault(card.theme, []).append(_board_card(outcome, card))
    return Board(
        workshop=_info(workshop),
        columns=tuple(BoardColumn(theme=t, cards=tuple(cs)) for t, cs in by_theme.items()),
        hidden_cards=tuple(hidden),
        participants=outcome.participants,
        participants_connected=outcome.connected,
        participants_finished=outcome.finished,
        dots_cast=outcome.dots_cast,
    )


def _ratings(session: Session, workshop_id: uuid.UUID) -> list[Any]:
    p = WorkshopParticipant.__table__.c
    return session.execute(
        sa.select(p.id, p.rating, p.rating_comment, p.rated_at, p.finished_at)
        .where(p.workshop_id == workshop_id)
        .order_by(p.joined_at, p.id)
    ).all()


def _summary(session: Session, workshop: Workshop, lang: str, top: int) -> WorkshopSummary:
    outcome = _outcome(session, workshop, utcnow() - timedelta(seconds=ONLINE_WINDOW_S))
    on_board = [c for c in outcome.cards if c.merged_into_id is None and not c.hidden]
    themes = []
    for theme in dict.fromkeys([*workshop.themes, *(c.theme for c in on_board)]):
        ranked = sorted(
            (c for c in on_board if c.theme == theme),
            key=lambda c: (-outcome.group_dots.get(c.id, 0), c.id),
        )
        themes.append(
            ThemeSummary(
                theme=theme,
                label=theme_label(theme, lang),
                cards=tuple(
                    SummaryCard(
                        rank=i,
                        id=c.id,
                        text=c.text,
                        dots=outcome.group_dots.get(c.id, 0),
                        merged=len(outcome.merged.get(c.id, [])),
                    )
                    for i, c in enumerate(ranked[:top], start=1)
                ),
                cards_total=len(ranked),
            )
        )
    ratings = [r.rating for r in _ratings(session, workshop.id) if r.rating is not None]
    return WorkshopSummary(
        workshop=_info(workshop),
        lang=lang,
        themes=tuple(themes),
        participants=outcome.participants,
        participants_finished=outcome.finished,
        cards=len(on_board),
        dots_cast=outcome.dots_cast,
        ratings=len(ratings),
        rating_mean=round(sum(ratings) / len(ratings), 2) if ratings else None,
        rating_counts={n: ratings.count(n) for n in range(1, 6)},
    )


def summary(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    lang: str | None = None,
    top: int = TOP_VISIONS,
) -> WorkshopSummary:
    """The outcome for the printable page: the top visions per theme, once voting has ended."""
    workshop = _load(session, workshop_id)
    if workshop.phase not in ("results", "closed"):
        raise WorkshopError(NO_RESULTS_YET)
    return _summary(session, workshop, normalize_language(lang) or workshop.lang, max(1, top))


@dataclass(frozen=True)
class CityVisions:
    """The workshops' share of the City Vision 2050: the top cards per theme of a city."""

    workshops: int
    participants: int
    demo: bool
    themes: tuple[ThemeSummary, ...]


def top_visions_of_city(
    *, session: Session, city: str, lang: str | None = None, top: int = TOP_VISIONS
) -> CityVisions:
    """The cards with the most dots per theme across a city's closed workshops (as on their
    boards: hidden cards left out, merged duplicates counted in, cards without a dot left out),
    for the public results."""
    lang = normalize_language(lang) or SOURCE_LANGUAGE
    top = max(1, top)
    closed = session.exec(
        select(Workshop)
        .where(Workshop.city == city, Workshop.phase == "closed")
        .order_by(Workshop.held_on, Workshop.created_at)
    ).all()
    pooled: dict[str, list[SummaryCard]] = {theme: [] for theme in city_themes(city)}
    totals: dict[str, int] = defaultdict(int)
    participants = 0
    for workshop in closed:
        # A workshop's own top N holds every card of the city's top N from that workshop.
        outcome = _summary(session, workshop, lang, top)
        participants += outcome.participants
        for theme in outcome.themes:
            # Public: only cards that residents endorsed with at least one dot.
            pooled.setdefault(theme.theme, []).extend(c for c in theme.cards if c.dots > 0)
            totals[theme.theme] += theme.cards_total
    themes = []
    for theme, cards in pooled.items():
        if not cards:
            continue
        ranked = sorted(cards, key=lambda c: (-c.dots, c.id))[:top]
        themes.append(
            ThemeSummary(
                theme=theme,
                label=theme_label(theme, lang),
                cards=tuple(
                    SummaryCard(rank=i, id=c.id, text=c.text, dots=c.dots, merged=c.merged)
                    for i, c in enumerate(ranked, start=1)
                ),
                cards_total=totals[theme],
            )
        )
    return CityVisions(
        workshops=len(closed),
        participants=participants,
        demo=any(w.is_demo for w in closed),
        themes=tuple(themes),
    )
