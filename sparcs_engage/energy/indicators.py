"""District indicators: ``indicators.csv`` in long form, one row per district, indicator and
data year, checked against the registry and the districts."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from sparcs_engage.energy.errors import (
    E_COLUMNS,
    E_DUPLICATE_ROW,
    E_FILE_EMPTY,
    E_FILE_ENCODING,
    E_FILE_MISSING,
    E_HEADER,
    E_SOURCE_MISSING,
    E_UNIT,
    E_UNKNOWN_DISTRICT,
    E_UNKNOWN_INDICATOR,
    E_VALUE,
    E_VALUE_RANGE,
    E_YEAR,
    E_YEAR_RANGE,
    EnergyDataError,
    _show,
)
from sparcs_engage.energy.registry import Indicator

CSV_COLUMNS: tuple[str, ...] = ("district", "indicator", "year", "value", "unit", "source", "note")
# Columns of the frame that load_indicators returns (the CSV columns plus two derived ones).
FRAME_COLUMNS: tuple[str, ...] = (*CSV_COLUMNS, "aggregation", "line")
POPULATION = "population"
DEMO_NOTE = "demo estimate"

YEAR_RANGE: tuple[int, int] = (1900, 2100)

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YEAR = re.compile(r"^[+-]?\d+$")


def load_indicators(
    path: Path, registry: dict[str, Indicator], district_ids: Collection[str]
) -> pd.DataFrame:
    """Read and check a city's indicators.csv; every bad row is an error naming its line."""
    path = Path(path)
    known_districts = set(district_ids)
    records: list[dict[str, Any]] = []
    first_line: dict[tuple[str, str, int], int] = {}
    end_of_previous = 0
    header_seen = False
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            for row in reader:
                line = end_of_previous + 1  # where the record starts (quoted fields may wrap)
                end_of_previous = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if not header_seen:
                    header_seen = True
                    if tuple(cell.strip() for cell in row) != CSV_COLUMNS:
                        raise EnergyDataError(
                            path, E_HEADER, line=line, field="header", detail=_show(",".join(row))
                        )
                    continue
                records.append(
                    _indicator_row(row, path, line, registry, known_districts, first_line)
                )
    except FileNotFoundError as exc:
        raise EnergyDataError(path, E_FILE_MISSING) from exc
    except UnicodeDecodeError as exc:
        raise EnergyDataError(path, E_FILE_ENCODING) from exc
    except csv.Error as exc:
        raise EnergyDataError(path, E_COLUMNS, line=end_of_previous + 1, detail=str(exc)) from exc
    if not header_seen:
        raise EnergyDataError(path, E_FILE_EMPTY)

    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
    frame = frame.astype({"year": "int64", "value": "float64", "line": "int64"})
    order = {ind_id: i for i, ind_id in enumerate(registry)}
    frame = frame.assign(_order=frame["indicator"].map(order))
    frame = frame.sort_values(["_order", "district", "year"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def _indicator_row(
    row: list[str],
    path: Path,
    line: int,
    registry: dict[str, Indicator],
    known_districts: set[str],
    first_line: dict[tuple[str, str, int], int],
) -> dict[str, Any]:
    """One checked CSV record as a dict of the frame's columns."""

    def fail(code: str, column: str, detail: str = "") -> EnergyDataError:
        return EnergyDataError(path, code, line=line, field=column, detail=detail)

    if len(row) != len(CSV_COLUMNS):
        raise fail(E_COLUMNS, "-", f"expected {len(CSV_COLUMNS)}, found {len(row)}")
    district, ind_id, year_text, value_text, unit, source, note = (c.strip() for c in row)
    if district not in known_districts:
        raise fail(E_UNKNOWN_DISTRICT, "district", _show(district))
    indicator = registry.get(ind_id)
    if indicator is None:
        raise fail(E_UNKNOWN_INDICATOR, "indicator", _show(ind_id))
    if not _YEAR.match(year_text):
        raise fail(E_YEAR, "year", _show(year_text))
    year = int(year_text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise fail(E_YEAR_RANGE, "year", f"{year} is not in {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")
    if not _NUMBER.match(value_text):
        raise fail(E_VALUE, "value", _show(value_text))
    value = float(value_text)
    if not math.isfinite(value):
        raise fail(E_VALUE, "value", _show(value_text))
    if (indicator.minimum is not None and value < indicator.minimum) or (
        indicator.maximum is not None and value > indicator.maximum
    ):
        raise fail(
            E_VALUE_RANGE,
            "value",
            f"{value_text} is not in {indicator.minimum}..{indicator.maximum}",
        )
    if unit != indicator.unit:
        raise fail(E_UNIT, "unit", f"expected {indicator.unit!r}, found {unit!r}")
    if not source:
        raise fail(E_SOURCE_MISSING, "source")
    key = (district, ind_id, year)
    if key in first_line:
        raise fail(E_DUPLICATE_ROW, "district,indicator,year", f"first on line {first_line[key]}")
    first_line[key] = line
    return {
        "district": district,
        "indicator": ind_id,
        "year": year,
        "value": value,
        "unit": unit,
        "source": source,
        "note": note,
        "aggregation": indicator.aggregation,
        "line": line,
    }


def missing_rows(
    df: pd.DataFrame,
    district_ids: Iterable[str],
    indicator_ids: Iterable[str],
    years: Iterable[int],
) -> list[tuple[str, str, int]]:
    """The (district, indicator, year) combinations that have no row; [] when complete."""
    present = set(zip(df["district"], df["indicator"], df["year"], strict=True))
    return [
        (d, i, y)
        for d in district_ids
        for i in indicator_ids
        for y in years
        if (d, i, y) not in present
    ]
