"""The average resident of each country (``data/footprint_averages.toml``): the answers the
calculator starts from, the published average they are checked against, and the start of the
national reduction path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sparcs_engage.footprint.answers import CATEGORIES, COUNTRIES, Answers
from sparcs_engage.settings import REPO_ROOT

AVERAGES_PATH: Path = REPO_ROOT / "data" / "footprint_averages.toml"
STATUSES = ("published", "derived", "estimate")


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure of an average: kg CO2e per person and year, its year, source and
    status, and, where this calculator's method differs, the explanation and the range the
    difference is expected in (a share of the published figure)."""

    kg: float
    year: int
    source: str
    status: str
    method_gap: str = ""
    gap_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class PublishedAverage:
    """A country's chosen published average: its total (``total_scope`` "lifestyle" leaves the
    public services out, "all" includes them) and one figure per category."""

    label: str
    total: PublishedFigure
    total_scope: str
    categories: dict[str, PublishedFigure]
    answer_sources: dict[str, str]
    path_start_year: int


def _figure(data: dict[str, Any], prefix: str = "") -> PublishedFigure:
    gap = data.get(f"{prefix}method_gap", "")
    low, high = data.get(f"{prefix}gap_min"), data.get(f"{prefix}gap_max")
    status = data[f"{prefix}status"]
    if status not in STATUSES:
        raise ValueError(f"{AVERAGES_PATH}: unknown status {status!r}")
    return PublishedFigure(
        kg=float(data[f"{prefix}kg"]),
        year=int(data[f"{prefix}year"]),
        source=str(data[f"{prefix}source"]),
        status=status,
        method_gap=gap,
        gap_range=(float(low), float(high)) if gap else None,
    )


@cache
def _data() -> dict[str, Any]:
    with AVERAGES_PATH.open("rb") as fh:
        return tomllib.load(fh)


def _country(country: str) -> dict[str, Any]:
    try:
        return _data()[country]
    except KeyError:
        raise ValueError(f"no average profile for country {country!r}") from None


@cache
def average_profile(country: str) -> Answers:
    """The answers of an average resident of ``country`` ("FI" or "DE")."""
    return Answers.model_validate(_country(country)["answers"])


@cache
def published_average(country: str) -> PublishedAverage:
    """The published average of ``country`` that the average profile is checked against."""
    data = _country(country)
    published = data["published"]
    return PublishedAverage(
        label=data["label"],
        total=_figure(
            {
                "kg": published["total_kg"],
                "year": published["total_year"],
                "source": published["total_source"],
                "status": published["total_status"],
                "method_gap": published.get("total_method_gap", ""),
                "gap_min": published.get("total_gap_min"),
                "gap_max": published.get("total_gap_max"),
            }
        ),
        total_scope=published["total_scope"],
        categories={c: _figure(published[c]) for c in CATEGORIES},
        answer_sources=dict(data.get("answer_sources", {})),
        path_start_year=int(data["path"]["start_year"]),
    )


def check_averages() -> list[str]:
    """Problems of the averages file (a test keeps this empty): every country has answers
    that validate and a published figure with a source for every category."""
    problems = []
    for country in COUNTRIES:
        try:
            average_profile(country)
            published_average(country)
        except Exception as exc:
            problems.append(f"{country}: {exc}")
    return problems
