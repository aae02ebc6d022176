# Over 500 lines because it is one streamed pipeline (read, reshape, write), read top to bottom.
"""Export of the City Vision 2050 answers for staff: CSV, XLSX, JSON (with a data dictionary)
and GeoJSON (the map answers), in a tidy long shape (one row per answered item) or a wide one
(one row per respondent).

Everything is streamed: rows come from a server-side cursor in batches and go straight to the
file, so a million answers never sit in memory. Only submitted responses are exported. Exports
hold a pseudonymous respondent id (a random UUID that is not the resident's code) and no IP
address or account name. Text a spreadsheet would run as a formula is never run: CSV puts an
apostrophe before it (CSV has no other way), XLSX keeps it exactly as written with Excel's
hidden quote prefix, JSON keeps it exactly (nothing runs JSON as formulas). Open answers a
moderator rejected are left out (their row stays, the text is empty).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlmodel import Session

from sparcs_engage import xlsx
from sparcs_engage.cities import load_cities
from sparcs_engage.exports import FORMULA_START, neutralise, neutralise_sql
from sparcs_engage.i18n import N_, SOURCE_LANGUAGE, MessageError
from sparcs_engage.kpis import (
    MIN_GROUP,
    KpiFilter,
    KpiFilterError,
    city_or_error,
    district_population,
    period_bounds,
)
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys import Question, Survey, load_survey, survey_texts
from sparcs_engage.xlsx import QUOTED

# csv: for analysis (comma, decimal point); csv_local: for a spreadsheet in the staff member's
# language (semicolon, decimal comma, as Finnish, Swedish, German and Portuguese Excel expect).
FORMATS: tuple[str, ...] = ("csv", "csv_local", "xlsx", "json", "geojson")
SHAPES: tuple[str, ...] = ("long", "wide")
MEDIA_TYPES = {
    "csv": "text/csv",
    "csv_local": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
}
BATCH = 20_000
# Rows of the wide shape written at once: a wide row is some 3 kB of XML or JSON.
WIDE_BATCH = 2_000

LONG_COLUMNS: tuple[str, ...] = (
    "respondent",
    "city",
    "lang",
    "submitted_at_utc",
    "consent_version",
    "survey_version",
    "is_demo",
    "question",
    "option",
    "value",
    "text",
    "lat",
    "lon",
    "moderation",
)
RESPONSE_COLUMNS = LONG_COLUMNS[:7]
TEXT_INDEX = LONG_COLUMNS.index("text")
MODERATION_INDEX = LONG_COLUMNS.index("moderation")

COLUMN_TEXTS: dict[str, str] = {
    "respondent": "Pseudonymous respondent id (random; not the resident's code).",
    "city": "City id.",
    "lang": "Language the survey was answered in (a code such as fi, sv, de or en).",
    "submitted_at_utc": "When the survey was sent, UTC, YYYY-MM-DD HH:MM:SS.",
    "consent_version": "Version of the privacy notice the resident agreed to.",
    "survey_version": "Version of the survey structure.",
    "is_demo": "1 for demo data made by `sparcs-engage demo-data`, 0 for real answers.",
    "question": "Question id (see questions).",
    "option": "Chosen option id; the ranked, budgeted or rated item; a map answer's district.",
    "value": "Scale value (1-5), rank position (1 = first), budget points; empty for choices.",
    "text": "Open answer exactly as typed (empty when a moderator rejected it).",
    "lat": "Latitude of a map answer (WGS 84).",
    "lon": "Longitude of a map answer (WGS 84).",
    "moderation": "pending, approved or rejected, for open answers.",
}


class ExportError(MessageError):
    """An export that cannot be made; ``message`` is a msgid, ``params`` its values."""


@dataclass(frozen=True)
class ExportResult:
    rows: int
    respondents: int


def file_name(city: str, fmt: str, shape: str, today: date | None = None) -> str:
    today = today or datetime.now(UTC).date()
    suffix = "" if fmt == "geojson" else f"-{shape}"
    if fmt == "csv_local":
        return f"sparcs-{city}-city-vision-2050{suffix}-excel-{today.isoformat()}.csv"
    return f"sparcs-{city}-city-vision-2050{suffix}-{today.isoformat()}.{fmt}"


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _where(flt: KpiFilter) -> tuple[str, dict[str, Any]]:
    city = city_or_error(flt.city)
    clauses = ["r.city = :city", "r.status = 'submitted'"]
    params: dict[str, Any] = {"city": flt.city}
    start, end = period_bounds(flt, city)
    if start:
        clauses.append("r.submitted_at >= :start")
        params["start"] = start
    if end:
        clauses.append("r.submitted_at < :end")
        params["end"] = end
    if flt.district and flt.district not in district_population(city):
        raise KpiFilterError(N_("Unknown district {district}."), district=flt.district)
    if flt.district:
        clauses.append(
            "EXISTS (SELECT 1 FROM survey_summary s WHERE s.response_id = r.id "
            "AND s.district = :district)"
        )
        params["district"] = flt.district
    return " AND ".join(clauses), params


def _bind(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Datetimes as the stored text on SQLite (the raw driver compares strings)."""
    if session.get_bind().dialect.name != "sqlite":
        return params
    return {
        k: v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v
        for k, v in params.items()
    }


def count_respondents(session: Session, flt: KpiFilter) -> int:
    where, params = _where(flt)
    sql = f"SELECT count(*) FROM survey_response r WHERE {where}"
    return int(
        session.connection().exec_driver_sql(_driver(session, sql), _bind(session, params)).scalar()
    )


def _driver(session: Session, sql: str) -> str:
    """Named parameters in the driver's own style (sqlite3: :name, psycopg: %(name)s)."""
    if session.get_bind().dialect.name == "postgresql":
        return re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", sql)
    return sql


def _text_from(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return int(value)
    return value


def _quoted(expression: str, dialect: str) -> str:
    """A CSV text field written by the database (RFC 4180: double quotes, inner ones doubled);
    NULL stays NULL (an empty field)."""
    if dialect == "sqlite":
        # printf's %w doubles double quotes, in C: far cheaper than replace() and ||.
        return f"CASE WHEN ({expression}) IS NULL THEN NULL ELSE printf('\"%w\"', {expression}) END"
    return f"'\"' || replace({expression}, '\"', '\"\"') || '\"'"


# The long columns that hold numbers; the others hold text.
NUMBER_COLUMNS = frozenset({"is_demo", "value", "lat", "lon"})
# Text columns that may hold what a resident typed or a city's data names (an option or a
# district id): escaped for XML and checked for formulas. The rest are ids, versions and times
# that the code itself writes (city ids match [a-z][a-z0-9-], survey ids [a-z0-9_]).
FREE_TEXT_COLUMNS = frozenset({"option", "text"})


def _csv_line(expressions: list[str], dialect: str) -> str:
    """One finished CSV line per row: the option and the open text quoted, NULL as nothing."""
    fields = [
        _quoted(e, dialect) if name in ("option", "text") else e
        for e, name in zip(expressions, LONG_COLUMNS, strict=True)
    ]
    if dialect == "sqlite":
        # printf writes NULL as nothing and numbers as SQLite prints them.
        return f"printf('{','.join(['%s'] * len(fields))}', {', '.join(fields)})"
    parts = []
    for field in fields:
        if parts:
            parts.append("','")
        parts.append(f"CAST({field} AS TEXT)")
    return f"concat({', '.join(parts)})"  # concat() writes NULL as nothing


def _json_object(expressions: list[str], dialect: str) -> str:
    """One finished JSON object per row (keys in LONG_COLUMNS order, NULL as null)."""
    pairs = ", ".join(f"'{name}', {e}" for name, e in zip(LONG_COLUMNS, expressions, strict=True))
    if dialect == "sqlite":
        return f"json_object({pairs})"
    return f"CAST(json_build_object({pairs}) AS TEXT)"


def _xml_escaped(expression: str) -> str:
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expression = f"replace({expression}, '{char}', '{entity}')"
    return expression


def _formula_like(expression: str, dialect: str) -> str:
    char = "char" if dialect == "sqlite" else "chr"
    starts = ", ".join(f"{char}({ord(c)})" if c in "\t\r" else f"'{c}'" for c in FORMULA_START)
    return f"substr({expression}, 1, 1) IN ({starts})"


def _xlsx_row(expressions: list[str], dialect: str) -> str:
    """One finished row of sheet XML per row (see xlsx.py): text inline, numbers as numbers,
    NULL as an empty cell; formula-like text gets the style with Excel's hidden quote prefix,
    and is kept exactly as written."""
    formats, args = [], []
    text_cell = '<c t="inlineStr"><is><t>%s</t></is></c>'
    for name, e in zip(LONG_COLUMNS, expressions, strict=True):
        if name in NUMBER_COLUMNS:
            formats.append("%s")
            args.append(f"CASE WHEN {e} IS NULL THEN '<c/>' ELSE '<c><v>' || {e} || '</v></c>' END")
        elif name in FREE_TEXT_COLUMNS:
            formats.append("%s")
            args.append(
                f"CASE WHEN {e} IS NULL THEN '<c/>' ELSE '<c t=\"inlineStr\"' || "
                f"CASE WHEN {_formula_like(e, dialect)} THEN ' s=\"{QUOTED}\"' ELSE '' END || "
                f"'><is><t xml:space=\"preserve\">' || {_xml_escaped(e)} || '</t></is></c>' END"
            )
        elif name == "moderation":  # pending, approved or rejected; empty for a choice
            formats.append("%s")
            cell = text_cell.replace("%s", f"' || {e} || '")
            args.append(f"CASE WHEN {e} IS NULL THEN '<c/>' ELSE '{cell}' END")
        else:
            formats.append(text_cell)
            args.append(e)
    if dialect == "sqlite":
        return f"printf('<row>{''.join(formats)}</row>', {', '.join(args)})"
    parts = ["'<row>'"]
    for fmt, arg in zip(formats, args, strict=True):
        before, after = fmt.split("%s")
        if before:
            parts.append(f"'{before}'")
        parts.append(f"CAST({arg} AS TEXT)")
        if after:
            parts.append(f"'{after}'")
    parts.append("'</row>'")
    return f"concat({', '.join(parts)})"


ROW_FORMATS = {"csv": _csv_line, "json": _json_object, "xlsx": _xlsx_row}


def _select(dialect: str, where: str, *, neutral: bool, lines: str | None = None) -> str:
    """The long rows, formatted by the database itself so they stream without Python work:
    ids as 32 hex digits, times as UTC text, flags as 0/1, rejected texts empty and, when
    ``neutral``, formula-like texts neutralised.

    With ``lines`` ("csv", "json" or "xlsx") each row comes as one finished CSV line, JSON
    object or row of sheet XML, so Python only joins them and the export keeps up with the
    sqlite3 tool. Only the option and the open text can hold a comma, a quote or markup and
    are quoted or escaped; every other column is an id, a number or a time that the code
    itself writes (city ids match ``[a-z][a-z0-9-]``, survey ids ``[a-z0-9_]``, versions and
    languages are the code's own).
    """
    if dialect == "postgresql":
        respondent = "replace(CAST(r.respondent_id AS TEXT), '-', '')"
        submitted = "to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        demo = "CAST(r.is_demo AS INTEGER)"
    else:
        respondent, submitted, demo = (
            "r.respondent_id",
            "substr(r.submitted_at, 1, 19)",
            "r.is_demo",
        )
    text = neutralise_sql("a.text", dialect) if neutral else "a.text"
    text = f"CASE WHEN a.moderation = 'rejected' THEN NULL ELSE {text} END"
    expressions = [
        respondent,
        "r.city",
        "r.lang",
        submitted,
        "r.consent_version",
        "r.survey_version",
        demo,
        "a.question_id",
        "a.item",
        "a.value",
        text,
        "a.lat",
        "a.lon",
        "a.moderation",
    ]
    columns = ROW_FORMATS[lines](expressions, dialect) if lines else ", ".join(expressions)
    return (
        f"SELECT {columns} "
        f"FROM survey_response r JOIN survey_answer a ON a.response_id = r.id WHERE {where} "
        "ORDER BY r.submitted_at, r.id, a.id"
    )


def long_batches(
    session: Session, flt: KpiFilter, *, neutral: bool = False, lines: str | None = None
) -> Iterator[list]:
    """Every answer row of the filter in LONG_COLUMNS order, as batches of tuples straight from
    a server-side cursor (rows of one respondent are together, oldest submission first)."""
    where, params = _where(flt)
    dialect = session.get_bind().dialect.name
    sql = _driver(session, _select(dialect, where, neutral=neutral, lines=lines))
    raw = session.connection().connection.dbapi_connection
    cursor = raw.cursor(name="sparcs_export") if dialect == "postgresql" else raw.cursor()
    try:
        if dialect == "postgresql":
            cursor.itersize = BATCH
        cursor.execute(sql, _bind(session, params))
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        cursor.close()


def long_rows(session: Session, flt: KpiFilter, *, neutral: bool = False) -> Iterator[tuple]:
    for batch in long_batches(session, flt, neutral=neutral):
        yield from batch


def _by_respondent(rows: Iterator[Sequence]) -> Iterator[tuple[list, list[Sequence]]]:
    current: list | None = None
    answers: list[Sequence] = []
    for row in rows:
        if current is None or row[0] != current[0]:
            if current is not None:
                yield current, answers
            current, answers = list(row[:7]), []
        answers.append(row)
    if current is not None:
        yield current, answers


# --------------------------------------------------------------------------------------------
# The wide shape and the dictionary
# --------------------------------------------------------------------------------------------


def _wide_columns(q: Question) -> list[tuple[str, str | None, str]]:
    """(column, option, what) for one question."""
    if q.type == "single" or q.type == "likert":
        return [(q.id, None, "value" if q.type == "likert" else "option")]
    if q.type == "multiple":
        return [(f"{q.id}.{o}", o, "chosen") for o in q.options]
    if q.type in ("matrix", "ranking", "budget"):
        items = q.items if q.type == "matrix" else q.options
        return [(f"{q.id}.{i}", i, "value") for i in items]
    if q.type == "place":
        return [
            (f"{q.id}.lat", None, "lat"),
            (f"{q.id}.lon", None, "lon"),
            (f"{q.id}.district", None, "option"),
        ]
    return [(q.id, None, "text")]


def wide_columns(survey: Survey) -> list[str]:
    return [*RESPONSE_COLUMNS, *(c for q in survey.questions for c, _o, _w in _wide_columns(q))]


def _wide_row(survey: Survey, head: list, answers: list[list]) -> list:
    by_question: dict[str, list[list]] = {}
    for row in answers:
        by_question.setdefault(row[7], []).append(row)
    out = list(head)
    for q in survey.questions:
        got = by_question.get(q.id, [])
        for _column, option, what in _wide_columns(q):
            if not got:
                out.append(None)
            elif what == "option":
                out.append(got[0][8])
            elif what == "chosen":
                out.append(int(any(r[8] == option for r in got)))
            elif what == "value" and option is None:
                out.append(got[0][9])
            elif what == "value":
                match = [r[9] for r in got if r[8] == option]
                # A budget stores themes with points only: answered means 0 for the others.
                out.append(match[0] if match else (0 if q.type == "budget" else None))
            elif what in ("lat", "lon"):
                out.append(got[0][11 if what == "lat" else 12])
            else:
                out.append(got[0][TEXT_INDEX])
    return out


def wide_rows(
    session: Session, flt: KpiFilter, survey: Survey, *, neutral: bool = False
) -> Iterator[list]:
    for head, answers in _by_respondent(long_rows(session, flt, neutral=neutral)):
        yield _wide_row(survey, head, answers)


def _city_languages(city: str | None) -> tuple[str, ...]:
    registry = load_cities(load_settings().data_dir)
    return registry[city].languages if city in registry else (SOURCE_LANGUAGE,)


def dictionary(
    survey: Survey, shape: str, languages: Sequence[str] | None = None
) -> dict[str, Any]:
    """What every column and id means, with the question and option texts in ``languages``
    (default: the languages of the survey's city)."""
    languages = tuple(languages or _city_languages(survey.city))
    texts = {lang: survey_texts(lang) for lang in languages}
    questions = []
    for q in survey.questions:
        entry: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "section": q.section,
            "text": {lang: texts[lang].question(q.id) for lang in languages},
        }
        options = q.items if q.type == "matrix" else q.options
        if options:
            entry["options"] = [
                {"id": o, "text": {lang: texts[lang].option(survey, q, o) for lang in languages}}
                for o in options
            ]
        if q.scale_range:
            entry["scale"] = list(q.scale_range)
        questions.append(entry)
    if shape == "long":
        columns = [{"name": c, "meaning": COLUMN_TEXTS[c]} for c in LONG_COLUMNS]
    else:
        columns = [{"name": c, "meaning": COLUMN_TEXTS[c]} for c in RESPONSE_COLUMNS]
        for q in survey.questions:
            for column, _option, what in _wide_columns(q):
                columns.append({"name": column, "question": q.id, "holds": what})
    return {
        "survey": survey.id,
        "survey_version": survey.version,
        "city": survey.city,
        "shape": shape,
        "languages": list(languages),
        "columns": columns,
        "questions": questions,
        "notes": [
            "Only submitted responses are exported.",
            "In the wide shape a multiple-choice option is 1 when chosen and 0 when not; "
            "a ranking holds each item's position; a budget each theme's points (0: none).",
            "Text that a spreadsheet would run as a formula starts with an apostrophe.",
        ],
    }


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


def _write_csv_batches(out: IO[bytes], header: Sequence[str], batches: Iterator[list]) -> int:
    """CSV in UTF-8 with a byte-order mark (Excel then shows ä, ö, ü), CRLF line ends."""
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for batch in batches:
        writer.writerows(batch)
        count += len(batch)
    stream.flush()
    stream.detach()
    return count


def _decimal_comma(value: object) -> object:
    """A float with a decimal comma, as a spreadsheet in fi, sv, de or pt reads numbers."""
    return str(value).replace(".", ",") if isinstance(value, float) else value


def _local_row(row: Sequence) -> list:
    return [_decimal_comma(neutralise(v)) for v in row]


def _write_csv_local(out: IO[bytes], header: Sequence[str], rows: Iterator[Sequence]) -> int:
    """CSV that Excel in a comma-decimal language opens in columns: semicolons between fields,
    decimal commas; BOM and CRLF as in the analysis CSV."""
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for batch in _batched(rows, _local_row, WIDE_BATCH):
        writer.writerows(batch)
        count += len(batch)
    stream.flush()
    stream.detach()
    return count


def _write_csv_lines(out: IO[bytes], header: Sequence[str], batches: Iterator[list]) -> int:
    """Lines the database wrote (see _select): BOM, header, then the lines with CRLF."""
    out.write(("\ufeff" + ",".join(header) + "\r\n").encode("utf-8"))
    count = 0
    for batch in batches:
        out.write(("\r\n".join([row[0] for row in batch]) + "\r\n").encode("utf-8"))
        count += len(batch)
    return count


def _batched(
    rows: Iterator[list], change: Callable[[list], Any], size: int = BATCH
) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(change(row))
        if len(batch) >= size:
            yield batch
            batch = []
    yield batch


def _neutral_all(row: list) -> list:
    return [neutralise(v) for v in row]


def _xml_batches(rows: Iterator[Sequence]) -> Iterator[list[str]]:
    """Rows of Python values as batches of sheet XML (the wide shape, the dictionary)."""
    for batch in _batched(rows, xlsx.row_xml, WIDE_BATCH):
        if batch:
            yield batch


def _write_xlsx(out: IO[bytes], sheets: list[tuple[str, Sequence[str], Iterator[list]]]) -> int:
    """The workbook, streamed (xlsx.py); the rows of the first sheet are counted."""
    return xlsx.write_xlsx(out, sheets)[0]


def _dictionary_rows(data: dict[str, Any]) -> Iterator[list]:
    languages = data["languages"]
    for q in data["questions"]:
        yield [q["id"], "", q["type"], *(q["text"][lang] for lang in languages)]
        for o in q.get("options", []):
            yield [q["id"], o["id"], "", *(o["text"][lang] for lang in languages)]


def _json_objects(header: Sequence[str], rows: Iterator[list]) -> Iterator[list[str]]:
    """Rows of Python values as batches of JSON objects (the wide shape)."""

    def one(row: Sequence) -> str:
        return json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False)

    for batch in _batched(rows, one, WIDE_BATCH):
        if batch:
            yield batch


def _write_json(out: IO[bytes], data: dict[str, Any], batches: Iterator[Sequence[str]]) -> int:
    """The dictionary, then the rows as an array of objects, one a line."""
    out.write(b'{"dictionary": ')
    out.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    out.write(b', "rows": [\n')
    count = 0
    for batch in batches:
        if not batch:
            continue
        out.write(((",\n" if count else "") + ",\n".join(batch)).encode("utf-8"))
        count += len(batch)
    out.write(b"\n]}\n")
    return count


def _write_geojson(out: IO[bytes], rows: Iterator[list]) -> int:
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in rows:
        if row[7] != "change_place" or row[11] is None or row[12] is None:
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row[12], row[11]]},
            "properties": {
                "respondent": row[0],
                "city": row[1],
                "submitted_at_utc": row[3],
                "district": row[8],
                "is_demo": row[6],
            },
        }
        if count:
            out.write(b",\n")
        out.write(json.dumps(feature, ensure_ascii=False).encode("utf-8"))
        count += 1
    out.write(b"\n]}\n")
    return count


def check_exportable(session: Session, flt: KpiFilter) -> int:
    """The number of respondents a filter exports; ExportError when it may not be exported
    (an unknown city or district, or a district with fewer than MIN_GROUP respondents)."""
    try:
        respondents = count_respondents(session, flt)
    except KpiFilterError as exc:
        raise ExportError(exc.message, **exc.params) from exc
    if 0 < respondents < MIN_GROUP and flt.district:
        raise ExportError(
            N_("Fewer than {min} respondents in this district: nothing is exported."), min=MIN_GROUP
        )
    if load_survey(flt.city) is None:
        raise ExportError(N_("Unknown city {city}."), city=flt.city)
    return respondents


def export_answers(
    session: Session, flt: KpiFilter, *, fmt: str, shape: str, out: IO[bytes]
) -> ExportResult:
    """Write the answers of a filter to ``out`` (a binary file); the caller audits it."""
    if fmt not in FORMATS:
        raise ExportError(N_("Unknown format {format}."), format=fmt)
    if shape not in SHAPES:
        raise ExportError(N_("Unknown shape {shape}."), shape=shape)
    respondents = check_exportable(session, flt)
    survey = load_survey(flt.city)
    if fmt == "geojson":
        rows = _write_geojson(out, long_rows(session, flt, neutral=True))
        return ExportResult(rows, respondents)
    # CSV cells get a visible apostrophe before formula-like text (CSV has no other way);
    # XLSX marks them with the hidden quote prefix, and JSON is never run as a formula.
    if shape == "long":
        header: Sequence[str] = LONG_COLUMNS
        source: Iterator[list] = long_rows(session, flt, neutral=fmt == "csv")
    else:
        header = wide_columns(survey)
        source = wide_rows(session, flt, survey, neutral=fmt == "csv")
    if fmt == "csv" and shape == "long":
        rows = _write_csv_lines(out, header, long_batches(session, flt, neutral=True, lines="csv"))
    elif fmt == "csv":
        rows = _write_csv_batches(out, header, _batched(source, _neutral_all, WIDE_BATCH))
    elif fmt == "csv_local":
        rows = _write_csv_local(out, header, source)
    elif fmt == "xlsx":
        data = dictionary(survey, shape)
        if shape == "long":
            batches = (
                [row[0] for row in batch]
                for batch in long_batches(session, flt, neutral=False, lines="xlsx")
            )
        else:
            batches = _xml_batches(source)
        rows = _write_xlsx(
            out,
            [
                ("answers", header, batches),
                (
                    "dictionary",
                    ["question", "option", "type", *data["languages"]],
                    _xml_batches(_dictionary_rows(data)),
                ),
            ],
        )
    else:
        if shape == "long":
            objects = (
                [row[0] for row in batch]
                for batch in long_batches(session, flt, neutral=False, lines="json")
            )
        else:
            objects = _json_objects(header, source)
        rows = _write_json(out, dictionary(survey, shape), objects)
    return ExportResult(rows, respondents)
