"""The indicator registry, ``data/indicators.toml``: every indicator's unit, direction, and
names and explanations in every language, defined once for all cities."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sparcs_engage.cities import all_languages
from sparcs_engage.energy.errors import (
    E_BAD_AGGREGATION,
    E_BAD_ID,
    E_DUPLICATE_ID,
    E_MISSING,
    E_VALUE_RANGE,
    E_WRONG_TYPE,
    EnergyDataError,
    _get,
    _read_toml,
    _show,
    _texts,
    in_language,
)

AGGREGATIONS: tuple[str, ...] = ("population_weighted", "sum")

_INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Indicator:
    """One indicator as defined in data/indicators.toml (shared by every city)."""

    id: str
    unit: str
    higher_is_better: bool
    names: dict[str, str]
    explanations: dict[str, str]
    unit_labels: dict[str, str] = field(default_factory=dict)
    babel_unit: str | None = None
    digits: int = 0
    aggregation: str = "population_weighted"
    neutral: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def name(self, lang: str) -> str:
        """The indicator's name in a language (in the file's first when none in that one)."""
        return in_language(self.names, lang)

    def explanation(self, lang: str) -> str:
        """The plain-language explanation in a language (the file's first when none)."""
        return in_language(self.explanations, lang)

    def unit_label(self, lang: str) -> str:
        """The unit as residents read it in a language; the registry unit when none is given."""
        return self.unit_labels.get(lang) or self.unit


def load_indicator_registry(
    path: Path, languages: Sequence[str] | None = None
) -> dict[str, Indicator]:
    """Read data/indicators.toml into {id: Indicator}, in file order, checking every field.
    Its texts are needed in ``languages``; by default in every language a city beside it
    (``cities/*/city.toml``) speaks, since every city shares the file."""
    path = Path(path)
    if languages is None:
        languages = all_languages(path.parent)
    data = _read_toml(path)
    entries = _get(data, "indicator", list, path, "indicator")
    registry: dict[str, Indicator] = {}
    for i, raw in enumerate(entries):
        name = f"indicator[{i}]"
        if not isinstance(raw, dict):
            raise EnergyDataError(path, E_WRONG_TYPE, field=name)
        ind_id = _get(raw, "id", str, path, f"{name}.id")
        if not _INDICATOR_ID.match(ind_id):
            raise EnergyDataError(path, E_BAD_ID, field=f"{name}.id", detail=_show(ind_id))
        if ind_id in registry:
            raise EnergyDataError(path, E_DUPLICATE_ID, field=f"{name}.id", detail=ind_id)
        unit = _get(raw, "unit", str, path, f"{name}.unit").strip()
        if not unit:
            raise EnergyDataError(path, E_MISSING, field=f"{name}.unit")
        aggregation = _get(
            raw,
            "aggregation",
            str,
            path,
            f"{name}.aggregation",
            required=False,
            default="population_weighted",
        )
        if aggregation not in AGGREGATIONS:
            raise EnergyDataError(
                path, E_BAD_AGGREGATION, field=f"{name}.aggregation", detail=_show(aggregation)
            )
        digits = _get(raw, "digits", int, path, f"{name}.digits", required=False, default=0)
        if not 0 <= digits <= 4:
            raise EnergyDataError(path, E_VALUE_RANGE, field=f"{name}.digits", detail=str(digits))
        minimum = _get(raw, "minimum", (int, float), path, f"{name}.minimum", required=False)
        maximum = _get(raw, "maximum", (int, float), path, f"{name}.maximum", required=False)
        babel_unit = _get(raw, "babel_unit", str, path, f"{name}.babel_unit", required=False)
        registry[ind_id] = Indicator(
            id=ind_id,
            unit=unit,
            higher_is_better=_get(raw, "higher_is_better", bool, path, f"{name}.higher_is_better"),
            names=_texts(raw, "name", path, f"{name}.name", languages=languages),
            explanations=_texts(
                raw, "explanation", path, f"{name}.explanation", languages=languages
            ),
            unit_labels=_texts(
                raw, "unit_label", path, f"{name}.unit_label", languages=languages, required=False
            ),
            babel_unit=babel_unit or None,
            digits=digits,
            aggregation=aggregation,
            neutral=_get(
                raw, "neutral", bool, path, f"{name}.neutral", required=False, default=False
            ),
            minimum=None if minimum is None else float(minimum),
            maximum=None if maximum is None else float(maximum),
        )
    if not registry:
        raise EnergyDataError(path, E_MISSING, field="indicator")
    return registry
