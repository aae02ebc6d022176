"""Exports of the survey answers: shapes, encodings, formula neutralising, privacy."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from sparcs_engage import answer_export as ax
from sparcs_engage.kpis import KpiFilter
from sparcs_engage.models import SurveyAnswer
from sparcs_engage.surveys import load_survey
from tests.unit.test_surveys import ESPOO_ANSWERS, submitted_respondents

DANGEROUS = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR"]


def with_texts(texts: list[str]) -> list[dict]:
    """Answer sets whose open vision text is each of ``texts`` (with commas, quotes, ä)."""
    sets = []
    for text in texts:
        answers = {k: dict(v) for k, v in ESPOO_ANSWERS.items()}
        answers["vision"]["vision_text"] = text
        sets.append(answers)
    return sets


@pytest.fixture
def answered(engine):
    texts = [*DANGEROUS, 'Grüne Höfe, "ruhige" Straßen; äö', "Reject me"]
    for answers in with_texts(texts):
        submitted_respondents(engine, 1, answers)
    with Session(engine) as session:
        rejected = session.exec(select(SurveyAnswer).where(SurveyAnswer.text == "Reject me")).one()
        rejected.moderation = "rejected"
        session.add(rejected)
        # The survey strips leading whitespace; stored anyway (an older version, an import),
        # a tab or a carriage return in front is neutralised too.
        for stripped in ("TAB", "CR"):
            row = session.exec(select(SurveyAnswer).where(SurveyAnswer.text == stripped)).one()
            row.text = "\t" + stripped if stripped == "TAB" else "\r" + stripped
            session.add(row)
        session.commit()
    return engine


def export(engine, fmt: str, shape: str = "long", **flt) -> tuple[bytes, ax.ExportResult]:
    out = io.BytesIO()
    with Session(engine) as session:
        result = ax.export_answers(
            session, KpiFilter("espoo", **flt), fmt=fmt, shape=shape, out=out
        )
    return out.getvalue(), result


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs for ä, ö, ü
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_long_csv_has_one_row_per_answer_and_neutralised_text(answered):
    data, result = export(answered, "csv")
    rows = read_csv(data)
    assert result.respondents == 8 and result.rows == len(rows)
    assert list(rows[0]) == list(ax.LONG_COLUMNS)
    texts = [r["text"] for r in rows if r["question"] == "vision_text"]
    for dangerous in DANGEROUS:
        assert "'" + dangerous in texts
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    assert 'Grüne Höfe, "ruhige" Straßen; äö' in texts
    assert "Reject me" not in texts and "" in texts  # the row stays, the text goes
    # A choice and its values are separate columns; ids, never labels.
    housing = [r for r in rows if r["question"] == "housing"]
    assert {r["option"] for r in housing} == {"own_flat"} and housing[0]["value"] == ""
    budget = {r["option"]: float(r["value"]) for r in rows if r["question"] == "theme_budget"}
    assert budget["clean_heat"] == 40
    # Pseudonymous: 32 hex digits, no code, no account, no address.
    assert all(len(r["respondent"]) == 32 for r in rows)
    assert b"demo.staff" not in data and b"127.0.0.1" not in data


def test_wide_csv_has_one_row_per_respondent(answered):
    data, result = export(answered, "csv", "wide")
    rows = read_csv(data)
    assert len(rows) == 8 == result.rows
    survey = load_survey("espoo")
    assert list(rows[0]) == ax.wide_columns(survey)
    row = rows[0]
    assert row["housing"] == "own_flat"
    assert row["info_channels.local_news"] == "1" and row["info_channels.events"] == "0"
    assert float(row["theme_ranking.clean_heat"]) == 1
    assert float(row["theme_budget.smart_buildings"]) == 5
    assert float(row["acceptance.solar"]) == 5
    assert row["change_place.district"] == "suur-leppavaara"
    texts = {r["vision_text"] for r in rows}
    assert '\'=HYPERLINK("http://x")' in texts and "Reject me" not in texts


def test_xlsx_opens_cleanly_and_holds_no_formula(answered):
    for shape in ax.SHAPES:
        data, result = export(answered, "xlsx", shape)
        workbook = load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == ["answers", "dictionary"]
        sheet = workbook["answers"]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert len(values) - 1 == result.rows
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    # Shown exactly as typed; Excel's hidden quote prefix keeps it text.
                    assert cell.quotePrefix, cell.value
        flat = {v for row in values for v in row if isinstance(v, str)}
        assert '=HYPERLINK("http://x")' in flat and "@SUM(A1)" in flat
        assert not any(v.startswith("'") for v in flat)
        assert 'Grüne Höfe, "ruhige" Straßen; äö' in flat
        dictionary = [[c.value for c in r] for r in workbook["dictionary"].iter_rows()]
        assert dictionary[0] == ["question", "option", "type", "fi", "sv", "en"]
        assert dictionary[2][:2] == ["housing", "own_flat"] or any(
            r[:2] == ["housing", "own_flat"] for r in dictionary
        )


@pytest.mark.parametrize("shape", ax.SHAPES)
def test_a_local_csv_read_with_semicolons_has_the_values_of_the_xlsx(answered, shape):
    """For Excel in Finnish, Swedish, German or Portuguese: semicolons and decimal commas."""
    data, result = export(answered, "csv_local", shape)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    workbook = load_workbook(io.BytesIO(export(answered, "xlsx", shape)[0]))
    sheet = [[c.value for c in row] for row in workbook["answers"].iter_rows()]
    assert len(rows) == len(sheet) == result.rows + 1
    assert rows[0] == sheet[0]

    def same(text: str, value) -> bool:
        if value is None:
            return text == ""
        if isinstance(value, int | float):  # openpyxl reads 4.0 back as 4
            return float(text.replace(",", ".")) == value and "." not in text
        # XML (inside XLSX) reads a carriage return back as a line feed.
        text = text.replace("\r", "\n")
        if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\n")):
            return text == "'" + value  # CSV has no hidden prefix: a visible apostrophe
        return text == str(value)

    for csv_row, xlsx_row in zip(rows[1:], sheet[1:], strict=True):
        for text, value in zip(csv_row, xlsx_row, strict=True):
            assert same(text, value), (text, value)


def test_json_has_the_data_dictionary(answered):
    data, result = export(answered, "json")
    parsed = json.loads(data)
    assert len(parsed["rows"]) == result.rows
    dictionary = parsed["dictionary"]
    assert [c["name"] for c in dictionary["columns"]] == list(ax.LONG_COLUMNS)
    housing = next(q for q in dictionary["questions"] if q["id"] == "housing")
    # The texts come in the languages of the city (Espoo: fi, sv, en), its default first.
    assert list(housing["text"]) == dictionary["languages"] == ["fi", "sv", "en"]
    assert housing["text"]["sv"] == "Var bor du?" or housing["text"]["sv"] != housing["text"]["en"]
    assert housing["options"][0]["id"] == "own_house"
    assert housing["options"][0]["text"]["fi"] != housing["options"][0]["text"]["en"]
    # JSON is never run as a formula: the text stays exactly as the resident wrote it.
    assert {"-3", '=HYPERLINK("http://x")'} <= {r["text"] for r in parsed["rows"]}


def test_the_data_dictionary_follows_the_languages_of_the_city():
    from sparcs_engage.surveys import load_survey

    leipzig = ax.dictionary(load_survey("leipzig"), "wide")
    assert leipzig["languages"] == ["de", "en"]
    assert all(set(q["text"]) == {"de", "en"} for q in leipzig["questions"])
    rows = list(ax._dictionary_rows(leipzig))
    assert all(len(row) == 5 for row in rows)


def test_geojson_has_the_map_answers(answered):
    data, result = export(answered, "geojson")
    parsed = json.loads(data)
    assert parsed["type"] == "FeatureCollection"
    assert len(parsed["features"]) == 8 == result.rows
    lon, lat = parsed["features"][0]["geometry"]["coordinates"]
    assert (lat, lon) == (60.2185, 24.8110)
    assert parsed["features"][0]["properties"]["district"] == "suur-leppavaara"


def test_filters_by_district_and_period(answered):
    _data, result = export(answered, "csv", district="suur-leppavaara")
    assert result.respondents == 8
    # A district with fewer than five respondents is not exported at all.
    submitted = {k: dict(v) for k, v in ESPOO_ANSWERS.items()}
    submitted["about_you"]["district"] = "suur-tapiola"
    submitted_respondents(answered, 2, submitted)
    with pytest.raises(ax.ExportError):
        export(answered, "csv", district="suur-tapiola")
    _data, result = export(answered, "csv", start=date(2000, 1, 1), end=date(2000, 12, 31))
    assert result.rows == 0 and result.respondents == 0


def test_an_unknown_district_is_refused(engine):
    with pytest.raises(ax.ExportError):
        export(engine, "csv", district="mitte")  # Leipzig's, not Espoo's


def test_unknown_format_or_shape_is_refused(engine):
    with pytest.raises(ax.ExportError):
        export(engine, "pdf")
    with pytest.raises(ax.ExportError):
        export(engine, "csv", "diagonal")


def test_an_empty_export_still_has_its_header(engine):
    data, result = export(engine, "csv")
    assert result.rows == 0 and read_csv(data) == []
    assert data.decode("utf-8-sig").startswith("respondent,city,lang")


def test_file_names():
    assert ax.file_name("espoo", "xlsx", "wide", date(2026, 11, 25)) == (
        "sparcs-espoo-city-vision-2050-wide-2026-11-25.xlsx"
    )


def test_xlsx_keeps_markup_and_odd_characters_as_text(engine):
    """The sheet's XML is written by the database: markup is escaped, characters XML cannot
    hold (stored by an older version or an import) become U+FFFD, and the file opens."""
    odd = "<b>Tom & Jerry</b> ]]> \"quoted\" 'single'"
    submitted_respondents(engine, 1, with_texts([odd])[0])
    submitted_respondents(engine, 1, with_texts(["placeholder"])[0])
    with Session(engine) as session:
        row = session.exec(select(SurveyAnswer).where(SurveyAnswer.text == "placeholder")).one()
        row.text = "bell\x07 and \uffff end"
        session.add(row)
        session.commit()
    for shape in ax.SHAPES:
        data, _result = export(engine, "xlsx", shape)
        sheet = load_workbook(io.BytesIO(data))["answers"]
        flat = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
        assert odd in flat
        assert "bell\ufffd and \ufffd end" in flat


def test_xlsx_header_is_bold_and_numbers_are_numbers(answered):
    data, _result = export(answered, "xlsx")
    sheet = load_workbook(io.BytesIO(data))["answers"]
    header = next(sheet.iter_rows())
    assert [c.value for c in header] == list(ax.LONG_COLUMNS) and all(c.font.b for c in header)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    budget = [r for r in rows if r[7] == "theme_budget" and r[8] == "clean_heat"]
    assert budget and all(r[9] == 40 for r in budget)
    assert all(r[6] == 0 for r in rows)  # is_demo, a number
    place = next(r for r in rows if r[7] == "change_place")
    assert (place[11], place[12]) == (60.2185, 24.811)


def test_long_json_rows_are_the_long_csv_rows(answered):
    """The database writes the JSON objects: the same columns, in order, and the same values."""
    parsed = json.loads(export(answered, "json")[0])
    rows = read_csv(export(answered, "csv")[0])
    assert len(parsed["rows"]) == len(rows)
    for obj, line in zip(parsed["rows"], rows, strict=True):
        assert list(obj) == list(ax.LONG_COLUMNS)
        for column, text in line.items():
            value = obj[column]
            if value is None:
                assert text == "", column
            elif isinstance(value, int | float):
                assert float(text) == value, column
            elif column == "text" and text.startswith("'"):
                assert text == "'" + value  # CSV neutralises, JSON keeps it exactly
            else:
                assert text == value, column
