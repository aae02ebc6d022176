"""Checking one answer against its question: the stored shape, or the Problem with it.

The messages are English msgids marked with ``N_``; the page translates them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sparcs_engage.energy import district_at
from sparcs_engage.i18n import N_
from sparcs_engage.surveys.definition import MAX_TEXT_LENGTH, Question, Survey
from sparcs_engage.surveys.structure import _city_bounds, _city_districts

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

# Control characters other than tab and newline, lone surrogates, and the bidirectional
# controls (embeddings, overrides, isolates, marks) that make "\u202egnp.exe" display as
# "exe.png": a resident's text shows as typed, never reordered by an invisible character.
_UNSTORABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused: an English msgid and the values of its placeholders."""

    msgid: str
    params: Mapping[str, int | str] = field(default_factory=dict)


def clean_text(raw: str) -> str:
    """Open text as typed, minus what cannot be stored (NUL, control characters, surrogates)
    or could disguise it (bidirectional controls)."""
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
