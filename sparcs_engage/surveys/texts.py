"""The survey's texts per language, from ``content/<lang>/survey/<survey>.toml``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sparcs_engage.i18n import CONTENT_DIR, SOURCE_LANGUAGE, normalize_language, translator
from sparcs_engage.surveys.definition import _ID, SURVEY_ID, Question, Survey, SurveyDataError

_OPTIONAL_TEXT = re.compile(r"^questions\.[a-z0-9_]+\.help$")
HINT_KEYS: dict[str, str] = {
    "multiple": "hints.multiple",
    "ranking": "hints.ranking",
    "budget": "hints.budget",
    "text": "hints.text",
}


def required_text_keys(definition: Survey, cities: Iterable[str] | None = None) -> set[str]:
    """Every text key a language must have for this structure: the themes of ``cities`` (the
    cities that speak it; all when None) and everything else of the survey."""
    keys = {"title", "intro", "consent", "thanks", *HINT_KEYS.values()}
    for scale_id, (low, high) in definition.scales.items():
        keys |= {f"scales.{scale_id}.{n}" for n in range(low, high + 1)}
    for city, themes in definition.city_themes.items():
        if cities is not None and city not in cities:
            continue
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


def is_optional_text_key(key: str, definition: Survey | None = None) -> bool:
    """Keys a language may have beyond the required ones: a question's help, and (given the
    structure) the themes of a city that does not speak the language."""
    if _OPTIONAL_TEXT.match(key):
        return True
    return definition is not None and key in required_text_keys(definition)


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
            source = survey_texts(SOURCE_LANGUAGE)
            text = source.texts.get(key, key) if self.lang != SOURCE_LANGUAGE else key
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
    """The survey's texts in a language (unknown languages get the source language)."""
    lang = normalize_language(lang) or SOURCE_LANGUAGE
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
