"""Reading and checking ``data/surveys/<survey>.toml``, and a city's survey with its themes and
districts filled in (:func:`load_survey`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from sparcs_engage.energy import District, EnergyDataError, load_districts
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys.definition import (
    _ID,
    CONDITION_OPS,
    MAX_TEXT_LENGTH,
    OPTION_SOURCES,
    PLACE_MARGIN_DEG,
    QUESTION_TYPES,
    REVIEW,
    SURVEY_ID,
    CityThemes,
    Condition,
    Question,
    Section,
    Survey,
    SurveyDataError,
)


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
