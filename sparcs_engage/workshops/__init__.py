"""Live co-creation workshops: a facilitator opens a workshop, residents join on tablets with a
short code or a QR code, write vision cards per theme and vote on them with dots.

Plain Python (no Streamlit): the /workshop and /facilitate pages, the CLI and the tests share it.

One module per responsibility, every public name re-exported here:

- ``rules``: limits, the phase order, refusal codes and ``MESSAGES``, :class:`WorkshopError`;
- ``codes``: join codes, participant tokens, the join link and its QR code;
- ``locking``: the locks and the writer queue that make the database decide;
- ``phases``: :func:`create_workshop`, :func:`open_workshop`, :func:`set_phase` and friends;
- ``cards``: themes, :func:`add_card`, :func:`add_facilitator_card`, :func:`hide_card`,
  :func:`merge_cards`;
- ``participants``: :func:`join_workshop`, :func:`participant_state`, :func:`rate_workshop`,
  :func:`finish`;
- ``votes``: :func:`cast_vote` and :func:`withdraw_vote`, the dot budget;
- ``outcome``: :func:`board`, :func:`summary`, :func:`top_visions_of_city`;
- ``exports``: :func:`export_csv` and :func:`export_xlsx` of a closed workshop;
- ``presenter``: :func:`presentation` for the projector, :func:`board_order` of a board's cards;
- ``demo``: :func:`demo_workshops`, called by ``sparcs_engage.demo``.

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

from sparcs_engage.workshops.cards import (
    SavedCard,
    add_card,
    add_facilitator_card,
    city_themes,
    hide_card,
    merge_cards,
    theme_label,
)
from sparcs_engage.workshops.changes import WorkshopMark, workshop_mark
from sparcs_engage.workshops.codes import join_url, new_join_code, normalize_join_code, qr_svg
from sparcs_engage.workshops.demo import (
    DEMO_FACILITATOR,
    DEMO_PARTICIPANTS,
    DEMO_WORKSHOPS,
    demo_workshops,
)
from sparcs_engage.workshops.exports import export_csv, export_xlsx
from sparcs_engage.workshops.locking import QUEUE_WAIT_S
from sparcs_engage.workshops.outcome import (
    Board,
    BoardCard,
    BoardColumn,
    CityVisions,
    SummaryCard,
    ThemeSummary,
    WorkshopSummary,
    board,
    summary,
    top_visions_of_city,
)
from sparcs_engage.workshops.ownership import give_workshop, workshop_facilitators
from sparcs_engage.workshops.participants import (
    GENERATED_NAME_WORDS,
    Joined,
    ParticipantCard,
    ParticipantState,
    finish,
    generated_name,
    join_workshop,
    participant_state,
    rate_workshop,
)
from sparcs_engage.workshops.phases import (
    WorkshopInfo,
    create_workshop,
    get_workshop,
    list_workshops,
    open_workshop,
    set_phase,
    set_show_cards,
)
from sparcs_engage.workshops.presenter import (
    RANKED_PHASES,
    Presentation,
    board_order,
    presentation,
)
from sparcs_engage.workshops.rules import (
    ALL_CARDS_PHASES,
    CARD_FULL,
    CARD_MERGED,
    CARD_TOO_LONG,
    CLOSED,
    COMMENT_TOO_LONG,
    DEFAULT_DOTS,
    DEFAULT_DOTS_PER_CARD,
    EMPTY_CARD,
    EMPTY_TITLE,
    EXPORT_TABLES,
    INVALID_CODE,
    INVALID_DATE,
    INVALID_DOTS,
    INVALID_DOTS_PER_CARD,
    INVALID_RATING,
    INVALID_THEMES,
    JOIN_CODE_LENGTH,
    MAX_CARD_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_DOTS,
    MAX_NAME_LENGTH,
    MAX_THEME_LENGTH,
    MAX_THEMES,
    MAX_TITLE_LENGTH,
    MERGE_INTO_ITSELF,
    MESSAGES,
    NAME_TOO_LONG,
    NEXT_PHASES,
    NO_DOT_HERE,
    NO_DOTS_LEFT,
    NO_RESULTS_YET,
    NOT_CLOSED,
    NOT_COLLECTING,
    NOT_OPEN,
    NOT_VOTING,
    NOT_YOURS,
    ONLINE_WINDOW_S,
    TITLE_TOO_LONG,
    TOP_VISIONS,
    TOUCH_EVERY_S,
    UNKNOWN_CARD,
    UNKNOWN_CITY,
    UNKNOWN_CODE,
    UNKNOWN_DISTRICT,
    UNKNOWN_FACILITATOR,
    UNKNOWN_PARTICIPANT,
    UNKNOWN_THEME,
    UNKNOWN_WORKSHOP,
    WRONG_PHASE,
    WorkshopError,
)
from sparcs_engage.workshops.votes import VoteResult, cast_vote, withdraw_vote

__all__ = [
    "ALL_CARDS_PHASES",
    "CARD_FULL",
    "CARD_MERGED",
    "CARD_TOO_LONG",
    "CLOSED",
    "COMMENT_TOO_LONG",
    "DEFAULT_DOTS",
    "DEFAULT_DOTS_PER_CARD",
    "DEMO_FACILITATOR",
    "DEMO_PARTICIPANTS",
    "DEMO_WORKSHOPS",
    "EMPTY_CARD",
    "EMPTY_TITLE",
    "EXPORT_TABLES",
    "GENERATED_NAME_WORDS",
    "INVALID_CODE",
    "INVALID_DATE",
    "INVALID_DOTS",
    "INVALID_DOTS_PER_CARD",
    "INVALID_RATING",
    "INVALID_THEMES",
    "JOIN_CODE_LENGTH",
    "MAX_CARD_LENGTH",
    "MAX_COMMENT_LENGTH",
    "MAX_DOTS",
    "MAX_NAME_LENGTH",
    "MAX_THEMES",
    "MAX_THEME_LENGTH",
    "MAX_TITLE_LENGTH",
    "MERGE_INTO_ITSELF",
    "MESSAGES",
    "NAME_TOO_LONG",
    "NEXT_PHASES",
    "NOT_CLOSED",
    "NOT_COLLECTING",
    "NOT_OPEN",
    "NOT_VOTING",
    "NOT_YOURS",
    "NO_DOTS_LEFT",
    "NO_DOT_HERE",
    "NO_RESULTS_YET",
    "ONLINE_WINDOW_S",
    "QUEUE_WAIT_S",
    "RANKED_PHASES",
    "TITLE_TOO_LONG",
    "TOP_VISIONS",
    "TOUCH_EVERY_S",
    "UNKNOWN_CARD",
    "UNKNOWN_CITY",
    "UNKNOWN_CODE",
    "UNKNOWN_DISTRICT",
    "UNKNOWN_FACILITATOR",
    "UNKNOWN_PARTICIPANT",
    "UNKNOWN_THEME",
    "UNKNOWN_WORKSHOP",
    "WRONG_PHASE",
    "Board",
    "BoardCard",
    "BoardColumn",
    "CityVisions",
    "Joined",
    "ParticipantCard",
    "ParticipantState",
    "Presentation",
    "SavedCard",
    "SummaryCard",
    "ThemeSummary",
    "VoteResult",
    "WorkshopError",
    "WorkshopInfo",
    "WorkshopMark",
    "WorkshopSummary",
    "add_card",
    "add_facilitator_card",
    "board",
    "board_order",
    "cast_vote",
    "city_themes",
    "create_workshop",
    "demo_workshops",
    "export_csv",
    "export_xlsx",
    "finish",
    "generated_name",
    "get_workshop",
    "give_workshop",
    "hide_card",
    "join_url",
    "join_workshop",
    "list_workshops",
    "merge_cards",
    "new_join_code",
    "normalize_join_code",
    "open_workshop",
    "participant_state",
    "presentation",
    "qr_svg",
    "rate_workshop",
    "set_phase",
    "set_show_cards",
    "summary",
    "theme_label",
    "top_visions_of_city",
    "withdraw_vote",
    "workshop_facilitators",
    "workshop_mark",
]
