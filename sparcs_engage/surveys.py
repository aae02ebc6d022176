"""The City Vision 2050 survey: its definition, answer validation, drafts, submission, results.

Plain Python (no Streamlit): the /vision and /results pages, the CLI and the tests share it.

The survey is data. ``data/surveys/<survey>.toml`` holds the language-neutral structure
(sections, question ids, types, option ids, limits, conditions and each city's themes);
``content/<lang>/survey/<survey>.toml`` holds the texts under the same ids. Answers are stored
with those ids, never with translated labels, one row per answered item (``survey_answer``).

Use cases, each a keyword-only function that takes a Session: :func:`start`, :func:`save_step`,
:func:`resume`, :func:`submit`, :func:`delete_response`, :func:`list_pending`, :func:`moderate`,
:func:`results` and :func:`demo_responses`. They flush but never commit: the page wraps each
call in ``db.session_scope`` so that one step is one transaction.

Messages for residents are English msgids marked with ``N_`` (placeholders such as ``{max}``
come in a separate ``params`` mapping); the page translates them with the visitor's translator.
"""

from __future__ import annotations

import math
import random
import re
import tomllib
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from shapely.geometry import Point
from sqlmodel import Session, select

from sparcs_engage.cities import load_cities
from sparcs_engage.energy import District, EnergyDataError, district_at, load_districts
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES, N_, normalize_language, translator
from sparcs_engage.models import (
    AuditEvent,
    Respondent,
    SurveyAnswer,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    utcnow,
)
from sparcs_engage.models.surveys import SUMMARY_MEASURES
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import create_respondent, find_respondent, hash_code, new_code
from sparcs_engage.settings import load_settings

SURVEY_ID = "city_vision_2050"
# Results and breakdowns of fewer respondents than this are never shown.
MIN_GROUP = 5
# More than this many submissions in one city within the window: "try again in a moment".
RATE_LIMIT_SUBMISSIONS = 60
RATE_LIMIT_WINDOW_S = 60
# current_section once every visible section is saved: the page shows the review.
REVIEW = "review"
MAX_TEXT_LENGTH = 2000  # the survey_answer.text column
# How far outside the outermost district a map point may lie (degrees): the shore, a border.
PLACE_MARGIN_DEG = 0.02

QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multiple",
    "likert",
    "matrix",
    "ranking",
    "budget",
    "place",
    "text",
)
CONDITION_OPS: tuple[str, ...] = ("equals", "any_of", "includes", "at_least", "answered")
OPTION_SOURCES: tuple[str, ...] = ("themes", "districts")

# --------------------------------------------------------------------------------------------
# Messages (English msgids; the page translates them)
# --------------------------------------------------------------------------------------------

# Per question, in StepResult.errors.
E_REQUIRED = N_("Please answer this question.")
E_INVALID = N_("This answer could not be read. Please answer again.")
E_UNKNOWN_OPTION = N_("Please choose from the options shown.")
E_TOO_FEW = N_("Please choose at least {min}.")
E_TOO_MANY = N_("Please choose at most {max}.")
E_EXCLUSIVE = N_("This choice cannot be combined with others.")
E_SCALE = N_("Please choose a value from {min} to {max}.")
E_MATRIX_ROWS = N_("Please answer every row.")
E_RANK_DUPLICATE = N_("Each item can have only one place in the order.")
E_POINTS = N_("Please use whole numbers from 0 to {total}.")
E_BUDGET_SUM = N_("Please share out exactly {total} points. You have given {given}.")
E_PLACE = N_("Please mark the place on the map again, or choose a district.")
E_PLACE_OUTSIDE = N_(
    "This place is outside the city. Please mark a place in the city, or choose a district."
)
E_TEXT_TOO_LONG = N_("Please shorten your answer to {max} characters. It now has {length}.")

# For the whole call, in StepResult.error and friends: a code, and its message in MESSAGES.
CONSENT_REQUIRED = "consent_required"
UNKNOWN_CITY = "unknown_city"
NOT_FOUND = "not_found"
ALREADY_SUBMITTED = "already_submitted"
UNKNOWN_SECTION = "unknown_section"
INVALID = "invalid"
INCOMPLETE = "incomplete"
RATE_LIMITED = "rate_limited"
MESSAGES: dict[str, str] = {
    CONSENT_REQUIRED: N_("Please read the privacy notice and agree to it before you start."),
    UNKNOWN_CITY: N_("The survey is not open in this city."),
    NOT_FOUND: N_("We could not find answers for this code. Please check the code."),
    ALREADY_SUBMITTED: N_(
        "You have already sent your answers. Thank you! With your code you can look at the "
        "results or delete your answers."
    ),
    UNKNOWN_SECTION: N_("This part of the survey does not exist. Please go back to the start."),
    INVALID: N_("Some answers need another look. Please check the questions marked below."),
    INCOMPLETE: N_("Some questions still need an answer. Please check the part shown."),
    RATE_LIMITED: N_("Many answers are arriving right now. Please try again in a moment."),
}

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
# Control characters other than tab and newline, and lone surrogates (not storable as UTF-8).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


class SurveyDataError(ValueError):
    """A survey file that cannot be used, naming the file, the field and the problem."""

    def __init__(self, path: Path | str, field_name: str, problem: str) -> None:
        self.path = Path(path)
        self.field = field_name
        self.problem = problem
        super().__init__(f"{path}: {field_name}: {problem}")


# --------------------------------------------------------------------------------------------
# The definition
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier answer is (or includes) something."""

    question: str
    op: str
    value: Any

    def holds(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.question)
        if self.op == "answered":
            return answer is not None
        if answer is None:
            return False
        if self.op == "equals":
            return answer == self.value
        if self.op == "any_of":
            return answer in self.value
        if self.op == "includes":
            return isinstance(answer, list | tuple) and self.value in answer
        if self.op == "at_least":
            return isinstance(answer, int | float) and answer >= self.value
        return False


@dataclass(frozen=True)
class Question:
    """One question: its type, option ids and limits, and when it is shown."""

    id: str
    type: str
    section: str
    required: bool = False
    options: tuple[str, ...] = ()
    options_from: str | None = None
    items: tuple[str, ...] = ()
    exclusive: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    total: int | None = None
    max_length: int | None = None
    scale: str | None = None
    scale_range: tuple[int, int] | None = None
    show_if: tuple[Condition, ...] = ()

    def visible(self, answers: Mapping[str, Any]) -> bool:
        return all(condition.holds(answers) for condition in self.show_if)


@dataclass(frozen=True)
class Section:
    """A page of the survey; skipped when all its questions are hidden."""

    id: str
    questions: tuple[Question, ...]

    def visible_questions(self, answers: Mapping[str, Any]) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.visible(answers))


@dataclass(frozen=True)
class CityThemes:
    """A city's themes of the vision (its Key Strategic Areas), and whether they are demo ones."""

    ids: tuple[str, ...]
    demo: bool
    note: str


@dataclass(frozen=True)
class Survey:
    """A survey's structure; for one city when ``city`` is set (themes and districts filled in)."""

    id: str
    version: str
    sections: tuple[Section, ...]
    scales: Mapping[str, tuple[int, int]]
    city_themes: Mapping[str, CityThemes]
    city: str | None = None
    districts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def themes(self) -> CityThemes | None:
        return self.city_themes.get(self.city) if self.city else None

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def visible_sections(self, answers: Mapping[str, Any]) -> tuple[Section, ...]:
        """The sections with at least one question to show, given the answers so far."""
        return tuple(s for s in self.sections if s.visible_questions(answers))

    def first_section(self, answers: Mapping[str, Any] | None = None) -> str:
        visible = self.visible_sections(answers or {})
        return visible[0].id if visible else REVIEW

    def next_section(self, section_id: str, answers: Mapping[str, Any]) -> str:
        """The next section to show after this one (all-hidden ones skipped), or REVIEW."""
        ids = [s.id for s in self.sections]
        start = ids.index(section_id) + 1 if section_id in ids else len(ids)
        for s in self.sections[start:]:
            if s.visible_questions(answers):
                return s.id
        return REVIEW

    def previous_section(self, section_id: str, answers: Mapping[str, Any]) -> str | None:
        """The section before this one (REVIEW: the last one), skipping all-hidden ones."""
        ids = [s.id for s in self.sections]
        end = ids.index(section_id) if section_id in ids else len(ids)
        for s in reversed(self.sections[:end]):
            if s.visible_questions(answers):
                return s.id
        return None

    def progress(self, section_id: str, answers: Mapping[str, Any]) -> tuple[int, int]:
        """(step, steps): this section's place among the visible ones, for a progress bar."""
        visible = [s.id for s in self.visible_sections(answers)]
        if section_id == REVIEW or section_id not in visible:
            return len(visible), len(visible)
        return visible.index(section_id) + 1, len(visible)

    def district_name(self, district_id: str, lang: str) -> str:
        names = self.districts.get(district_id, {})
        return names.get(lang) or names.get("en") or district_id


def _structure_path(survey_id: str) -> Path:
    if not _ID.match(survey_id):
        raise SurveyDataError(survey_id, "id", "not a survey id")
    return load_settings().data_dir / "surveys" / f"{survey_id}.toml"


def _ids(value: object, path: Path, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SurveyDataError(path, name, "must be a list of ids")
    if not value and not allow_empty:
        raise SurveyDataError(path, name, "must not be empty")
    for v in value:
        if not _ID.match(v):
            raise SurveyDataError(path, name, f"'{v}' is not a valid id (a-z, 0-9, _)")
    duplicates = sorted({v for v in value if value.count(v) > 1})
    if duplicates:
        raise SurveyDataError(path, name, f"duplicate id {', '.join(duplicates)}")
    return tuple(value)


def _int(raw: dict, key: str, path: Path, name: str, *, low: int = 0) -> int | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SurveyDataError(path, f"{name}.{key}", f"must be a whole number >= {low}")
    return value


_QUESTION_KEYS: dict[str, set[str]] = {
    "single": {"options", "options_from", "exclusive"},
    "multiple": {"options", "options_from", "min", "max", "exclusive"},
    "likert": {"scale"},
    "matrix": {"scale", "items"},
    "ranking": {"options", "options_from", "min", "max"},
    "budget": {"options", "options_from", "total"},
    "place": set(),
    "text": {"max_length"},
}
_COMMON_KEYS = {"id", "type", "required", "show_if"}


def _condition(
    raw: object, path: Path, name: str, earlier: Mapping[str, Question], themes: set[str]
) -> Condition:
    if not isinstance(raw, dict):
        raise SurveyDataError(
            path, name, "must be a table such as { question = ..., equals = ... }"
        )
    target = raw.get("question")
    if target not in earlier:
        raise SurveyDataError(path, f"{name}.question", f"'{target}' is not an earlier question")
    ops = [k for k in raw if k != "question"]
    if len(ops) != 1 or ops[0] not in CONDITION_OPS:
        raise SurveyDataError(path, name, f"needs exactly one of {', '.join(CONDITION_OPS)}")
    op, value = ops[0], raw[ops[0]]
    ref = earlier[target]
    known = set(ref.options or ref.items) | (themes if ref.options_from == "themes" else set())
    check_options = ref.options_from != "districts"
    if op in ("equals", "includes"):
        wanted = {"equals": ("single",), "includes": ("multiple", "ranking")}[op]
        if ref.type not in wanted:
            raise SurveyDataError(path, name, f"'{op}' does not apply to a {ref.type} question")
        if not isinstance(value, str) or (check_options and value not in known):
            raise SurveyDataError(path, f"{name}.{op}", f"'{value}' is not an option of {target}")
    elif op == "any_of":
        if ref.type != "single":
            raise SurveyDataError(path, name, f"'any_of' does not apply to a {ref.type} question")
        values = _ids(value, path, f"{name}.any_of")
        if check_options and set(values) - known:
            raise SurveyDataError(path, f"{name}.any_of", f"not all are options of {target}")
        value = values
    elif op == "at_least":
        if ref.type != "likert" or ref.scale_range is None:
            raise SurveyDataError(path, name, "'at_least' applies to likert questions only")
        low, high = ref.scale_range
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SurveyDataError(path, f"{name}.at_least", f"must be from {low} to {high}")
    elif value is not True:
        raise SurveyDataError(path, f"{name}.answered", "must be true")
    return Condition(question=target, op=op, value=value)


def _question(
    raw: object,
    path: Path,
    name: str,
    section_id: str,
    scales: Mapping[str, tuple[int, int]],
    earlier: Mapping[str, Question],
    themes: set[str],
) -> Question:
    if not isinstance(raw, dict):
        raise SurveyDataError(path, name, "must be a table")
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise SurveyDataError(path, f"{name}.id", "missing or not a valid id (a-z, 0-9, _)")
    name = f"{name} ({qid})"
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        raise SurveyDataError(path, f"{name}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
    unknown = set(raw) - _COMMON_KEYS - _QUESTION_KEYS[qtype]
    if unknown:
        raise SurveyDataError(path, name, f"unknown key {', '.join(sorted(unknown))}")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise SurveyDataError(path, f"{name}.required", "must be true or false")

    options: tuple[str, ...] = ()
    options_from = raw.get("options_from")
    if "options" in _QUESTION_KEYS[qtype]:
        if ("options" in raw) == (options_from is not None):
            raise SurveyDataError(path, name, "needs either options or options_from")
        if options_from is not None and options_from not in OPTION_SOURCES:
            raise SurveyDataError(
                path, f"{name}.options_from", f"must be one of {', '.join(OPTION_SOURCES)}"
            )
        if "options" in raw:
            options = _ids(raw["options"], path, f"{name}.options")
    exclusive = _ids(raw.get("exclusive", []), path, f"{name}.exclusive", allow_empty=True)
    if set(exclusive) - set(options):
        raise SurveyDataError(path, f"{name}.exclusive", "must be among the options")

    items = _ids(raw["items"], path, f"{name}.items") if qtype == "matrix" else ()
    scale = scale_range = None
    if qtype in ("likert", "matrix"):
        scale = raw.get("scale")
        if scale not in scales:
            raise SurveyDataError(path, f"{name}.scale", f"unknown scale '{scale}'")
        scale_range = scales[scale]

    low = _int(raw, "min", path, name, low=1)
    high = _int(raw, "max", path, name, low=1)
    if qtype == "multiple" and (low is None or high is None):
        raise SurveyDataError(path, name, "a multiple-choice question needs min and max")
    if qtype == "ranking" and high is None:
        raise SurveyDataError(path, name, "a ranking question needs max")
    if qtype == "ranking" and low is None:
        low = 1
    if low is not None and high is not None and low > high:
        raise SurveyDataError(path, f"{name}.min", "is larger than max")
    if options and high is not None and high > len(options):
        raise SurveyDataError(path, f"{name}.max", "is larger than the number of options")
    total = _int(raw, "total", path, name, low=1)
    if qtype == "budget" and total is None:
        raise SurveyDataError(path, name, "a budget question needs total")
    max_length = _int(raw, "max_length", path, name, low=1)
    if qtype == "text" and (max_length is None or max_length > MAX_TEXT_LENGTH):
        raise SurveyDataError(path, f"{name}.max_length", f"must be 1 to {MAX_TEXT_LENGTH}")

    show_if_raw = raw.get("show_if", [])
    if not isinstance(show_if_raw, list):
        raise SurveyDataError(path, f"{name}.show_if", "must be a list of conditions")
    show_if = tuple(
        _condition(c, path, f"{name}.show_if[{i}]", earlier, themes)
        for i, c in enumerate(show_if_raw)
    )
    return Question(
        id=qid,
        type=qtype,
        section=section_id,
        required=required,
        options=options,
        options_from=options_from,
        items=items,
        exclusive=exclusive,
        min=low,
        max=high,
        total=total,
        max_length=max_length,
        scale=scale,
        scale_range=scale_range,
        show_if=show_if,
    )


def parse_structure(data: Mapping[str, Any], path: Path) -> Survey:
    """Check a survey structure (as read from TOML) and return it for all cities."""
    survey_id = data.get("id")
    if not isinstance(survey_id, str) or not _ID.match(survey_id):
        raise SurveyDataError(path, "id", "missing or not a valid id")
    version = data.get("version")
    if not isinstance(version, str) or not 0 < len(version) <= 20:
        raise SurveyDataError(path, "version", "missing or longer than 20 characters")

    scales: dict[str, tuple[int, int]] = {}
    raw_scales = data.get("scales", {})
    if not isinstance(raw_scales, dict):
        raise SurveyDataError(path, "scales", "must be a table")
    for scale_id, raw in raw_scales.items():
        name = f"scales.{scale_id}"
        if not _ID.match(scale_id) or not isinstance(raw, dict):
            raise SurveyDataError(path, name, "must be a table with min and max")
        low, high = _int(raw, "min", path, name), _int(raw, "max", path, name)
        if low is None or high is None or low >= high:
            raise SurveyDataError(path, name, "needs whole numbers min < max")
        scales[scale_id] = (low, high)

    city_themes: dict[str, CityThemes] = {}
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, dict) or not raw_themes:
        raise SurveyDataError(path, "themes", "needs a [themes.<city>] table per city")
    for city_id, raw in raw_themes.items():
        name = f"themes.{city_id}"
        if not isinstance(raw, dict):
            raise SurveyDataError(path, name, "must be a table")
        demo = raw.get("demo", False)
        note = raw.get("note", "")
        if not isinstance(demo, bool) or not isinstance(note, str):
            raise SurveyDataError(path, name, "demo must be true/false and note a text")
        if demo and not note.strip():
            raise SurveyDataError(path, f"{name}.note", "demo themes need a note saying so")
        city_themes[city_id] = CityThemes(
            ids=_ids(raw.get("ids"), path, f"{name}.ids"), demo=demo, note=note.strip()
        )
    all_themes = {t for themes in city_themes.values() for t in themes.ids}

    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise SurveyDataError(path, "sections", "needs at least one [[sections]]")
    sections: list[Section] = []
    earlier: dict[str, Question] = {}
    for i, raw in enumerate(raw_sections):
        name = f"sections[{i}]"
        if not isinstance(raw, dict):
            raise SurveyDataError(path, name, "must be a table")
        section_id = raw.get("id")
        if not isinstance(section_id, str) or not _ID.match(section_id) or section_id == REVIEW:
            raise SurveyDataError(path, f"{name}.id", "missing or not a valid id")
        if any(s.id == section_id for s in sections):
            raise SurveyDataError(path, f"{name}.id", f"duplicate section id '{section_id}'")
        raw_questions = raw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise SurveyDataError(path, f"{name}.questions", "needs at least one question")
        questions = []
        for j, raw_q in enumerate(raw_questions):
            question = _question(
                raw_q, path, f"{name}.questions[{j}]", section_id, scales, earlier, all_themes
            )
            if question.id in earlier:
                raise SurveyDataError(path, f"{name}.questions[{j}]", f"duplicate id {question.id}")
            earlier[question.id] = question
            questions.append(question)
        sections.append(Section(id=section_id, questions=tuple(questions)))

    return Survey(
        id=survey_id,
        version=version,
        sections=tuple(sections),
        scales=scales,
        city_themes=city_themes,
        path=path,
    )


def load_structure(path: Path) -> Survey:
    """Read and check a survey structure file (all cities); raise SurveyDataError if unusable."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SurveyDataError(path, "-", "the file is missing") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SurveyDataError(path, "-", f"not valid TOML ({exc})") from exc
    return parse_structure(data, Path(path))


@cache
def _city_districts(city_id: str) -> tuple[District, ...]:
    path = load_settings().data_dir / "cities" / city_id / "districts.geojson"
    try:
        return tuple(load_districts(path))
    except EnergyDataError as exc:
        raise SurveyDataError(path, "-", f"the city's districts cannot be read ({exc})") from exc


def _city_bounds(city_id: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the city's districts, with a small margin."""
    bounds = [d.geometry.bounds for d in _city_districts(city_id)]
    return (
        min(b[0] for b in bounds) - PLACE_MARGIN_DEG,
        min(b[1] for b in bounds) - PLACE_MARGIN_DEG,
        max(b[2] for b in bounds) + PLACE_MARGIN_DEG,
        max(b[3] for b in bounds) + PLACE_MARGIN_DEG,
    )


def _resolve(question: Question, themes: tuple[str, ...], districts: tuple[str, ...]) -> Question:
    if question.options_from is None:
        return question
    options = themes if question.options_from == "themes" else districts
    return replace(question, options=options)


@cache
def load_survey(city_id: str, survey_id: str = SURVEY_ID) -> Survey:
    """The survey as a city's residents answer it: its themes and districts as options."""
    path = _structure_path(survey_id)
    definition = load_structure(path)
    if city_id not in definition.city_themes:
        raise SurveyDataError(path, f"themes.{city_id}", "no themes for this city")
    districts = _city_districts(city_id)
    district_ids = tuple(d.id for d in districts)
    themes = definition.city_themes[city_id].ids
    sections = []
    for section in definition.sections:
        questions = tuple(_resolve(q, themes, district_ids) for q in section.questions)
        for q in questions:
            if q.max is not None and q.options and q.max > len(q.options):
                raise SurveyDataError(path, f"{q.id}.max", f"larger than {city_id}'s options")
        sections.append(Section(id=section.id, questions=questions))
    return Survey(
        id=definition.id,
        version=definition.version,
        sections=tuple(sections),
        scales=definition.scales,
        city_themes=definition.city_themes,
        city=city_id,
        districts={d.id: dict(d.names) for d in districts},
        path=path,
    )


# --------------------------------------------------------------------------------------------
# Texts per language
# --------------------------------------------------------------------------------------------

_OPTIONAL_TEXT = re.compile(r"^questions\.[a-z0-9_]+\.help$")
HINT_KEYS: dict[str, str] = {
    "multiple": "hints.multiple",
    "ranking": "hints.ranking",
    "budget": "hints.budget",
    "text": "hints.text",
}


def required_text_keys(definition: Survey) -> set[str]:
    """Every text key a language must have for this structure (all cities' themes included)."""
    keys = {"title", "intro", "consent", "thanks", *HINT_KEYS.values()}
    for scale_id, (low, high) in definition.scales.items():
        keys |= {f"scales.{scale_id}.{n}" for n in range(low, high + 1)}
    for themes in definition.city_themes.values():
        for theme in themes.ids:
            keys |= {f"themes.{theme}.label", f"themes.{theme}.description"}
    for section in definition.sections:
        keys |= {f"sections.{section.id}.title", f"sections.{section.id}.intro"}
        for q in section.questions:
            keys.add(f"questions.{q.id}.text")
            keys |= {f"questions.{q.id}.options.{o}" for o in q.options}
            keys |= {f"questions.{q.id}.items.{i}" for i in q.items}
            if q.type == "place":
                keys.add(f"questions.{q.id}.district_label")
    return keys


def is_optional_text_key(key: str) -> bool:
    """Keys a language may have beyond the required ones (all languages alike)."""
    return bool(_OPTIONAL_TEXT.match(key))


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value.strip()
        else:
            flat[name] = value  # kept so that the completeness test reports a wrong type
    return flat


@dataclass(frozen=True)
class SurveyTexts:
    """The texts of a survey in one language, by dotted id such as ``questions.housing.text``."""

    lang: str
    texts: Mapping[str, str]
    demo_answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, key: str, /, **values: object) -> str:
        """The text of any id, with {placeholders} filled in; English, then the id, if missing."""
        text = self.texts.get(key)
        if not isinstance(text, str) or not text:
            text = survey_texts("en").texts.get(key, key) if self.lang != "en" else key
        return text.format(**values) if values else text

    def question(self, question_id: str) -> str:
        return self.get(f"questions.{question_id}.text")

    def help(self, question_id: str) -> str | None:
        return self.texts.get(f"questions.{question_id}.help") or None

    def section(self, section_id: str) -> str:
        return self.get(f"sections.{section_id}.title")

    def option(self, survey: Survey, question: Question, option_id: str) -> str:
        """The label of an option: a theme, a district or the question's own option."""
        if question.options_from == "themes":
            return self.get(f"themes.{option_id}.label")
        if question.options_from == "districts" or question.type == "place":
            return survey.district_name(option_id, self.lang)
        if question.type == "matrix":
            return self.get(f"questions.{question.id}.items.{option_id}")
        return self.get(f"questions.{question.id}.options.{option_id}")

    def scale(self, scale_id: str, value: int) -> str:
        return self.get(f"scales.{scale_id}.{value}")

    def hint(self, question: Question) -> str | None:
        """The visible limit under a question ("Choose up to 3."), or None."""
        key = HINT_KEYS.get(question.type)
        if key is None:
            return None
        number = translator(self.lang).number
        limit = question.max_length if question.type == "text" else question.max
        return self.get(
            key,
            min=number(question.min or 0),
            max=number(limit or 0),
            total=number(question.total or 0),
        )


@cache
def survey_texts(lang: str, survey_id: str = SURVEY_ID) -> SurveyTexts:
    """The survey's texts in a language (unknown languages get English)."""
    lang = normalize_language(lang) or "en"
    if not _ID.match(survey_id):
        raise SurveyDataError(survey_id, "id", "not a survey id")
    path = CONTENT_DIR / lang / "survey" / f"{survey_id}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SurveyDataError(path, "-", "the file is missing") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SurveyDataError(path, "-", f"not valid TOML ({exc})") from exc
    demo = data.pop("demo_answers", {})
    demo_answers = {
        key: tuple(v for v in values if isinstance(v, str))
        for key, values in demo.items()
        if isinstance(values, list)
    }
    return SurveyTexts(lang=lang, texts=_flatten(data), demo_answers=demo_answers)


# --------------------------------------------------------------------------------------------
# Validation of one answer
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused: an English msgid and the values of its placeholders."""

    msgid: str
    params: Mapping[str, int | str] = field(default_factory=dict)


def clean_text(raw: str) -> str:
    """Open text as typed, minus what cannot be stored (NUL, control characters, surrogates)."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    return _UNSTORABLE.sub("", text).strip()


def _whole(value: object) -> int | None:
    """An integer from an int or an integral float; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    if isinstance(value, dict):
        return all(_is_empty(v) or v == 0 for v in value.values())
    return False


def validate_answer(survey: Survey, question: Question, raw: object) -> Any | Problem:
    """The answer in its stored shape (None when unanswered), or the Problem with it."""
    if _is_empty(raw):
        return Problem(E_REQUIRED) if question.required else None
    check = _VALIDATORS[question.type]
    return check(survey, question, raw)


def _single(survey: Survey, q: Question, raw: object) -> str | Problem:
    if not isinstance(raw, str) or raw not in q.options:
        return Problem(E_UNKNOWN_OPTION)
    return raw


def _multiple(survey: Survey, q: Question, raw: object) -> list[str] | Problem:
    if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
        return Problem(E_INVALID)
    chosen = set()
    for value in raw:
        if not isinstance(value, str) or value not in q.options:
            return Problem(E_UNKNOWN_OPTION)
        chosen.add(value)
    if len(chosen) > 1 and chosen & set(q.exclusive):
        return Problem(E_EXCLUSIVE)
    if q.min is not None and len(chosen) < q.min:
        return Problem(E_TOO_FEW, {"min": q.min})
    if q.max is not None and len(chosen) > q.max:
        return Problem(E_TOO_MANY, {"max": q.max})
    return [o for o in q.options if o in chosen]


def _scale_value(q: Question, raw: object) -> int | Problem:
    low, high = q.scale_range or (1, 5)
    value = _whole(raw)
    if value is None or not low <= value <= high:
        return Problem(E_SCALE, {"min": low, "max": high})
    return value


def _likert(survey: Survey, q: Question, raw: object) -> int | Problem:
    return _scale_value(q, raw)


def _matrix(survey: Survey, q: Question, raw: object) -> dict[str, int] | Problem:
    if not isinstance(raw, dict):
        return Problem(E_INVALID)
    values: dict[str, int] = {}
    for item, value in raw.items():
        if item not in q.items:
            return Problem(E_UNKNOWN_OPTION)
        if _is_empty(value):
            continue
        checked = _scale_value(q, value)
        if isinstance(checked, Problem):
            return checked
        values[item] = checked
    if q.required and len(values) < len(q.items):
        return Problem(E_MATRIX_ROWS)
    return {item: values[item] for item in q.items if item in values}


def _ranking(survey: Survey, q: Question, raw: object) -> list[str] | Problem:
    if isinstance(raw, str) or not isinstance(raw, list | tuple):
        return Problem(E_INVALID)
    for value in raw:
        if not isinstance(value, str) or value not in q.options:
            return Problem(E_UNKNOWN_OPTION)
    if len(set(raw)) != len(raw):
        return Problem(E_RANK_DUPLICATE)
    if q.min is not None and len(raw) < q.min:
        return Problem(E_TOO_FEW, {"min": q.min})
    if q.max is not None and len(raw) > q.max:
        return Problem(E_TOO_MANY, {"max": q.max})
    return list(raw)


def _budget(survey: Survey, q: Question, raw: object) -> dict[str, int] | Problem:
    total = q.total or 100
    if not isinstance(raw, dict):
        return Problem(E_INVALID)
    points: dict[str, int] = {}
    for option, value in raw.items():
        if option not in q.options:
            return Problem(E_UNKNOWN_OPTION)
        whole = 0 if value is None else _whole(value)
        if whole is None or not 0 <= whole <= total:
            return Problem(E_POINTS, {"total": total})
        points[option] = whole
    given = sum(points.values())
    if given != total:
        return Problem(E_BUDGET_SUM, {"total": total, "given": given})
    return {option: points.get(option, 0) for option in q.options}


def _place(survey: Survey, q: Question, raw: object) -> dict[str, Any] | Problem:
    if not isinstance(raw, dict) or set(raw) - {"lat", "lon", "district"}:
        return Problem(E_PLACE)
    lat, lon, district = raw.get("lat"), raw.get("lon"), raw.get("district")
    if district in ("", None):
        district = None
    elif not isinstance(district, str) or district not in survey.districts:
        return Problem(E_UNKNOWN_OPTION)
    if lat is None and lon is None:
        if district is None:
            return Problem(E_PLACE)
        return {"lat": None, "lon": None, "district": district}
    lat, lon = _number(lat), _number(lon)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Problem(E_PLACE)
    if survey.city is None:
        return Problem(E_PLACE)
    min_lon, min_lat, max_lon, max_lat = _city_bounds(survey.city)
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        return Problem(E_PLACE_OUTSIDE)
    lat, lon = round(lat, 6), round(lon, 6)
    # The point is more precise than the list: the district it lies in wins.
    inside = district_at(_city_districts(survey.city), lat, lon)
    return {"lat": lat, "lon": lon, "district": inside or district}


def _text(survey: Survey, q: Question, raw: object) -> str | Problem | None:
    if not isinstance(raw, str):
        return Problem(E_INVALID)
    limit = q.max_length or MAX_TEXT_LENGTH
    # A pasted novel is refused before the (linear but needless) clean-up.
    text = clean_text(raw) if len(raw) <= 4 * limit + 100 else raw
    if len(text) > limit:
        return Problem(E_TEXT_TOO_LONG, {"max": limit, "length": len(text)})
    if not text:
        return Problem(E_REQUIRED) if q.required else None
    return text


_VALIDATORS = {
    "single": _single,
    "multiple": _multiple,
    "likert": _likert,
    "matrix": _matrix,
    "ranking": _ranking,
    "budget": _budget,
    "place": _place,
    "text": _text,
}


# --------------------------------------------------------------------------------------------
# Answers <-> rows of survey_answer
# --------------------------------------------------------------------------------------------

ANSWER_COLUMNS = ("question_id", "item", "value", "text", "lat", "lon", "moderation")


def _row(question_id: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(ANSWER_COLUMNS)
    row.update(question_id=question_id, **values)
    return row


def answer_rows(question: Question, answer: Any) -> list[dict[str, Any]]:
    """The survey_answer rows (without response_id) that store one answer in tidy long form."""
    qid, kind = question.id, question.type
    if answer is None:
        return []
    if kind == "single":
        return [_row(qid, item=answer)]
    if kind == "multiple":
        return [_row(qid, item=option) for option in answer]
    if kind == "likert":
        return [_row(qid, value=float(answer))]
    if kind == "matrix":
        return [_row(qid, item=item, value=float(v)) for item, v in answer.items()]
    if kind == "ranking":
        return [_row(qid, item=item, value=float(pos)) for pos, item in enumerate(answer, 1)]
    if kind == "budget":
        # Zero points are not stored: a theme's mean is its points over the question's respondents.
        return [_row(qid, item=i, value=float(points)) for i, points in answer.items() if points]
    if kind == "place":
        return [_row(qid, item=answer["district"], lat=answer["lat"], lon=answer["lon"])]
    if kind == "text":
        return [_row(qid, text=answer, moderation="pending")]
    raise ValueError(f"unknown question type {kind}")


def _whole_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def summary_values(answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The survey_summary columns and the budget per theme of one response's answers.

    The KPIs read these (see ``models.surveys.SurveySummary``); they come from the question ids
    of the City Vision 2050 survey and stay empty when a question was not answered.
    """
    acceptance = answers.get("acceptance") or {}
    values: dict[str, Any] = {
        "district": answers.get("district"),
        "age_band": answers.get("age_band"),
        "gender": answers.get("gender"),
        "energy_awareness": _whole_or_none(answers.get("energy_awareness")),
        "sparcs_awareness": _whole_or_none(answers.get("sparcs_awareness")),
    }
    for measure in SUMMARY_MEASURES:
        values[f"accept_{measure}"] = _whole_or_none(acceptance.get(measure))
    budget = {theme: int(points) for theme, points in (answers.get("theme_budget") or {}).items()}
    values["budget_total"] = sum(budget.values()) if budget else None
    return values, {theme: points for theme, points in budget.items() if points > 0}


def _write_summary(session: Session, response: SurveyResponse, answers: Mapping[str, Any]) -> None:
    values, budget = summary_values(answers)
    summary = SurveySummary(
        response_id=response.id,
        city=response.city,
        submitted_at=response.submitted_at,
        is_demo=response.is_demo,
        **values,
    )
    session.add(summary)
    session.flush()
    for theme, points in budget.items():
        session.add(SurveySummaryBudget(summary_id=summary.id, theme=theme, points=points))


def _answers_from_rows(survey: Survey, rows: Iterable[SurveyAnswer]) -> dict[str, Any]:
    """The stored answers back in the shape save_step takes and conditions read."""
    by_question: dict[str, list[SurveyAnswer]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    answers: dict[str, Any] = {}
    for q in survey.questions:
        got = by_question.get(q.id)
        if not got:
            continue
        if q.type == "single":
            answers[q.id] = got[0].item
        elif q.type == "multiple":
            chosen = {r.item for r in got}
            answers[q.id] = [o for o in q.options if o in chosen]
        elif q.type == "likert":
            answers[q.id] = int(got[0].value or 0)
        elif q.type == "matrix":
            values = {r.item: int(r.value or 0) for r in got}
            answers[q.id] = {i: values[i] for i in q.items if i in values}
        elif q.type == "ranking":
            answers[q.id] = [r.item for r in sorted(got, key=lambda r: r.value or 0)]
        elif q.type == "budget":
            values = {r.item: int(r.value or 0) for r in got}
            answers[q.id] = {o: values.get(o, 0) for o in q.options}
        elif q.type == "place":
            answers[q.id] = {"lat": got[0].lat, "lon": got[0].lon, "district": got[0].item}
        elif q.type == "text":
            answers[q.id] = got[0].text
    return answers


def _stored_answers(session: Session, survey: Survey, response_id: uuid.UUID) -> dict[str, Any]:
    rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == response_id))
    return _answers_from_rows(survey, rows.all())


def visible_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions that are shown, given the answers before them."""
    kept: dict[str, Any] = {}
    for q in survey.questions:
        if q.id in answers and q.visible(kept):
            kept[q.id] = answers[q.id]
    return kept


# --------------------------------------------------------------------------------------------
# Use cases
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """A new draft and the code to give the resident, or why none was started."""

    ok: bool
    error: str | None = None
    response_id: uuid.UUID | None = None
    code: str | None = None
    section_id: str | None = None


@dataclass(frozen=True)
class StepResult:
    """The outcome of saving a section: where to go next, or what to fix.

    ``errors`` maps question ids to msgids; ``params`` holds their placeholder values.
    """

    ok: bool
    section_id: str | None = None
    error: str | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, int | str]] = field(default_factory=dict)
    retry_after_s: int | None = None


@dataclass(frozen=True)
class Draft:
    """A response found by its code: where the resident was and what they answered."""

    response_id: uuid.UUID
    city: str
    lang: str
    status: str
    current_section: str
    answers: Mapping[str, Any]
    consent_version: str
    survey_version: str


def start(
    *,
    session: Session,
    city: str,
    lang: str,
    consented: bool,
    survey_id: str = SURVEY_ID,
) -> Started:
    """Begin a response once the resident has agreed to the privacy notice."""
    if consented is not True:
        return Started(ok=False, error=CONSENT_REQUIRED)
    try:
        survey = load_survey(city, survey_id)
    except SurveyDataError:
        return Started(ok=False, error=UNKNOWN_CITY)
    respondent, code = create_respondent(session=session, city=city)
    section_id = survey.first_section()
    response = SurveyResponse(
        respondent_id=respondent.id,
        city=city,
        survey_id=survey.id,
        survey_version=survey.version,
        consent_version=PRIVACY_NOTICE_VERSION,
        lang=normalize_language(lang) or "en",
        current_section=section_id,
    )
    session.add(response)
    session.flush()
    return Started(ok=True, response_id=response.id, code=code, section_id=section_id)


def _response(session: Session, response_id: object) -> SurveyResponse | None:
    if isinstance(response_id, str):
        try:
            response_id = uuid.UUID(response_id)
        except ValueError:
            return None
    if not isinstance(response_id, uuid.UUID):
        return None
    return session.get(SurveyResponse, response_id)


def save_step(
    *,
    session: Session,
    response_id: uuid.UUID | str,
    section_id: str,
    raw_answers: Mapping[str, Any],
) -> StepResult:
    """Validate one section's answers and replace that section's stored answers with them."""
    response = _response(session, response_id)
    if response is None:
        return StepResult(ok=False, error=NOT_FOUND)
    if response.status != "draft":
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    survey = load_survey(response.city, response.survey_id)
    try:
        section = survey.section(section_id)
    except KeyError:
        return StepResult(ok=False, error=UNKNOWN_SECTION)
    if not isinstance(raw_answers, Mapping):
        raw_answers = {}

    section_ids = {q.id for q in section.questions}
    answers = {
        k: v
        for k, v in _stored_answers(session, survey, response.id).items()
        if k not in section_ids
    }
    errors: dict[str, str] = {}
    params: dict[str, Mapping[str, int | str]] = {}
    rows: list[dict[str, Any]] = []
    # In order, so that a condition on an earlier question of the same section sees its answer.
    for q in section.questions:
        if not q.visible(answers):
            continue  # hidden: whatever came for it is dropped
        checked = validate_answer(survey, q, raw_answers.get(q.id))
        if isinstance(checked, Problem):
            errors[q.id] = checked.msgid
            if checked.params:
                params[q.id] = dict(checked.params)
            continue
        if checked is not None:
            answers[q.id] = checked
            rows.extend(answer_rows(q, checked))
    if errors:
        return StepResult(
            ok=False, section_id=section.id, error=INVALID, errors=errors, params=params
        )

    session.execute(
        sa.delete(SurveyAnswer).where(
            SurveyAnswer.response_id == response.id,
            SurveyAnswer.question_id.in_(sorted(section_ids)),
        )
    )
    if rows:
        session.execute(
            sa.insert(SurveyAnswer.__table__), [{**r, "response_id": response.id} for r in rows]
        )
    next_id = survey.next_section(section.id, answers)
    response.current_section = next_id
    response.updated_at = utcnow()
    session.add(response)
    session.flush()
    return StepResult(ok=True, section_id=next_id)


def resume(*, session: Session, code: object) -> Draft | None:
    """Find a resident's response by their code, to continue, review or delete it."""
    respondent = find_respondent(session=session, code=code)
    if respondent is None:
        return None
    response = session.exec(
        select(SurveyResponse).where(SurveyResponse.respondent_id == respondent.id)
    ).first()
    if response is None:
        return None
    survey = load_survey(response.city, response.survey_id)
    answers = _stored_answers(session, survey, response.id)
    current = response.current_section
    if current != REVIEW and current not in {s.id for s in survey.visible_sections(answers)}:
        current = survey.first_section(answers)
    return Draft(
        response_id=response.id,
        city=response.city,
        lang=response.lang,
        status=response.status,
        current_section=current,
        answers=answers,
        consent_version=response.consent_version,
        survey_version=response.survey_version,
    )


def submit(
    *,
    session: Session,
    response_id: uuid.UUID | str,
    rate_limit: int = RATE_LIMIT_SUBMISSIONS,
    rate_window_s: int = RATE_LIMIT_WINDOW_S,
    now: datetime | None = None,
) -> StepResult:
    """Send a completed draft: once per respondent, and slowed down during a burst."""
    response = _response(session, response_id)
    if response is None:
        return StepResult(ok=False, error=NOT_FOUND)
    if response.status != "draft":
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    now = now or utcnow()

    survey = load_survey(response.city, response.survey_id)
    stored = _stored_answers(session, survey, response.id)
    answers = visible_answers(survey, stored)
    errors: dict[str, str] = {}
    first_incomplete = None
    for section in survey.visible_sections(answers):
        for q in section.visible_questions(answers):
            if q.required and q.id not in answers:
                errors[q.id] = E_REQUIRED
                first_incomplete = first_incomplete or section.id
    if errors:
        return StepResult(ok=False, section_id=first_incomplete, error=INCOMPLETE, errors=errors)

    since = now - timedelta(seconds=rate_window_s)
    recent = session.execute(
        sa.select(sa.func.count(), sa.func.min(SurveyResponse.submitted_at)).where(
            SurveyResponse.city == response.city,
            SurveyResponse.status == "submitted",
            SurveyResponse.is_demo.is_(False),
            SurveyResponse.submitted_at > since,
        )
    ).one()
    if recent[0] >= rate_limit:
        oldest = recent[1] or now
        retry = max(1, math.ceil((oldest - since).total_seconds()))
        return StepResult(ok=False, error=RATE_LIMITED, retry_after_s=retry)

    hidden = sorted(set(stored) - set(answers))
    if hidden:
        # Answers to questions that a later change hid are not part of what was sent.
        session.execute(
            sa.delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(hidden)
            )
        )
    # Guarded by status: of two tabs submitting at once, only one changes the row.
    changed = session.execute(
        sa.update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.status == "draft")
        .values(status="submitted", submitted_at=now, updated_at=now, current_section=REVIEW)
    ).rowcount
    if changed != 1:
        return StepResult(ok=False, error=ALREADY_SUBMITTED)
    session.flush()
    session.refresh(response)
    _write_summary(session, response, answers)
    session.flush()
    return StepResult(ok=True, section_id=REVIEW)


def delete_response(*, session: Session, code: object) -> bool:
    """Delete a resident's survey answers by their code; False when there is nothing to delete.

    The respondent itself stays (their footprint or workshop input may use the same code);
    ``respondents.delete_respondent`` removes everything.
    """
    respondent = find_respondent(session=session, code=code)
    if respondent is None:
        return False
    ids = session.exec(
        select(SurveyResponse.id).where(SurveyResponse.respondent_id == respondent.id)
    ).all()
    if not ids:
        return False
    # Explicit, so that it holds even on a connection without foreign-key enforcement.
    summaries = sa.select(SurveySummary.id).where(SurveySummary.response_id.in_(ids))
    session.execute(
        sa.delete(SurveySummaryBudget).where(SurveySummaryBudget.summary_id.in_(summaries))
    )
    session.execute(sa.delete(SurveySummary).where(SurveySummary.response_id.in_(ids)))
    session.execute(sa.delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids)))
    session.execute(sa.delete(SurveyResponse).where(SurveyResponse.id.in_(ids)))
    session.flush()
    session.expire_all()
    return True


# --------------------------------------------------------------------------------------------
# Moderation of open answers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingAnswer:
    """An open answer waiting for a moderator; the text is to be shown as text, never markup."""

    answer_id: int
    question_id: str
    text: str
    city: str
    lang: str
    submitted_at: datetime | None


def list_pending(
    *, session: Session, city: str | None = None, limit: int = 100
) -> list[PendingAnswer]:
    """The open answers of submitted responses that no moderator has decided on yet."""
    query = (
        sa.select(
            SurveyAnswer.id,
            SurveyAnswer.question_id,
            SurveyAnswer.text,
            SurveyResponse.city,
            SurveyResponse.lang,
            SurveyResponse.submitted_at,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.status == "submitted", SurveyAnswer.moderation == "pending")
        .order_by(SurveyResponse.submitted_at, SurveyAnswer.id)
        .limit(max(1, limit))
    )
    if city is not None:
        query = query.where(SurveyResponse.city == city)
    return [PendingAnswer(*row) for row in session.execute(query).all()]


def moderate(*, session: Session, answer_id: int, decision: str, moderator: str) -> bool:
    """Approve or reject an open answer (logged); False when there is no such open answer."""
    if decision not in ("approved", "rejected"):
        raise ValueError("decision must be 'approved' or 'rejected'")
    answer = session.get(SurveyAnswer, answer_id) if isinstance(answer_id, int) else None
    if answer is None or answer.text is None:
        return False
    answer.moderation = decision
    session.add(answer)
    session.add(
        AuditEvent(
            actor=moderator[:128],
            action="moderate_open_answer",
            detail=f"answer {answer_id} ({answer.question_id}): {decision}",
        )
    )
    session.flush()
    return True


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """Results of one closed question; everything is empty when ``suppressed``.

    ``counts`` maps an option (a scale value "1".."5" for likert; a district for the map) to
    the respondents who chose it, ``shares`` to their share of ``respondents``. ``means`` is the
    mean position per item (ranking), mean points (budget) or mean per row (matrix); ``mean``
    the mean on the scale (likert). ``rows`` holds one likert result per matrix row.
    """

    question_id: str
    type: str
    respondents: int | None
    suppressed: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    shares: Mapping[str, float] = field(default_factory=dict)
    mean: float | None = None
    means: Mapping[str, float] = field(default_factory=dict)
    rows: Mapping[str, QuestionResult] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyResults:
    """What a city's residents answered, ready to publish (small groups already suppressed)."""

    city: str
    survey_id: str
    respondents: int
    questions: Mapping[str, QuestionResult]
    top_places: Sequence[tuple[str, int, float]]  # (district id, respondents, share)
    open_answers: Mapping[str, Sequence[str]]


def _suppressed(q: Question) -> QuestionResult:
    return QuestionResult(question_id=q.id, type=q.type, respondents=None, suppressed=True)


def _scale_result(q: Question, n: int, by_value: Mapping[float, int]) -> QuestionResult:
    if n < MIN_GROUP:
        return _suppressed(q)
    low, high = q.scale_range or (1, 5)
    counts = {str(v): by_value.get(float(v), 0) for v in range(low, high + 1)}
    mean = sum(v * c for v, c in by_value.items()) / n
    return QuestionResult(
        question_id=q.id,
        type="likert",
        respondents=n,
        suppressed=False,
        counts=counts,
        shares={k: c / n for k, c in counts.items()},
        mean=mean,
    )


def _question_result(
    q: Question, n: int, groups: Mapping[tuple[str | None, float | None], int]
) -> QuestionResult:
    """One question's result from its (item, value) -> count groups and its respondents n."""
    if n < MIN_GROUP:
        return _suppressed(q)
    if q.type == "likert":
        return _scale_result(q, n, {v: c for (_, v), c in groups.items() if v is not None})
    if q.type == "matrix":
        rows = {}
        for item in q.items:
            by_value = {v: c for (i, v), c in groups.items() if i == item and v is not None}
            rows[item] = _scale_result(q, sum(by_value.values()), by_value)
        return QuestionResult(
            question_id=q.id,
            type=q.type,
            respondents=n,
            suppressed=False,
            means={i: r.mean for i, r in rows.items() if r.mean is not None},
            rows=rows,
        )
    options = list(q.options)
    counts = dict.fromkeys(options, 0)
    sums: dict[str, float] = dict.fromkeys(options, 0.0)
    for (item, value), count in groups.items():
        if item is None:
            continue
        if item not in counts:
            counts[item] = 0
            sums[item] = 0.0
        if q.type == "budget":
            counts[item] += count if value else 0
        else:
            counts[item] += count
        sums[item] += (value or 0) * count
    means: dict[str, float] = {}
    shares = {k: c / n for k, c in counts.items()}
    if q.type == "ranking":
        means = {k: sums[k] / c for k, c in counts.items() if c}
    elif q.type == "budget":
        means = {k: sums[k] / n for k in counts}
        shares = {k: means[k] / (q.total or 100) for k in counts}
    return QuestionResult(
        question_id=q.id,
        type=q.type,
        respondents=n,
        suppressed=False,
        counts=counts,
        shares=shares,
        means=means,
    )


def results(
    *,
    session: Session,
    city: str,
    survey_id: str = SURVEY_ID,
    where: tuple[str, str] | None = None,
    include_demo: bool = True,
    top: int = 10,
    open_answers_limit: int = 50,
) -> SurveyResults | None:
    """Counts and shares per closed question, the most wanted places and approved open answers.

    ``where=(question_id, option_id)`` narrows to the respondents who chose that option (a
    breakdown, e.g. one district). None when fewer than MIN_GROUP respondents are in the group.
    """
    survey = load_survey(city, survey_id)
    filters = [
        SurveyResponse.city == city,
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.status == "submitted",
    ]
    if not include_demo:
        filters.append(SurveyResponse.is_demo.is_(False))
    if where is not None:
        question_id, option_id = where
        survey.question(question_id)  # KeyError for an unknown question
        chosen = sa.select(SurveyAnswer.response_id).where(
            SurveyAnswer.question_id == question_id, SurveyAnswer.item == option_id
        )
        filters.append(SurveyResponse.id.in_(chosen))

    respondents = session.execute(sa.select(sa.func.count()).where(*filters)).scalar_one()
    if respondents < MIN_GROUP:
        return None

    on_response = SurveyResponse.id == SurveyAnswer.response_id
    per_question = dict(
        session.execute(
            sa.select(
                SurveyAnswer.question_id, sa.func.count(sa.distinct(SurveyAnswer.response_id))
            )
            .join(SurveyResponse, on_response)
            .where(*filters, SurveyAnswer.text.is_(None))
            .group_by(SurveyAnswer.question_id)
        ).all()
    )
    groups: dict[str, dict[tuple[str | None, float | None], int]] = defaultdict(dict)
    for question_id, item, value, count in session.execute(
        sa.select(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value, sa.func.count())
        .join(SurveyResponse, on_response)
        .where(*filters, SurveyAnswer.text.is_(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value)
    ).all():
        groups[question_id][(item, value)] = count

    questions: dict[str, QuestionResult] = {}
    top_places: list[tuple[str, int, float]] = []
    for q in survey.questions:
        if q.type == "text":
            continue
        result = _question_result(q, per_question.get(q.id, 0), groups.get(q.id, {}))
        questions[q.id] = result
        if q.type == "place" and not result.suppressed and result.respondents:
            ranked = sorted(
                ((d, c) for d, c in result.counts.items() if c), key=lambda dc: (-dc[1], dc[0])
            )
            top_places = [(d, c, c / result.respondents) for d, c in ranked[:top]]

    open_answers: dict[str, list[str]] = {}
    text_ids = [q.id for q in survey.questions if q.type == "text"]
    for question_id in text_ids:
        texts = session.execute(
            sa.select(SurveyAnswer.text)
            .join(SurveyResponse, on_response)
            .where(
                *filters,
                SurveyAnswer.question_id == question_id,
                SurveyAnswer.moderation == "approved",
            )
            .order_by(SurveyResponse.submitted_at.desc(), SurveyAnswer.id.desc())
            .limit(open_answers_limit)
        ).scalars()
        open_answers[question_id] = [t for t in texts if t]

    return SurveyResults(
        city=city,
        survey_id=survey.id,
        respondents=respondents,
        questions=questions,
        top_places=top_places,
        open_answers=open_answers,
    )


# --------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------


# Leanings of the demo residents: relative weights per option id (likert and matrix: the centre
# of the scale). Options not named weigh 1; questions not named are answered evenly.
DEMO_LEANINGS: dict[str, dict[str, float]] = {
    "housing": {"own_house": 3, "own_flat": 3, "rent": 3.5, "other_housing": 0.5},
    "energy_awareness": {"centre": 3.1},
    "sparcs_awareness": {"centre": 2.2},
    "info_channels": {"local_news": 4, "city_website": 3, "social_media": 3, "neighbours": 2},
    "vision_words": {"green": 5, "affordable": 4, "lively": 3, "safe": 3, "walkable": 3},
    "measures_wanted": {"solar": 5, "heat_pumps": 3, "district_heat": 3, "smart_heating": 3},
    "acceptance": {
        "solar": 4.2,
        "heat_pumps": 3.8,
        "district_heat": 3.9,
        "ev_charging": 3.3,
        "smart_heating": 3.9,
    },
    "solar_where": {"public_buildings": 4, "shared_plant": 3, "own_roof": 2},
    "take_part": {"yes": 2, "maybe": 4.5, "no": 3.5},
    "home_obstacles": {"cost": 5, "where_to_start": 2, "shared_decision": 2},
    "age_band": {"under_18": 0.3, "18_29": 1.7, "30_44": 3, "45_64": 3, "65_74": 1.3},
    "gender": {"woman": 5.2, "man": 4.1, "other_gender": 0.2, "prefer_not_to_say": 0.5},
    "years_in_city": {"under_2": 1, "2_5": 1.5, "6_10": 1.5, "11_20": 2, "over_20": 3.7},
}
# Where a city's residents differ (Leipzig: mostly tenants and housing co-operatives).
DEMO_CITY_LEANINGS: dict[str, dict[str, dict[str, float]]] = {
    "leipzig": {"housing": {"own_house": 0.8, "own_flat": 0.7, "rent": 6, "other_housing": 2.5}},
}
# Share of residents who answer an optional question (open texts: who write anything).
DEMO_ANSWER_RATE = {"text": 0.18, "place": 0.7, "other": 0.9}


class _DemoResident:
    """Draws plausible answers, question by question, following the survey's conditions."""

    def __init__(self, survey: Survey, rng: random.Random) -> None:
        self.survey = survey
        self.rng = rng
        city = survey.city or ""
        leanings = {**DEMO_LEANINGS, **DEMO_CITY_LEANINGS.get(city, {})}
        # A seeded taste per city: some themes and districts matter more than others.
        themes = survey.themes.ids if survey.themes else ()
        theme_weights = {t: rng.uniform(0.5, 3.0) for t in themes}
        district_weights = {d: rng.uniform(0.3, 3.0) for d in survey.districts}
        self.districts = (list(district_weights), list(district_weights.values()))
        # Per question: the options that can be drawn and their weights, worked out once.
        self.options: dict[str, tuple[list[str], list[float]]] = {}
        self.centres: dict[str, Mapping[str, float]] = {}
        for q in survey.questions:
            leaning = leanings.get(q.id, {})
            self.centres[q.id] = leaning
            if q.options_from == "themes":
                weights = theme_weights
            elif q.options_from == "districts":
                weights = district_weights
            else:
                weights = {o: leaning.get(o, 1.0) for o in q.options if o not in q.exclusive}
            self.options[q.id] = (list(weights), list(weights.values()))
        self.points = self._points_inside(city)

    def _points_inside(self, city: str) -> dict[str, list[tuple[float, float]]]:
        """Some random points inside each district, drawn once (testing each is slow)."""
        points: dict[str, list[tuple[float, float]]] = {}
        for district in _city_districts(city) if city else ():
            min_x, min_y, max_x, max_y = district.geometry.bounds
            found: list[tuple[float, float]] = []
            for _ in range(400):
                lon, lat = self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y)
                if district.geometry.covers(Point(lon, lat)):
                    found.append((round(lat, 5), round(lon, 5)))
                    if len(found) >= 40:
                        break
            points[district.id] = found
        return points

    def pick(self, options: tuple[list[str], list[float]], k: int = 1) -> list[str]:
        """k different options, likelier the heavier they weigh (Efraimidis and Spirakis)."""
        names, weights = options
        if k == 1:
            return self.rng.choices(names, weights)
        random_ = self.rng.random
        keys = [random_() ** (1.0 / w) for w in weights]
        best = sorted(range(len(names)), key=keys.__getitem__, reverse=True)[:k]
        return [names[i] for i in best]

    def scale(self, q: Question, centre: float) -> int:
        low, high = q.scale_range or (1, 5)
        return min(high, max(low, round(self.rng.gauss(centre, 1.0))))

    def answers(self, texts: SurveyTexts) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for q in self.survey.questions:
            if q.show_if and not q.visible(answers):
                continue
            rate = DEMO_ANSWER_RATE.get(q.type, DEMO_ANSWER_RATE["other"])
            if not q.required and self.rng.random() > rate:
                continue
            answer = self.answer(q, texts)
            if answer is not None:
                answers[q.id] = answer
        return answers

    def answer(self, q: Question, texts: SurveyTexts) -> Any:
        rng = self.rng
        if q.type == "single":
            return self.pick(self.options[q.id])[0]
        if q.type == "multiple":
            if q.exclusive and rng.random() < 0.06:
                return [q.exclusive[0]]
            names = self.options[q.id][0]
            k = rng.randint(q.min or 1, min(q.max or 1, 3, len(names)))
            chosen = set(self.pick(self.options[q.id], k))
            return [o for o in q.options if o in chosen]
        if q.type == "likert":
            return self.scale(q, self.centres[q.id].get("centre", 3.0))
        if q.type == "matrix":
            centres = self.centres[q.id]
            return {item: self.scale(q, centres.get(item, 3.5)) for item in q.items}
        if q.type == "ranking":
            return self.pick(self.options[q.id], q.max or 1)
        if q.type == "budget":
            return self.budget(q)
        if q.type == "place":
            district = self.pick(self.districts)[0]
            if rng.random() < 0.6 and self.points.get(district):
                lat, lon = rng.choice(self.points[district])
                return {"lat": lat, "lon": lon, "district": district}
            return {"lat": None, "lon": None, "district": district}
        if q.type == "text":
            examples = texts.demo_answers.get(q.id)
            return rng.choice(examples) if examples else None
        return None

    def budget(self, q: Question) -> dict[str, int]:
        total = q.total or 100
        names, weights = self.options[q.id]
        draws = [self.rng.gammavariate(w, 1.0) for w in weights]
        scale = sum(draws) or 1.0
        points = dict(zip(names, (round(v / scale * total / 5) * 5 for v in draws), strict=True))
        # Rounding to fives rarely sums to the total: the largest share takes up the difference.
        largest = max(points, key=points.__getitem__)
        points[largest] += total - sum(points.values())
        if points[largest] < 0:
            points = dict.fromkeys(names, 0)
            points[largest] = total
        return {o: points.get(o, 0) for o in q.options}


def _fresh_code_hashes(session: Session, n: int) -> list[str]:
    """n hashes of fresh respondent codes, checked unique in bulk.

    create_respondent spends a query and an insert on every respondent, too slow for the tens
    of thousands of demo respondents; the codes and hashes are made the same way.
    """
    hashes: set[str] = set()
    while len(hashes) < n:
        batch = {hash_code(new_code()) for _ in range(n - len(hashes))} - hashes
        for chunk in _chunks(sorted(batch), 5000):
            taken = session.execute(
                sa.select(Respondent.code_hash).where(Respondent.code_hash.in_(chunk))
            ).scalars()
            batch -= set(taken)
        hashes |= batch
    return sorted(hashes)


def _chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def demo_responses(
    *, session: Session, city: str, n: int, seed: int, batch_size: int = 5000
) -> int:
    """Create n plausible submitted responses marked as demo data, in bulk; return how many."""
    survey = load_survey(city)
    registry = load_cities(load_settings().data_dir)
    default_lang = registry[city].default_language if city in registry else "en"
    texts = {lang: survey_texts(lang) for lang in LANGUAGES}
    rng = random.Random(seed)
    resident = _DemoResident(survey, rng)
    questions = {q.id: q for q in survey.questions}
    now = utcnow()
    made = 0
    while made < n:
        count = min(batch_size, n - made)
        respondents, responses, answers, summaries, budgets = [], [], [], [], []
        for code_hash in _fresh_code_hashes(session, count):
            lang = default_lang if rng.random() < 0.8 else rng.choice(LANGUAGES)
            submitted = now - timedelta(seconds=rng.uniform(3600, 90 * 86400))
            started = submitted - timedelta(seconds=rng.uniform(180, 1500))
            respondent_id, response_id = uuid.uuid4(), uuid.uuid4()
            respondents.append(
                {
                    "id": respondent_id,
                    "code_hash": code_hash,
                    "city": city,
                    "created_at": started,
                    "is_demo": True,
                }
            )
            responses.append(
                {
                    "id": response_id,
                    "respondent_id": respondent_id,
                    "city": city,
                    "survey_id": survey.id,
                    "survey_version": survey.version,
                    "consent_version": PRIVACY_NOTICE_VERSION,
                    "lang": lang,
                    "status": "submitted",
                    "current_section": REVIEW,
                    "started_at": started,
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "is_demo": True,
                }
            )
            given = resident.answers(texts[lang])
            values, budget = summary_values(given)
            summaries.append(
                {
                    "response_id": response_id,
                    "city": city,
                    "submitted_at": submitted,
                    "is_demo": True,
                    **values,
                }
            )
            budgets.append(budget)
            for question_id, answer in given.items():
                for row in answer_rows(questions[question_id], answer):
                    if row["moderation"]:
                        row["moderation"] = rng.choices(
                            ["approved", "pending", "rejected"], [0.7, 0.2, 0.1]
                        )[0]
                    row["response_id"] = response_id
                    answers.append(row)
        session.execute(sa.insert(Respondent.__table__), respondents)
        session.execute(sa.insert(SurveyResponse.__table__), responses)
        for chunk in _chunks(answers, 50_000):
            session.execute(sa.insert(SurveyAnswer.__table__), list(chunk))
        session.execute(sa.insert(SurveySummary.__table__), summaries)
        ids = dict(
            session.execute(
                sa.select(SurveySummary.response_id, SurveySummary.id).where(
                    SurveySummary.response_id.in_([row["response_id"] for row in summaries])
                )
            ).all()
        )
        budget_rows = [
            {"summary_id": ids[row["response_id"]], "theme": theme, "points": points}
            for row, budget in zip(summaries, budgets, strict=True)
            for theme, points in budget.items()
        ]
        if budget_rows:
            session.execute(sa.insert(SurveySummaryBudget.__table__), budget_rows)
        made += count
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # After a bulk load the planner's statistics are stale until autovacuum catches up, and
        # the results queries then pick nested loops that take minutes instead of a second.
        for table in ("respondent", "survey_response", "survey_answer", "survey_summary"):
            session.execute(sa.text(f"ANALYZE {table}"))
    return made
