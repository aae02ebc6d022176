"""The City Vision 2050 survey: its definition, answer validation, drafts, submission, results.

Plain Python (no Streamlit): the /vision and /results pages, the CLI and the tests share it.

The survey is data. ``data/surveys/<survey>.toml`` holds the language-neutral structure
(sections, question ids, types, option ids, limits, conditions and each city's themes);
``content/<lang>/survey/<survey>.toml`` holds the texts under the same ids. Answers are stored
with those ids, never with translated labels, one row per answered item (``survey_answer``).

One module per responsibility, every public name re-exported here:

- ``definition``: sections, questions, conditions, themes (the dataclasses and limits);
- ``structure``: reading and checking the structure file; :func:`load_survey` for a city;
- ``texts``: the texts per language (:func:`survey_texts`);
- ``validation``: one answer against its question (:func:`validate_answer`, the ``E_*`` msgids);
- ``storage``: answers <-> ``survey_answer`` rows, and the ``survey_summary`` row the KPIs read;
- ``responses``: the resident's use cases :func:`start`, :func:`save_step`, :func:`resume`,
  :func:`submit` and :func:`delete_response`, with the call-level codes and ``MESSAGES``;
- ``moderation``: :func:`list_pending` and :func:`moderate` for open answers;
- ``tallies``: :func:`results`, with groups under ``MIN_GROUP`` suppressed;
- ``demo``: :func:`demo_responses`, called by ``sparcs_engage.demo``.

Use cases are keyword-only functions that take a Session. They flush but never commit: the page
wraps each call in ``db.session_scope`` so that one step is one transaction.

Messages for residents are English msgids marked with ``N_`` (placeholders such as ``{max}``
come in a separate ``params`` mapping); the page translates them with the visitor's translator.
"""

from sparcs_engage.surveys.definition import (
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
from sparcs_engage.surveys.demo import (
    DEMO_ANSWER_RATE,
    DEMO_CITY_LEANINGS,
    DEMO_LEANINGS,
    demo_responses,
    demo_survey,
)
from sparcs_engage.surveys.moderation import PendingAnswer, list_pending, moderate
from sparcs_engage.surveys.responses import (
    ALREADY_SUBMITTED,
    CONSENT_REQUIRED,
    INCOMPLETE,
    INVALID,
    MESSAGES,
    NOT_FOUND,
    RATE_LIMIT_WINDOW_S,
    RATE_LIMITED,
    UNKNOWN_CITY,
    UNKNOWN_SECTION,
    Draft,
    Started,
    StepResult,
    delete_response,
    draft_limit,
    load_draft,
    resume,
    save_step,
    start,
    submission_limit,
    submit,
)
from sparcs_engage.surveys.storage import (
    ANSWER_COLUMNS,
    answer_rows,
    summary_values,
    visible_answers,
)
from sparcs_engage.surveys.structure import load_structure, load_survey, parse_structure
from sparcs_engage.surveys.tallies import MIN_GROUP, QuestionResult, SurveyResults, results
from sparcs_engage.surveys.texts import (
    HINT_KEYS,
    SurveyTexts,
    is_optional_text_key,
    required_text_keys,
    survey_texts,
)
from sparcs_engage.surveys.validation import (
    E_BUDGET_SUM,
    E_EXCLUSIVE,
    E_INVALID,
    E_MATRIX_ROWS,
    E_PLACE,
    E_PLACE_OUTSIDE,
    E_POINTS,
    E_RANK_DUPLICATE,
    E_REQUIRED,
    E_SCALE,
    E_TEXT_TOO_LONG,
    E_TOO_FEW,
    E_TOO_MANY,
    E_UNKNOWN_OPTION,
    Problem,
    clean_text,
    validate_answer,
)

__all__ = [
    "ALREADY_SUBMITTED",
    "ANSWER_COLUMNS",
    "CONDITION_OPS",
    "CONSENT_REQUIRED",
    "DEMO_ANSWER_RATE",
    "DEMO_CITY_LEANINGS",
    "DEMO_LEANINGS",
    "E_BUDGET_SUM",
    "E_EXCLUSIVE",
    "E_INVALID",
    "E_MATRIX_ROWS",
    "E_PLACE",
    "E_PLACE_OUTSIDE",
    "E_POINTS",
    "E_RANK_DUPLICATE",
    "E_REQUIRED",
    "E_SCALE",
    "E_TEXT_TOO_LONG",
    "E_TOO_FEW",
    "E_TOO_MANY",
    "E_UNKNOWN_OPTION",
    "HINT_KEYS",
    "INCOMPLETE",
    "INVALID",
    "MAX_TEXT_LENGTH",
    "MESSAGES",
    "MIN_GROUP",
    "NOT_FOUND",
    "OPTION_SOURCES",
    "PLACE_MARGIN_DEG",
    "QUESTION_TYPES",
    "RATE_LIMITED",
    "RATE_LIMIT_WINDOW_S",
    "REVIEW",
    "SURVEY_ID",
    "UNKNOWN_CITY",
    "UNKNOWN_SECTION",
    "CityThemes",
    "Condition",
    "Draft",
    "PendingAnswer",
    "Problem",
    "Question",
    "QuestionResult",
    "Section",
    "Started",
    "StepResult",
    "Survey",
    "SurveyDataError",
    "SurveyResults",
    "SurveyTexts",
    "answer_rows",
    "clean_text",
    "delete_response",
    "demo_responses",
    "demo_survey",
    "draft_limit",
    "is_optional_text_key",
    "list_pending",
    "load_draft",
    "load_structure",
    "load_survey",
    "moderate",
    "parse_structure",
    "required_text_keys",
    "results",
    "resume",
    "save_step",
    "start",
    "submission_limit",
    "submit",
    "summary_values",
    "survey_texts",
    "validate_answer",
    "visible_answers",
]
