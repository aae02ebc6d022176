"""The workshop's rules: limits, which phase may follow which, and the refusal codes with
their messages (English msgids; the page translates them), raised as :class:`WorkshopError`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping

from sparcs_engage.i18n import N_

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
NOT_YOURS = "not_yours"
UNKNOWN_FACILITATOR = "unknown_facilitator"

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
    NOT_YOURS: N_(
        "Another facilitator runs this workshop. Ask them to add you as a facilitator of it."
    ),
    UNKNOWN_FACILITATOR: N_("There is no facilitator account with this user name."),
}


class WorkshopError(Exception):
    """Why a workshop action was refused: a language-neutral code, an English msgid to translate
    and the values of its placeholders."""

    def __init__(self, code: str, params: Mapping[str, int | str] | None = None) -> None:
        self.code = code
        self.message = MESSAGES[code]
        self.params: dict[str, int | str] = dict(params or {})
        super().__init__(f"{code}: {self.message.format(**self.params)}")


_NEWLINES = re.compile(r"\s*\n\s*")


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
