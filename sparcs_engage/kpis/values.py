"""A KPI's value and breakdown rows, and their protection: every figure and row resting on
fewer than ``MIN_GROUP`` people is suppressed, with secondary suppression where a hidden row
could be found by subtraction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_GROUP = 5

# Statuses of a figure.
OK = "ok"
SUPPRESSED = "suppressed"  # fewer than MIN_GROUP people behind it
NO_DATA = "no_data"  # nobody in the filter
NOT_APPLICABLE = "not_applicable"  # the KPI cannot be cut this way (e.g. by district)
SMALL_GROUP = "small_group"  # one of its groups has 1-4 people, which the figure could reveal


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a key (district, measure, theme, band, rating), its value and
    the number of people behind it. A suppressed row has neither (``value`` and ``n`` None), so
    no output can show the size of a small group. ``reference`` is what the value is compared
    with (a population share), when there is one."""

    key: str
    value: float | None
    n: int | None
    reference: float | None = None
    suppressed: bool = False


def _small(n: int | None) -> bool:
    return n is not None and 0 < n < MIN_GROUP


def _hidden(row: Row) -> Row:
    return Row(row.key, None, None, row.reference, suppressed=True)


def protect(rows: Iterable[Row]) -> tuple[Row, ...]:
    """Primary and secondary suppression of a breakdown whose counts add up to a shown total:
    rows of 1-4 people are hidden, and when that hides exactly one row, the smallest other row
    with people is hidden too, so the hidden one cannot be found by subtraction."""
    rows = [_hidden(r) if _small(r.n) else r for r in rows]
    hidden = [r for r in rows if r.suppressed]
    if len(hidden) == 1:
        shown = [r for r in rows if not r.suppressed and r.n]
        if shown:
            smallest = min(shown, key=lambda r: r.n)
            rows = [_hidden(r) if r is smallest else r for r in rows]
    return tuple(rows)


def _series(counts: Iterable[tuple[str, int, float]]) -> tuple[tuple[str, float | None], ...]:
    """A monthly series of (month, people, value) whose values add up to a shown total:
    protected like a breakdown (see ``protect``)."""
    rows = protect(Row(month, value, n) for month, n, value in counts)
    return tuple((row.key, row.value) for row in rows)


@dataclass(frozen=True)
class KpiValue:
    """A KPI for one filter: its value, the people behind it (None when suppressed), a monthly
    trend, the change between the last two complete months, and a breakdown."""

    id: str
    value: float | None
    n: int | None
    status: str
    trend: tuple[tuple[str, float | None], ...] = ()
    breakdown: tuple[Row, ...] = ()
    top: str | None = None  # the breakdown key the headline value belongs to, if any
    delta: float | None = None


def _delta(trend: Sequence[tuple[str, float | None]], current_month: str) -> float | None:
    """The change from the month before to the last complete month; None unless both have a
    figure and follow each other (the current month is not over yet)."""
    done = [(m, v) for m, v in trend if m < current_month]
    if len(done) < 2 or done[-1][1] is None or done[-2][1] is None:
        return None
    (year, month), (last_year, last_month) = (
        (int(done[-2][0][:4]), int(done[-2][0][5:7])),
        (int(done[-1][0][:4]), int(done[-1][0][5:7])),
    )
    if (last_year * 12 + last_month) - (year * 12 + month) != 1:
        return None
    return done[-1][1] - done[-2][1]
