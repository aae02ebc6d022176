"""The survey's definition: sections, questions, their conditions and a city's themes.

Language-neutral ids only; the texts are in :mod:`.texts`, the file is read by
:mod:`.structure`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SURVEY_ID = "city_vision_2050"

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

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")


class SurveyDataError(ValueError):
    """A survey file that cannot be used, naming the file, the field and the problem."""

    def __init__(self, path: Path | str, field_name: str, problem: str) -> None:
        self.path = Path(path)
        self.field = field_name
        self.problem = problem
        super().__init__(f"{path}: {field_name}: {problem}")


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
        """(step, steps): this section's place among all of the survey's parts, for "Part 2 of
        6". The total never changes while a resident answers (counting only the parts visible
        so far made "Part 1 of 5" jump to "Part 2 of 6"); a part that does not concern them is
        skipped, so the number may jump ahead instead."""
        ids = [s.id for s in self.sections]
        if section_id == REVIEW or section_id not in ids:
            return len(ids), len(ids)
        return ids.index(section_id) + 1, len(ids)

    def district_name(self, district_id: str, lang: str) -> str:
        names = self.districts.get(district_id, {})
        return names.get(lang) or next(iter(names.values()), district_id)
