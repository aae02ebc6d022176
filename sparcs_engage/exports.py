"""Files residents and staff download: CSV that spreadsheets open safely and correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import IO

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_sql(column: str, dialect: str) -> str:
    """``neutralise`` as an SQL expression, for exports the database formats while streaming."""
    char = "char" if dialect == "sqlite" else "chr"
    starts = ", ".join(f"{char}({ord(c)})" if c in "\t\r" else f"'{c}'" for c in FORMULA_START)
    return f"CASE WHEN substr({column}, 1, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


def csv_rows_to(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8 with a byte-order mark, so Excel shows ä, ö and ü; formulas neutralised."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    text.flush()
    text.detach()  # leave ``out`` open for the caller


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """``csv_rows_to`` into bytes, for small tables."""
    buffer = io.BytesIO()
    csv_rows_to(buffer, header, rows)
    return buffer.getvalue()
