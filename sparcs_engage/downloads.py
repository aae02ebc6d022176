"""Files for signed-in staff, made when the download is clicked.

A page hands out a signed ticket (staff_sessions.make_ticket) naming one of the kinds below and
its parameters; the server's download route (ui/routes.py) checks the ticket against the
browser's session cookie, writes the file to a temporary file in constant memory, audits it and
streams it. Nothing is kept in the app's memory, and a link dies with the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from sqlmodel import Session

from sparcs_engage import answer_export, kpis
from sparcs_engage.exports import csv_rows_to
from sparcs_engage.i18n import LANGUAGES, SOURCE_LANGUAGE


@dataclass(frozen=True)
class Made:
    """A file written: its name, media type and the line for the audit log."""

    file_name: str
    media_type: str
    audit_detail: str


@dataclass(frozen=True)
class Kind:
    roles: tuple[str, ...]
    make: Callable[[Session, dict, IO[bytes]], Made]


def filter_params(flt: kpis.KpiFilter) -> dict:
    """A KPI filter as a ticket's plain parameters."""
    return {
        "city": flt.city,
        "district": flt.district,
        "start": flt.start.isoformat() if flt.start else None,
        "end": flt.end.isoformat() if flt.end else None,
        "channels": list(flt.channels),
    }


def filter_from(params: dict) -> kpis.KpiFilter:
    def day(value: object) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else None

    return kpis.KpiFilter(
        str(params["city"]),
        params.get("district") or None,
        day(params.get("start")),
        day(params.get("end")),
        tuple(params.get("channels") or kpis.CHANNELS),
    )


def _answers(session: Session, params: dict, out: IO[bytes]) -> Made:
    flt = filter_from(params)
    fmt, shape = str(params["fmt"]), str(params["shape"])
    result = answer_export.export_answers(session, flt, fmt=fmt, shape=shape, out=out)
    return Made(
        answer_export.file_name(flt.city, fmt, shape),
        answer_export.MEDIA_TYPES[fmt],
        f"{fmt} {shape}, {kpis.filter_text(flt)}: "
        f"{result.respondents} respondent(s), {result.rows} row(s)",
    )


def kpi_table_rows(report: kpis.KpiReport, lang: str) -> list[list]:
    """The KPI table as the staff page's download has it: id, name, unit, value, people, status."""
    texts = kpis.kpi_texts(lang)
    return [
        [
            v.id,
            texts[v.id]["name"],
            kpis.KPIS[v.id].unit,
            "" if v.value is None else round(v.value, 4),
            "" if v.n is None else v.n,
            v.status,
        ]
        for v in report.values
    ]


KPI_TABLE_HEADER = ["kpi", "name", "unit", "value", "people", "status"]


def _kpi_table(session: Session, params: dict, out: IO[bytes]) -> Made:
    flt = filter_from(params)
    lang = params.get("lang") if params.get("lang") in LANGUAGES else SOURCE_LANGUAGE
    report = kpis.compute(session, flt)
    csv_rows_to(out, KPI_TABLE_HEADER, kpi_table_rows(report, lang))
    return Made(
        f"sparcs-{flt.city}-kpis-{date.today().isoformat()}.csv",
        "text/csv",
        f"kpi table (csv), {kpis.filter_text(flt)}",
    )


KINDS: dict[str, Kind] = {
    "answers": Kind(("staff",), _answers),
    "kpis": Kind(("staff",), _kpi_table),
}
