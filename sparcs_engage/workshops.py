"""Live co-creation workshops: a facilitator opens a workshop, residents join on tablets with a
short code or a QR code, write vision cards per theme and vote on them with dots.

Plain Python (no Streamlit): the /workshop and /facilitate pages, the CLI and the tests share it.

Use cases, each a keyword-only function that takes a Session, raising :class:`WorkshopError`
(a language-neutral ``code`` and an English msgid ``message`` marked with ``N_``, placeholders
in ``params``) when an action is refused. They flush but never commit: the page wraps each call
in ``db.session_scope`` so that one tap is one transaction, saved at once.

Trust under load: the phase rules and the dot budget are checked by the database inside that
transaction, never only by the page. A participant's action first takes locks: on PostgreSQL
the participant's row (``FOR UPDATE``, or the UPDATE that records when they were last seen)
and a share lock on the workshop's row, which every facilitator action takes exclusively; on
SQLite the database's single write lock (``BEGIN IMMEDIATE``). A dot is then one
``INSERT ... SELECT ... WHERE`` whose conditions (voting open, card on the board, fewer dots
than the budget, fewer on this card than allowed) are evaluated by that same statement. So two
taps at once are counted one after the other and never beyond the budget, and once a phase
change has committed no tap of the old phase can still land.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

import segno
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlmodel import Session, select

from sparcs_engage.cities import load_cities
from sparcs_engage.exports import FORMULA_START, csv_bytes
from sparcs_engage.i18n import N_, normalize_language
from sparcs_engage.models import (
    WORKSHOP_PHASES,
    AuditEvent,
    UTCDateTime,
    Workshop,
    WorkshopCard,
    WorkshopParticipant,
    WorkshopVote,
    utcnow,
)
from sparcs_engage.respondents import CODE_ALPHABET
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys import SurveyDataError, clean_text, load_survey, survey_texts

JOIN_CODE_LENGTH = 6
MAX_TITLE_LENGTH = 120
MAX_THEME_LENGTH = 60
MAX_THEMES = 12
MAX_CARD_LENGTH = 280
MAX_NAME_LENGTH = 40
MAX_COMMENT_LENGTH = 500
MAX_DOTS = 50
DEFAULT_DOTS = 5
DEFAULT_DOTS_PER_CARD = 3
# "Connected" on the board: seen within this many seconds (the tablet's page reruns every few).
ONLINE_WINDOW_S = 60
# A participant's page touches last_seen_at at most this often, to spare the database writes.
TOUCH_EVERY_S = 15
TOP_VISIONS = 3
EXPORT_TABLES: tuple[str, ...] = ("cards", "votes", "ratings")

# Which phase the facilitator may move a workshop to from each phase. Closed is final: the
# outcome has been exported. Draft -> collecting is open_workshop.
NEXT_PHASES: dict[str, tuple[str, ...]] = {
    "draft": ("collecting",),
    "collecting": ("voting", "results", "closed"),
    "voting": ("collecting", "results", "closed"),
    "results": ("voting", "closed"),
    "closed": (),
}
# Every participant sees every card while voting and after, whatever show_cards says.
ALL_CARDS_PHASES: tuple[str, ...] = ("voting", "results", "closed")

# --------------------------------------------------------------------------------------------
# Result codes and messages (English msgids; the page translates them)
# --------------------------------------------------------------------------------------------

INVALID_CODE = "invalid_code"
UNKNOWN_CODE = "unknown_code"
NOT_OPEN = "not_open"
CLOSED = "closed"
UNKNOWN_PARTICIPANT = "unknown_participant"
UNKNOWN_WORKSHOP = "unknown_workshop"
NOT_COLLECTING = "not_collecting"
NOT_VOTING = "not_voting"
EMPTY_CARD = "empty_card"
CARD_TOO_LONG = "card_too_long"
UNKNOWN_THEME = "unknown_theme"
UNKNOWN_CARD = "unknown_card"
CARD_MERGED = "card_merged"
NO_DOTS_LEFT = "no_dots_left"
CARD_FULL = "card_full"
NO_DOT_HERE = "no_dot_here"
MERGE_INTO_ITSELF = "merge_into_itself"
INVALID_RATING = "invalid_rating"
COMMENT_TOO_LONG = "comment_too_long"
NAME_TOO_LONG = "name_too_long"
WRONG_PHASE = "wrong_phase"
NOT_CLOSED = "not_closed"
NO_RESULTS_YET = "no_results_yet"
UNKNOWN_CITY = "unknown_city"
EMPTY_TITLE = "empty_title"
TITLE_TOO_LONG = "title_too_long"
UNKNOWN_DISTRICT = "unknown_district"
INVALID_THEMES = "invalid_themes"
INVALID_DATE = "invalid_date"
INVALID_DOTS = "invalid_dots"
INVALID_DOTS_PER_CARD = "invalid_dots_per_card"

MESSAGES: dict[str, str] = {
    INVALID_CODE: N_(
        "A workshop code has six letters and numbers. Please check the code and type it again."
    ),
    UNKNOWN_CODE: N_("There is no workshop with this code. Please check the code."),
    NOT_OPEN: N_("This workshop has not started yet. Please wait until the facilitator opens it."),
    CLOSED: N_("This workshop has ended. Thank you for taking part!"),
    UNKNOWN_PARTICIPANT: N_(
        "We could not find you in this workshop. Please join again with the workshop code."
    ),
    UNKNOWN_WORKSHOP: N_("This workshop could not be found."),
    NOT_COLLECTING: N_("New cards can be written only while the workshop is collecting ideas."),
    NOT_VOTING: N_("Dots can be placed or taken back only while voting is open."),
    EMPTY_CARD: N_("Please write something on your card."),
    CARD_TOO_LONG: N_("Please shorten your card to {max} characters. It now has {length}."),
    UNKNOWN_THEME: N_("Please choose one of the workshop's themes."),
    UNKNOWN_CARD: N_("This card is not on the board."),
    CARD_MERGED: N_("This card was merged with a similar card. Please place your dot there."),
    NO_DOTS_LEFT: N_("You have used all your dots. Take one back to place it on another card."),
    CARD_FULL: N_("You can place at most {max} dots on one card."),
    NO_DOT_HERE: N_("You have no dot on this card."),
    MERGE_INTO_ITSELF: N_("A card cannot be merged into itself."),
    INVALID_RATING: N_("Please choose from 1 to 5 stars."),
    COMMENT_TOO_LONG: N_("Please shorten your comment to {max} characters. It now has {length}."),
    NAME_TOO_LONG: N_("Please use a first name of at most {max} characters."),
    WRONG_PHASE: N_("This step is not possible in the workshop's current phase."),
    NOT_CLOSED: N_("The outcome can be exported once the workshop is closed."),
    NO_RESULTS_YET: N_("The results can be shown once voting has ended."),
    UNKNOWN_CITY: N_("Workshops are not available for this city."),
    EMPTY_TITLE: N_("Please give the workshop a title."),
    TITLE_TOO_LONG: N_("Please shorten the title to {max} characters."),
    UNKNOWN_DISTRICT: N_("Please choose one of the city's districts."),
    INVALID_THEMES: N_(
        "Please give from 1 to {max} different themes, each at most {length} characters long."
    ),
    INVALID_DATE: N_("Please choose the date of the workshop."),
    INVALID_DOTS: N_("Each participant can have from 1 to {max} dots."),
    INVALID_DOTS_PER_CARD: N_(
        "The dots allowed on one card must be from 1 to the number of dots each participant has."
    ),
}


class WorkshopError(Exception):
    """Why a workshop action was refused: a language-neutral code, an English msgid to translate
    and the values of its placeholders."""

    def __init__(self, code: str, params: Mapping[str, int | str] | None = None) -> None:
        self.code = code
        self.message = MESSAGES[code]
        self.params: dict[str, int | str] = dict(params or {})
        super().__init__(f"{code}: {self.message.format(**self.params)}")


# Friendly names for participants who give none: a nature or energy word and a number.
GENERATED_NAME_WORDS: dict[str, str] = {
    "fi": (
        "Aurinko Tuuli Aalto Metsä Koivu Kuusi Pilvi Sade Joki Saari Tähti Kuu Sammal Kanerva "
        "Mustikka Kallio Virta Lumi Kipinä Lähde"
    ),
    "de": (
        "Sonne Wind Welle Wald Birke Eiche Linde Wolke Regen Fluss Insel Stern Mond Moos Heide "
        "Kiesel Biene Lerche Funke Quelle"
    ),
    "en": (
        "Sun Wind Wave Forest Birch Oak Linden Cloud Rain River Island Star Moon Moss Heather "
        "Pebble Bee Lark Spark Spring"
    ),
}

_NEWLINES = re.compile(r"\s*\n\s*")

# --------------------------------------------------------------------------------------------
# What the use cases hand back
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop's settings and phase, as the pages show them."""

    id: uuid.UUID
    join_code: str
    title: str
    city: str
    district: str | None
    lang: str
    held_on: date
    themes: tuple[str, ...]
    dots_per_participant: int
    max_dots_per_card: int
    show_cards: bool
    phase: str
    facilitator: str
    is_demo: bool
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Joined:
    """A participant in a workshop, and the token their tablet keeps to stay them on reload."""

    workshop_id: uuid.UUID
    participant_id: uuid.UUID
    token: str
    name: str
    rejoined: bool


@dataclass(frozen=True)
class SavedCard:
    """A card as it was stored."""

    id: int
    theme: str
    text: str


@dataclass(frozen=True)
class VoteResult:
    """Where a participant's dots stand after placing or taking back one."""

    card_id: int
    dots_on_card: int
    dots_left: int


@dataclass(frozen=True)
class ParticipantCard:
    """A card as a participant's tablet shows it; ``dots`` (everyone's) only once voting ended."""

    id: int
    theme: str
    text: str
    mine: bool
    by_facilitator: bool
    my_dots: int
    dots: int | None
    hidden: bool = False
    merged_into_id: int | None = None


@dataclass(frozen=True)
class ParticipantState:
    """Everything a participant's page needs after a reload."""

    workshop: WorkshopInfo
    participant_id: uuid.UUID
    name: str
    cards: tuple[ParticipantCard, ...]
    dots_used: int
    dots_left: int
    finished: bool
    rating: int | None
    rating_comment: str | None


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


# --------------------------------------------------------------------------------------------
# Codes, tokens, links and QR codes
# --------------------------------------------------------------------------------------------


def new_join_code() -> str:
    """A fresh six-character code without look-alike characters, such as ``K7QM4T``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(code: object) -> str | None:
    """The code as stored, ignoring case, spaces and dashes; None when it cannot be one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    cleaned = "".join(ch for ch in code.upper() if not ch.isspace() and ch not in "-_.")
    if len(cleaned) != JOIN_CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def join_url(base_url: str, code: str, *, lang: str | None = None) -> str:
    """The link residents open to join (``<base>/workshop?code=...``), as the QR code holds it."""
    normalized = normalize_join_code(code)
    if normalized is None:
        raise ValueError("not a workshop code")
    query = {"code": normalized}
    if normalize_language(lang):
        query["lang"] = normalize_language(lang)
    return f"{base_url.rstrip('/')}/workshop?{urlencode(query)}"


def qr_svg(url: str) -> str:
    """The QR code of a link as inline SVG (black on white, with its quiet zone) for the page."""
    qr = segno.make_qr(url, error="m")
    return qr.svg_inline(scale=10, border=4, dark="#000000", light="#ffffff", omitsize=True)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_hash(token: object) -> str:
    """The stored form of a participant token; raises unknown_participant for anything else."""
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    return _hash_token(token)


# --------------------------------------------------------------------------------------------
# Locks: the database, not the page, decides
# --------------------------------------------------------------------------------------------


# SQLite has one writer, and its busy handler polls with sleeps growing to 100 ms: in a burst
# of taps from many threads (every visitor is a thread of one process) a waiting writer can lose
# every race until busy_timeout, and the writer holding the lock competes for the GIL with all
# the others. So the threads of this process that write workshop data queue for each database
# file and hold their place until their transaction ends; only they ask SQLite for the lock.
# The queue is for speed and fairness only: correctness comes from SQLite's own lock, so a
# place held too long (a session never closed) is given up, and other processes just wait.
QUEUE_WAIT_S = 10
_QUEUE_KEY = "sparcs_workshop_writer_queue"


class _WriterQueue:
    """The threads of this process waiting to write to one SQLite file, served one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: int | None = None

    def enter(self, timeout: float) -> bool:
        if not self._lock.acquire(timeout=timeout):
            return False
        self.owner = threading.get_ident()
        return True

    def leave(self) -> None:
        self.owner = None
        self._lock.release()


_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_GUARD = threading.Lock()


def _writer_queue(database: str) -> _WriterQueue:
    with _QUEUES_GUARD:
        return _QUEUES.setdefault(database, _WriterQueue())


def _enter_queue(session: Session, database: str) -> None:
    queue = _writer_queue(database)
    if queue.owner == threading.get_ident():
        return  # this thread already writes in another session: SQLite decides, as before
    if queue.enter(QUEUE_WAIT_S):
        session.info[_QUEUE_KEY] = queue
        return
    with _QUEUES_GUARD:  # the place was held too long: start a new queue, leave that one be
        if _QUEUES.get(database) is queue:
            _QUEUES[database] = _WriterQueue()


@sa.event.listens_for(Session, "after_transaction_end")
def _leave_queue(session: Session, transaction) -> None:
    if transaction.parent is None:
        queue = session.info.pop(_QUEUE_KEY, None)
        if queue is not None:
            queue.leave()


def _begin_write(session: Session) -> None:
    """On SQLite, take the single write lock now, so that what the transaction reads next is
    still true when it writes; PostgreSQL locks rows instead (see the callers)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    # pysqlite opens a transaction only before a write; reads before it ran outside of one.
    if connection.connection.dbapi_connection.in_transaction:
        return
    if _QUEUE_KEY not in session.info:
        _enter_queue(session, connection.engine.url.database or "")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _workshop_for_update(session: Session, workshop_id: object) -> Workshop:
    """The workshop, locked against participants' actions until the transaction ends."""
    workshop_id = _uuid(workshop_id)
    _begin_write(session)
    workshop = (
        session.exec(
            select(Workshop)
            .where(Workshop.id == workshop_id)
            # Conflicts with the participants' share locks, not with foreign-key checks.
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        ).first()
        if workshop_id
        else None
    )
    if workshop is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return workshop


@dataclass(frozen=True)
class _Actor:
    participant_id: uuid.UUID
    workshop_id: uuid.UUID
    phase: str
    dots_per_participant: int
    max_dots_per_card: int


# The statements of every tap, built once: SQLAlchemy then reuses their compiled form.
_PARTICIPANT = sa.bindparam("participant_id", type_=sa.Uuid())
_WORKSHOP = sa.bindparam("workshop_id", type_=sa.Uuid())
_CARD = sa.bindparam("card_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UTCDateTime())


def _group(card_id) -> sa.ColumnElement[bool]:
    """A card as the board shows it: itself and the duplicates merged into it."""
    c = WorkshopCard.__table__.c
    return sa.or_(c.id == card_id, c.merged_into_id == card_id)


def _dots_counted() -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """A participant's dots in all, and on the card as the board shows it."""
    c, v = WorkshopCard.__table__, WorkshopVote.__table__
    mine = sa.select(sa.func.count()).select_from(v).where(v.c.participant_id == _PARTICIPANT)
    mine_on_card = (
        sa.select(sa.func.count())
        .select_from(v.join(c, v.c.card_id == c.c.id))
        .where(v.c.participant_id == _PARTICIPANT, _group(_CARD))
    )
    return mine.scalar_subquery(), mine_on_card.scalar_subquery()


@cache
def _touch_statement() -> sa.Update:
    p = WorkshopParticipant.__table__
    return (
        sa.update(p)
        .where(p.c.token_hash == sa.bindparam("digest"))
        .values(last_seen_at=_NOW)
        .returning(p.c.id, p.c.workshop_id)
    )


@cache
def _voter_statement() -> sa.Select:
    p = WorkshopParticipant.__table__.c
    return (
        sa.select(p.id, p.workshop_id)
        .where(p.token_hash == sa.bindparam("digest"))
        .with_for_update()
    )


@cache
def _workshop_statement() -> sa.Select:
    w = Workshop.__table__.c
    # A share lock: a phase change waits for the taps in flight, and the next ones see it.
    return (
        sa.select(w.phase, w.dots_per_participant, w.max_dots_per_card)
        .where(w.id == _WORKSHOP)
        .with_for_update(read=True)
    )


@cache
def _vote_facts_statement() -> sa.Select:
    """The workshop (share-locked) and what a tap on a card depends on, in one round trip."""
    w = Workshop.__table__
    card = WorkshopCard.__table__.alias("card")
    mine, mine_on_card = _dots_counted()
    this_card = sa.select(card.c.id).where(card.c.id == _CARD, card.c.workshop_id == _WORKSHOP)
    return (
        sa.select(
            w.c.phase,
            w.c.dots_per_participant,
            w.c.max_dots_per_card,
            mine.label("mine"),
            mine_on_card.label("mine_on_card"),
            this_card.exists().label("card_known"),
            this_card.with_only_columns(card.c.hidden).scalar_subquery().label("card_hidden"),
            this_card.with_only_columns(card.c.merged_into_id)
            .scalar_subquery()
            .label("card_merged_into"),
        )
        .where(w.c.id == _WORKSHOP)
        .with_for_update(read=True, of=w)
    )


@cache
def _vote_statement() -> sa.Insert:
    """One dot, written only if every rule holds when the statement runs."""
    w, c, v = Workshop.__table__, WorkshopCard.__table__, WorkshopVote.__table__
    mine, mine_on_card = _dots_counted()
    workshop = sa.select(w.c.id).where(w.c.id == _WORKSHOP)
    dot = sa.select(_WORKSHOP, _CARD, _PARTICIPANT, _NOW).where(
        workshop.where(w.c.phase == "voting").exists(),
        sa.select(c.c.id)
        .where(
            c.c.id == _CARD,
            c.c.workshop_id == _WORKSHOP,
            c.c.hidden == sa.false(),
            c.c.merged_into_id.is_(None),
        )
        .exists(),
        mine < workshop.with_only_columns(w.c.dots_per_participant).scalar_subquery(),
        mine_on_card < workshop.with_only_columns(w.c.max_dots_per_card).scalar_subquery(),
    )
    return (
        sa.insert(v)
        .from_select(["workshop_id", "card_id", "participant_id", "created_at"], dot)
        .returning(v.c.id)
    )


def _lock_participant(session: Session, token: object) -> tuple[uuid.UUID, uuid.UUID]:
    """Lock the participant's row until the transaction ends, noting that they were seen."""
    digest = _token_hash(token)
    _begin_write(session)
    row = session.execute(_touch_statement(), {"digest": digest, "now": utcnow()}).first()
    if row is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    return row.id, row.workshop_id


def _participant_for_write(session: Session, token: object) -> _Actor:
    """Lock the participant and share-lock their workshop: its phase holds until we commit."""
    participant_id, workshop_id = _lock_participant(session, token)
    workshop = session.execute(_workshop_statement(), {"workshop_id": workshop_id}).one()
    return _Actor(
        participant_id=participant_id,
        workshop_id=workshop_id,
        phase=workshop.phase,
        dots_per_participant=workshop.dots_per_participant,
        max_dots_per_card=workshop.max_dots_per_card,
    )


def _phase_error(phase: str, refused: str) -> WorkshopError:
    if phase == "closed":
        return WorkshopError(CLOSED)
    if phase == "draft":
        return WorkshopError(NOT_OPEN)
    return WorkshopError(refused)


def _require_phase(phase: str, allowed: Iterable[str], refused: str) -> None:
    if phase not in allowed:
        raise _phase_error(phase, refused)


def _uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


def _card_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise WorkshopError(UNKNOWN_CARD)
    return value


def _info(workshop: Workshop) -> WorkshopInfo:
    return WorkshopInfo(
        id=workshop.id,
        join_code=workshop.join_code,
        title=workshop.title,
        city=workshop.city,
        district=workshop.district,
        lang=workshop.lang,
        held_on=workshop.held_on,
        themes=tuple(workshop.themes),
        dots_per_participant=workshop.dots_per_participant,
        max_dots_per_card=workshop.max_dots_per_card,
        show_cards=workshop.show_cards,
        phase=workshop.phase,
        facilitator=workshop.facilitator,
        is_demo=workshop.is_demo,
        opened_at=workshop.opened_at,
        closed_at=workshop.closed_at,
    )


def _refresh(session: Session) -> None:
    """After a bulk UPDATE: tables reread on next access by anything the caller still holds."""
    session.flush()
    session.expire_all()


def _audit(session: Session, actor: str, action: str, detail: str) -> None:
    session.add(AuditEvent(actor=str(actor)[:128], action=action[:40], detail=detail[:500]))


# --------------------------------------------------------------------------------------------
# Themes and texts
# --------------------------------------------------------------------------------------------


def city_themes(city: str) -> tuple[str, ...]:
    """The theme ids of a city's vision (from the survey definition), or none."""
    try:
        survey = load_survey(city)
    except SurveyDataError:
        return ()
    return survey.themes.ids if survey.themes else ()


def theme_label(theme: str, lang: str) -> str:
    """A theme's name in a language: the vision theme's label, or a facilitator's own name."""
    key = f"themes.{theme}.label"
    if key not in survey_texts("en").texts:
        return theme
    return survey_texts(normalize_language(lang) or "en").get(key)


def _clean(raw: str, limit: int) -> str:
    # A pasted novel is measured before the (linear but needless) clean-up.
    return clean_text(raw) if len(raw) <= 4 * limit + 100 else raw


def _card_text(raw: object) -> str:
    if not isinstance(raw, str):
        raise WorkshopError(EMPTY_CARD)
    text = _clean(raw, MAX_CARD_LENGTH)
    if not text:
        raise WorkshopError(EMPTY_CARD)
    if len(text) > MAX_CARD_LENGTH:
        raise WorkshopError(CARD_TOO_LONG, {"max": MAX_CARD_LENGTH, "length": len(text)})
    return text


def _card_theme(theme: object, themes: Sequence[str]) -> str:
    if not isinstance(theme, str) or theme not in themes:
        raise WorkshopError(UNKNOWN_THEME)
    return theme


def generated_name(lang: str, taken: Iterable[str] = (), rng: random.Random | None = None) -> str:
    """A friendly name such as ``Aurinko 7``, ``Sonne 7`` or ``Sun 7`` not yet taken."""
    words = GENERATED_NAME_WORDS[normalize_language(lang) or "en"].split()
    rng = rng or random.Random(secrets.randbits(64))
    taken = set(taken)
    for _ in range(200):
        name = f"{rng.choice(words)} {rng.randint(1, 99)}"
        if name not in taken:
            return name
    n = 100
    while f"{words[0]} {n}" in taken:
        n += 1
    return f"{words[0]} {n}"


# --------------------------------------------------------------------------------------------
# Facilitator use cases
# --------------------------------------------------------------------------------------------


def _settings_themes(raw: object, city_theme_ids: tuple[str, ...]) -> list[str]:
    if raw is None:
        raw = city_theme_ids
    problem = WorkshopError(INVALID_THEMES, {"max": MAX_THEMES, "length": MAX_THEME_LENGTH})
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise problem
    themes: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise problem
        theme = clean_text(_NEWLINES.sub(" ", item[: MAX_THEME_LENGTH * 4]))
        if not theme or len(theme) > MAX_THEME_LENGTH or theme in themes:
            raise problem
        themes.append(theme)
    if not 1 <= len(themes) <= MAX_THEMES:
        raise problem
    return themes


def create_workshop(
    *,
    session: Session,
    facilitator: str,
    title: str,
    city: str,
    held_on: date,
    lang: str | None = None,
    district: str | None = None,
    themes: Sequence[str] | None = None,
    dots_per_participant: int = DEFAULT_DOTS,
    max_dots_per_card: int = DEFAULT_DOTS_PER_CARD,
    show_cards: bool = False,
    is_demo: bool = False,
) -> WorkshopInfo:
    """Set up a workshop as a draft with its join code; residents can join once it is opened."""
    registry = load_cities(load_settings().data_dir)
    if not isinstance(city, str) or city not in registry:
        raise WorkshopError(UNKNOWN_CITY)
    if not isinstance(title, str) or not clean_text(_NEWLINES.sub(" ", title[:1000])):
        raise WorkshopError(EMPTY_TITLE)
    title = clean_text(_NEWLINES.sub(" ", title[:1000]))
    if len(title) > MAX_TITLE_LENGTH:
        raise WorkshopError(TITLE_TOO_LONG, {"max": MAX_TITLE_LENGTH})
    if isinstance(held_on, datetime):
        held_on = held_on.date()
    if not isinstance(held_on, date):
        raise WorkshopError(INVALID_DATE)
    if district is not None and district != "":
        try:
            known = load_survey(city).districts
        except SurveyDataError:
            known = {}
        if district not in known:
            raise WorkshopError(UNKNOWN_DISTRICT)
    else:
        district = None
    theme_list = _settings_themes(themes, city_themes(city))
    if isinstance(dots_per_participant, bool) or not isinstance(dots_per_participant, int):
        raise WorkshopError(INVALID_DOTS, {"max": MAX_DOTS})
    if not 1 <= dots_per_participant <= MAX_DOTS:
        raise WorkshopError(INVALID_DOTS, {"max": MAX_DOTS})
    if (
        isinstance(max_dots_per_card, bool)
        or not isinstance(max_dots_per_card, int)
        or not 1 <= max_dots_per_card <= dots_per_participant
    ):
        raise WorkshopError(INVALID_DOTS_PER_CARD)

    while True:
        code = new_join_code()
        if session.exec(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
            break
    workshop = Workshop(
        join_code=code,
        title=title,
        city=city,
        district=district,
        lang=normalize_language(lang) or registry[city].default_language,
        held_on=held_on,
        themes=theme_list,
        dots_per_participant=dots_per_participant,
        max_dots_per_card=max_dots_per_card,
        show_cards=bool(show_cards),
        facilitator=str(facilitator)[:64],
        is_demo=bool(is_demo),
    )
    session.add(workshop)
    _audit(session, facilitator, "workshop_create", f"workshop {workshop.id} ({city}): {title}")
    session.flush()
    return _info(workshop)


def get_workshop(*, session: Session, workshop_id: uuid.UUID | str) -> WorkshopInfo:
    """A workshop's settings and phase."""
    wid = _uuid(workshop_id)
    workshop = session.get(Workshop, wid, populate_existing=True) if wid else None
    if workshop is None:
        raise WorkshopError(UNKNOWN_WORKSHOP)
    return _info(workshop)


def list_workshops(
    *, session: Session, city: str | None = None, include_closed: bool = True
) -> list[WorkshopInfo]:
    """The workshops for the facilitator's list, newest date first."""
    query = select(Workshop).order_by(Workshop.held_on.desc(), Workshop.created_at.desc())
    if city is not None:
        query = query.where(Workshop.city == city)
    if not include_closed:
        query = query.where(Workshop.phase != "closed")
    return [_info(w) for w in session.exec(query).all()]


def set_phase(
    *, session: Session, workshop_id: uuid.UUID | str, phase: str, facilitator: str
) -> WorkshopInfo:
    """Move the workshop to another phase: collecting, voting, results or closed."""
    workshop = _workshop_for_update(session, workshop_id)
    if phase not in WORKSHOP_PHASES or phase not in NEXT_PHASES[workshop.phase]:
        raise WorkshopError(WRONG_PHASE)
    now = utcnow()
    if phase == "collecting" and workshop.opened_at is None:
        workshop.opened_at = now
    if phase == "closed":
        workshop.closed_at = now
    previous, workshop.phase = workshop.phase, phase
    session.add(workshop)
    _audit(session, facilitator, "workshop_phase", f"workshop {workshop.id}: {previous}->{phase}")
    session.flush()
    return _info(workshop)


def open_workshop(
    *, session: Session, workshop_id: uuid.UUID | str, facilitator: str
) -> WorkshopInfo:
    """Open a draft workshop: residents can join with its code and start writing cards."""
    return set_phase(
        session=session, workshop_id=workshop_id, phase="collecting", facilitator=facilitator
    )


def set_show_cards(
    *, session: Session, workshop_id: uuid.UUID | str, show: bool, facilitator: str
) -> WorkshopInfo:
    """Let participants see each other's cards while collecting, or not."""
    workshop = _workshop_for_update(session, workshop_id)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    workshop.show_cards = bool(show)
    session.add(workshop)
    session.flush()
    return _info(workshop)


def add_facilitator_card(
    *, session: Session, workshop_id: uuid.UUID | str, theme: str, text: str, facilitator: str
) -> SavedCard:
    """Put the facilitator's own card on the board (in any phase before closing)."""
    workshop = _workshop_for_update(session, workshop_id)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    card = WorkshopCard(
        workshop_id=workshop.id,
        participant_id=None,
        theme=_card_theme(theme, workshop.themes),
        text=_card_text(text),
        by_facilitator=True,
    )
    session.add(card)
    session.flush()
    return SavedCard(id=card.id, theme=card.theme, text=card.text)


def _card_in(session: Session, workshop_id: uuid.UUID, card_id: object) -> WorkshopCard:
    card = session.get(WorkshopCard, _card_id(card_id), populate_existing=True)
    if card is None or card.workshop_id != workshop_id:
        raise WorkshopError(UNKNOWN_CARD)
    return card


def hide_card(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    card_id: int,
    facilitator: str,
    hidden: bool = True,
) -> None:
    """Take a card off the board (it stays stored, with its dots), or put it back. Also after
    closing: the top cards of closed workshops are public on /results, and a facilitator must
    be able to take one off there."""
    workshop = _workshop_for_update(session, workshop_id)
    card = _card_in(session, workshop.id, card_id)
    card.hidden = bool(hidden)
    session.add(card)
    _audit(
        session,
        facilitator,
        "workshop_hide_card" if hidden else "workshop_show_card",
        f"workshop {workshop.id}: card {card.id}",
    )
    session.flush()


def merge_cards(
    *,
    session: Session,
    workshop_id: uuid.UUID | str,
    card_id: int,
    into_card_id: int,
    facilitator: str,
) -> int:
    """Merge a duplicate into another card: it leaves the board, its dots count in the other."""
    workshop = _workshop_for_update(session, workshop_id)
    if workshop.phase == "closed":
        raise WorkshopError(WRONG_PHASE)
    source = _card_in(session, workshop.id, card_id)
    target = _card_in(session, workshop.id, into_card_id)
    # Both sides as the board shows them: a card already merged stands for its group.
    source_id = source.merged_into_id or source.id
    target_id = target.merged_into_id or target.id
    if source_id == target_id:
        raise WorkshopError(MERGE_INTO_ITSELF)
    if session.get(WorkshopCard, target_id).hidden:
        raise WorkshopError(UNKNOWN_CARD)
    c = WorkshopCard.__table__.c
    # One level only: what was merged into the source now points at the target too.
    session.execute(
        sa.update(WorkshopCard.__table__)
        .where(c.workshop_id == workshop.id)
        .where(sa.or_(c.id == source_id, c.merged_into_id == source_id))
        .values(merged_into_id=target_id)
    )
    _audit(
        session,
        facilitator,
        "workshop_merge_cards",
        f"workshop {workshop.id}: card {source_id} into {target_id}",
    )
    _refresh(session)
    return target_id


# --------------------------------------------------------------------------------------------
# Participant use cases
# --------------------------------------------------------------------------------------------


def _workshop_by_code(session: Session, code: object) -> Workshop:
    normalized = normalize_join_code(code)
    if normalized is None:
        raise WorkshopError(INVALID_CODE)
    _begin_write(session)
    # Share-locked like the participants' actions: nobody joins once it has closed.
    workshop = session.exec(
        select(Workshop)
        .where(Workshop.join_code == normalized)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).first()
    if workshop is None:
        raise WorkshopError(UNKNOWN_CODE)
    return workshop


def join_workshop(
    *,
    session: Session,
    code: str,
    name: str | None = None,
    lang: str | None = None,
    token: str | None = None,
) -> Joined:
    """Join an open workshop by its code; with the token of an earlier visit, be that person."""
    workshop = _workshop_by_code(session, code)
    _require_phase(workshop.phase, ("collecting", "voting", "results"), NOT_OPEN)
    if isinstance(token, str) and 16 <= len(token) <= 100:
        known = session.exec(
            select(WorkshopParticipant).where(
                WorkshopParticipant.token_hash == _hash_token(token),
                WorkshopParticipant.workshop_id == workshop.id,
            )
        ).first()
        if known is not None:
            known.last_seen_at = utcnow()
            session.add(known)
            session.flush()
            return Joined(
                workshop_id=workshop.id,
                participant_id=known.id,
                token=token,
                name=known.name,
                rejoined=True,
            )
    chosen = ""
    if name is not None:
        if not isinstance(name, str):
            raise WorkshopError(NAME_TOO_LONG, {"max": MAX_NAME_LENGTH})
        chosen = _NEWLINES.sub(" ", _clean(name, MAX_NAME_LENGTH))
        if len(chosen) > MAX_NAME_LENGTH:
            raise WorkshopError(NAME_TOO_LONG, {"max": MAX_NAME_LENGTH})
    language = normalize_language(lang) or workshop.lang
    if not chosen:
        taken = session.exec(
            select(WorkshopParticipant.name).where(WorkshopParticipant.workshop_id == workshop.id)
        ).all()
        chosen = generated_name(language, taken)
    new_token = secrets.token_urlsafe(24)
    participant = WorkshopParticipant(
        workshop_id=workshop.id, token_hash=_hash_token(new_token), name=chosen, lang=language
    )
    session.add(participant)
    session.flush()
    return Joined(
        workshop_id=workshop.id,
        participant_id=participant.id,
        token=new_token,
        name=chosen,
        rejoined=False,
    )


def participant_state(*, session: Session, token: str) -> ParticipantState:
    """What a participant's tablet shows after a reload: their cards, dots, rating."""
    digest = _token_hash(token)
    participant = session.exec(
        select(WorkshopParticipant)
        .where(WorkshopParticipant.token_hash == digest)
        .execution_options(populate_existing=True)
    ).first()
    if participant is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    workshop = session.get(Workshop, participant.workshop_id, populate_existing=True)
    now = utcnow()
    if now - participant.last_seen_at > timedelta(seconds=TOUCH_EVERY_S):
        _begin_write(session)
        session.execute(
            sa.update(WorkshopParticipant.__table__)
            .where(WorkshopParticipant.__table__.c.id == participant.id)
            .values(last_seen_at=now)
        )
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    all_cards = workshop.show_cards or workshop.phase in ALL_CARDS_PHASES
    query = sa.select(
        c.id, c.theme, c.text, c.participant_id, c.by_facilitator, c.hidden, c.merged_into_id
    ).where(c.workshop_id == workshop.id)
    if not all_cards:
        query = query.where(sa.or_(c.participant_id == participant.id, c.by_facilitator))
    rows = session.execute(query.order_by(c.id)).all()
    dots_by_card = dict(
        session.execute(
            sa.select(v.card_id, sa.func.count())
            .where(v.workshop_id == workshop.id)
            .group_by(v.card_id)
        ).all()
    )
    mine_by_card = dict(
        session.execute(
            sa.select(v.card_id, sa.func.count())
            .where(v.participant_id == participant.id)
            .group_by(v.card_id)
        ).all()
    )
    root_of = _roots(session, workshop.id)
    group_dots: dict[int, int] = defaultdict(int)
    group_mine: dict[int, int] = defaultdict(int)
    for card_id, n in dots_by_card.items():
        group_dots[root_of.get(card_id, card_id)] += n
    for card_id, n in mine_by_card.items():
        group_mine[root_of.get(card_id, card_id)] += n
    show_totals = workshop.phase in ("results", "closed")
    cards = []
    for row in rows:
        mine = row.participant_id == participant.id
        on_board = not row.hidden and row.merged_into_id is None
        if not on_board and not mine and not group_mine.get(row.id):
            continue
        cards.append(
            ParticipantCard(
                id=row.id,
                theme=row.theme,
                text=row.text,
                mine=mine,
                by_facilitator=row.by_facilitator,
                my_dots=group_mine.get(row.id, 0) if row.merged_into_id is None else 0,
                dots=group_dots.get(row.id, 0) if show_totals and on_board else None,
                hidden=row.hidden,
                merged_into_id=row.merged_into_id,
            )
        )
    used = sum(mine_by_card.values())
    return ParticipantState(
        workshop=_info(workshop),
        participant_id=participant.id,
        name=participant.name,
        cards=tuple(cards),
        dots_used=used,
        dots_left=max(0, workshop.dots_per_participant - used),
        finished=participant.finished_at is not None,
        rating=participant.rating,
        rating_comment=participant.rating_comment,
    )


def add_card(*, session: Session, token: str, theme: str, text: str) -> SavedCard:
    """Save a participant's vision card on a theme, exactly as typed (trimmed)."""
    text = _card_text(text)
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting",), NOT_COLLECTING)
    themes = session.execute(
        sa.select(Workshop.__table__.c.themes).where(Workshop.__table__.c.id == actor.workshop_id)
    ).scalar_one()
    card = WorkshopCard(
        workshop_id=actor.workshop_id,
        participant_id=actor.participant_id,
        theme=_card_theme(theme, themes),
        text=text,
    )
    session.add(card)
    session.flush()
    return SavedCard(id=card.id, theme=card.theme, text=card.text)


def _my_dots(session: Session, participant_id: uuid.UUID, card_id: int) -> tuple[int, int]:
    """(dots on the card's group, dots in all) of a participant."""
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    on_card, total = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((_group(card_id), 1), else_=0)), 0),
            sa.func.count(),
        )
        .select_from(WorkshopVote.__table__.join(WorkshopCard.__table__, v.card_id == c.id))
        .where(v.participant_id == participant_id)
    ).one()
    return int(on_card), int(total)


def _vote_refused(facts: Any) -> WorkshopError | None:
    """Why a tap cannot become a dot, given the facts read for it; None when it can."""
    if facts.phase != "voting":
        return _phase_error(facts.phase, NOT_VOTING)
    if not facts.card_known or facts.card_hidden:
        return WorkshopError(UNKNOWN_CARD)
    if facts.card_merged_into is not None:
        return WorkshopError(CARD_MERGED)
    if facts.mine >= facts.dots_per_participant:
        return WorkshopError(NO_DOTS_LEFT)
    if facts.mine_on_card >= facts.max_dots_per_card:
        return WorkshopError(CARD_FULL, {"max": facts.max_dots_per_card})
    return None


def cast_vote(*, session: Session, token: str, card_id: int) -> VoteResult:
    """Place one dot on a card while voting is open, within the participant's budget."""
    digest = _token_hash(token)
    card_id = _card_id(card_id)
    # SQLite: the one write lock from here to the commit. PostgreSQL: the participant's row,
    # and a share lock on the workshop's (in the facts query), until the transaction ends.
    _begin_write(session)
    voter = session.execute(_voter_statement(), {"digest": digest}).first()
    if voter is None:
        raise WorkshopError(UNKNOWN_PARTICIPANT)
    params = {"participant_id": voter.id, "workshop_id": voter.workshop_id, "card_id": card_id}
    facts = session.execute(_vote_facts_statement(), params).one()
    refused = _vote_refused(facts)
    if refused is not None:
        raise refused
    # The rules again, in the statement that writes: under the lock the facts are current, and
    # the statement alone could not count a dot past the budget even without it.
    inserted = session.execute(_vote_statement(), {**params, "now": utcnow()}).first()
    if inserted is None:
        raise WorkshopError(NO_DOTS_LEFT)
    return VoteResult(
        card_id=card_id,
        dots_on_card=facts.mine_on_card + 1,
        dots_left=facts.dots_per_participant - facts.mine - 1,
    )


def withdraw_vote(*, session: Session, token: str, card_id: int) -> VoteResult:
    """Take back one of the participant's dots from a card while voting is open."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("voting",), NOT_VOTING)
    card = session.execute(
        sa.select(
            WorkshopCard.__table__.c.workshop_id, WorkshopCard.__table__.c.merged_into_id
        ).where(WorkshopCard.__table__.c.id == _card_id(card_id))
    ).first()
    if card is None or card.workshop_id != actor.workshop_id:
        raise WorkshopError(UNKNOWN_CARD)
    group_id = card.merged_into_id or card_id
    c, v = WorkshopCard.__table__.c, WorkshopVote.__table__.c
    latest = session.execute(
        sa.select(v.id)
        .select_from(WorkshopVote.__table__.join(WorkshopCard.__table__, v.card_id == c.id))
        .where(v.participant_id == actor.participant_id, _group(group_id))
        .order_by(v.id.desc())
        .limit(1)
    ).scalar()
    if latest is None:
        raise WorkshopError(NO_DOT_HERE)
    session.execute(sa.delete(WorkshopVote.__table__).where(v.id == latest))
    on_card, total = _my_dots(session, actor.participant_id, group_id)
    return VoteResult(
        card_id=group_id, dots_on_card=on_card, dots_left=actor.dots_per_participant - total
    )


def rate_workshop(*, session: Session, token: str, rating: int, comment: str | None = None) -> None:
    """Save (or change) a participant's rating of the workshop, 1-5, and an optional comment."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting", "voting", "results"), WRONG_PHASE)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise WorkshopError(INVALID_RATING)
    text = None
    if comment is not None:
        if not isinstance(comment, str):
            raise WorkshopError(COMMENT_TOO_LONG, {"max": MAX_COMMENT_LENGTH, "length": 0})
        text = _clean(comment, MAX_COMMENT_LENGTH) or None
        if text is not None and len(text) > MAX_COMMENT_LENGTH:
            raise WorkshopError(COMMENT_TOO_LONG, {"max": MAX_COMMENT_LENGTH, "length": len(text)})
    p = WorkshopParticipant.__table__.c
    session.execute(
        sa.update(WorkshopParticipant.__table__)
        .where(p.id == actor.participant_id)
        .values(rating=rating, rating_comment=text, rated_at=utcnow())
    )
    _refresh(session)


def finish(*, session: Session, token: str) -> None:
    """Mark the participant as done (the board counts them); doing it twice changes nothing."""
    actor = _participant_for_write(session, token)
    _require_phase(actor.phase, ("collecting", "voting", "results"), WRONG_PHASE)
    p = WorkshopParticipant.__table__.c
    session.execute(
        sa.update(WorkshopParticipant.__table__)
        .where(p.id == actor.participant_id, p.finished_at.is_(None))
        .values(finished_at=utcnow())
    )
    _refresh(session)


# --------------------------------------------------------------------------------------------
# The board, the outcome and its exports
# --------------------------------------------------------------------------------------------


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
    lang = normalize_language(lang) or "en"
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


def _closed(session: Session, workshop_id: object) -> Workshop:
    workshop = _load(session, workshop_id)
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
    workshop = _closed(session, workshop_id)
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
    workshop = _closed(session, workshop_id)
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


# --------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------

DEMO_FACILITATOR = "demo.facilitator"
# Per city: the title, district and language, then cards per theme (the first card of a theme
# gets a duplicate merged into it when one is listed under "duplicates").
DEMO_WORKSHOPS: dict[str, dict[str, Any]] = {
    "espoo": {
        "lang": "fi",
        "title": "Espoonlahti 2050 – yhteinen visiomme",
        "district": "suur-espoonlahti",
        "cards": {
            "clean_heat": (
                "Koko Espoo lämmitetään hukkalämmöllä ja lämpöpumpuilla – kivihiiltä ei "
                "polteta enää.",
                "Datakeskusten ja kauppojen hukkalämpö otetaan talteen kotien lämmitykseen.",
                "Taloyhtiöt saavat selkeää neuvontaa maalämpöön siirtymisestä.",
            ),
            "rail_and_cycling": (
                "Metrolla ja Raide-Jokerilla pääsee joka suuntaan ilman omaa autoa.",
                "Talvella auratut pyörätiet jokaiseen kouluun.",
                "Kaupunkipyöriä myös pientaloalueille eikä vain keskuksiin.",
            ),
            "lively_centres": (
                "Lippulaivassa on iltaisinkin elämää: kahviloita, kirjasto ja harrastuksia.",
                "Lähikauppa, terveysasema ja koulu kävelymatkan päässä kotoa.",
                "Tyhjät liiketilat nuorten ja yhdistysten käyttöön.",
            ),
            "nature_and_shore": (
                "Rantareitti kulkee yhtenäisenä koko Espoon rannikon läpi.",
                "Keskuspuisto säilyy yhtenäisenä metsänä, jonne ei rakenneta.",
                "Jokaisesta kodista pääsee viidessä minuutissa metsään.",
            ),
            "smart_buildings": (
                "Kerrostalojen katoilla on aurinkopaneelit, ja asukkaat näkevät kulutuksensa "
                "puhelimesta.",
                "Talot käyttävät vähemmän sähköä silloin, kun tuulee vähän.",
                "Vanhat kerrostalot korjataan energiatehokkaiksi ilman, että vuokrat karkaavat.",
            ),
            "circular_economy": (
                "Jokaisessa kaupunginosassa on lainaamo, josta saa työkaluja ja retkivarusteita.",
                "Korjauskahvila kirjastossa kerran viikossa.",
                "Rakennusjätteestä suurin osa käytetään uudelleen.",
            ),
        },
        "duplicates": {"clean_heat": "Lämpöpumput ja hukkalämpö kivihiilen tilalle!"},
        "comments": (
            "Hyvä työpaja, kiitos!",
            "Olisin kaivannut enemmän aikaa keskusteluun.",
            "Tableteilla oli helppo osallistua.",
        ),
    },
    "leipzig": {
        "lang": "de",
        "title": "Dunckerviertel 2050 – unsere gemeinsame Vision",
        "district": "alt-west",
        "cards": {
            "green_district_heat": (
                "Die Fernwärme kommt ganz ohne Braunkohle aus – aus Sonne, Abwärme und "
                "Großwärmepumpen.",
                "Abwärme aus Betrieben und Rechenzentren heizt unsere Wohnungen.",
                "Mehr Häuser im Viertel werden an die Fernwärme angeschlossen.",
            ),
            "solar_neighbourhoods": (
                "Auf jedem geeigneten Dach im Viertel liegt eine Solaranlage.",
                "Mieterstrom wird einfach: Strom vom eigenen Dach ist günstiger.",
                "Balkonkraftwerke für alle, auch in Mietwohnungen.",
            ),
            "mobility_transition": (
                "Die Straßenbahn fährt alle fünf Minuten, auch abends und am Wochenende.",
                "Sichere, breite Radwege zu jeder Schule.",
                "Carsharing an jeder Ecke, damit niemand ein eigenes Auto braucht.",
            ),
            "heritage_retrofit": (
                "Die alten Häuser werden gedämmt, ohne dass die schönen Fassaden verschwinden.",
                "Beratung aus einer Hand für Eigentümer denkmalgeschützter Häuser.",
                "Alte Kastenfenster werden aufgearbeitet statt ersetzt.",
            ),
            "green_and_cool": (
                "Mehr Bäume in den Straßen, damit es im Sommer schattig und kühl bleibt.",
                "Grüne Innenhöfe statt Asphalt.",
                "Trinkbrunnen und kühle Orte für heiße Tage.",
            ),
            "affordable_living": (
                "Die Sanierung darf die Miete nicht unbezahlbar machen.",
                "Energie bleibt für alle Haushalte bezahlbar.",
                "Genossenschaften und gemeinsames Wohnen werden gefördert.",
            ),
        },
        "duplicates": {"green_and_cool": "Mehr Straßenbäume!"},
        "comments": (
            "Tolle Veranstaltung, gerne wieder!",
            "Etwas mehr Zeit für die Diskussion wäre schön gewesen.",
            "Die Tablets waren einfach zu bedienen.",
        ),
    },
}
DEMO_PARTICIPANTS = 14


def demo_workshops(session: Session, options: Any) -> str:
    """One finished workshop per city with cards, dots and ratings, marked as demo data."""
    if session.exec(select(Workshop.id).where(Workshop.is_demo).limit(1)).first():
        return "demo workshops: already there"
    rng = random.Random(getattr(options, "seed", 2050))
    held_on = utcnow().date() - timedelta(days=7)
    made = []
    for city, demo in DEMO_WORKSHOPS.items():
        themes = [t for t in city_themes(city) if t in demo["cards"]]
        if not themes:
            continue
        info = create_workshop(
            session=session,
            facilitator=DEMO_FACILITATOR,
            title=demo["title"],
            city=city,
            held_on=held_on,
            lang=demo["lang"],
            district=demo["district"],
            themes=themes,
            dots_per_participant=5,
            max_dots_per_card=2,
            is_demo=True,
        )
        open_workshop(session=session, workshop_id=info.id, facilitator=DEMO_FACILITATOR)
        tokens = [
            join_workshop(session=session, code=info.join_code, lang=demo["lang"]).token
            for _ in range(DEMO_PARTICIPANTS)
        ]
        cards: list[int] = []
        firsts: dict[str, int] = {}
        for theme in themes:
            for text in demo["cards"][theme]:
                card = add_card(session=session, token=rng.choice(tokens), theme=theme, text=text)
                cards.append(card.id)
                firsts.setdefault(theme, card.id)
        duplicates = [
            (add_card(session=session, token=rng.choice(tokens), theme=theme, text=text).id, theme)
            for theme, text in demo["duplicates"].items()
            if theme in firsts
        ]
        set_phase(
            session=session, workshop_id=info.id, phase="voting", facilitator=DEMO_FACILITATOR
        )
        # Some ideas catch on (a seeded taste per workshop); duplicates get a few dots too.
        targets = cards + [card_id for card_id, _ in duplicates]
        weights = [rng.random() ** 2 + 0.05 for _ in targets]
        for token in tokens:
            for _ in range(rng.choice((3, 4, 5, 5, 5))):
                target = rng.choices(targets, weights=weights, k=1)[0]
                try:
                    cast_vote(session=session, token=token, card_id=target)
                except WorkshopError:
                    continue  # that card already has two of this resident's dots
        for duplicate, theme in duplicates:
            merge_cards(
                session=session,
                workshop_id=info.id,
                card_id=duplicate,
                into_card_id=firsts[theme],
                facilitator=DEMO_FACILITATOR,
            )
        set_phase(
            session=session, workshop_id=info.id, phase="results", facilitator=DEMO_FACILITATOR
        )
        for i, token in enumerate(tokens):
            if rng.random() < 0.8:
                comment = demo["comments"][i % len(demo["comments"])] if i % 4 == 0 else None
                rate_workshop(
                    session=session,
                    token=token,
                    rating=rng.choices((3, 4, 5), weights=(1, 3, 3))[0],
                    comment=comment,
                )
            finish(session=session, token=token)
        set_phase(
            session=session, workshop_id=info.id, phase="closed", facilitator=DEMO_FACILITATOR
        )
        _backdate(session, info.id, held_on)
        made.append(city)
    return f"demo workshops: {', '.join(made) if made else 'no city with demo cards'}"


def _backdate(session: Session, workshop_id: uuid.UUID, held_on: date) -> None:
    """Give a demo workshop the times of an evening on the day it was held."""
    start = datetime(held_on.year, held_on.month, held_on.day, 15, 0, tzinfo=UTC)
    workshop = session.get(Workshop, workshop_id, populate_existing=True)
    workshop.created_at = start - timedelta(days=10)
    workshop.opened_at = start
    workshop.closed_at = start + timedelta(hours=2)
    session.add(workshop)
    for table, columns in (
        (WorkshopParticipant, ("joined_at", "last_seen_at", "finished_at", "rated_at")),
        (WorkshopCard, ("created_at",)),
        (WorkshopVote, ("created_at",)),
    ):
        rows = session.exec(select(table).where(table.workshop_id == workshop_id)).all()
        for i, row in enumerate(rows):
            for column in columns:
                if getattr(row, column) is not None:
                    minutes = {"joined_at": 0, "created_at": 20, "last_seen_at": 110}.get(
                        column, 100
                    )
                    setattr(row, column, start + timedelta(minutes=minutes, seconds=7 * i))
            session.add(row)
    session.flush()
