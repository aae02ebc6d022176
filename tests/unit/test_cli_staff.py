"""`sparcs-engage kpis`, `export`, `delete-respondent` and `purge`."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, select

from sparcs_engage import kpis
from sparcs_engage.cli import main
from sparcs_engage.db import make_engine
from sparcs_engage.models import AuditEvent, Respondent, SurveyResponse, utcnow
from tests.unit.test_surveys import submitted_respondents


@pytest.fixture
def cli_db(database_url, monkeypatch):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def audit_actions(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [
            (e.action, e.detail) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_kpis_as_json_are_the_same_figures_as_the_core(cli_db, capsys):
    submitted_respondents(cli_db, 6)
    capsys.readouterr()
    assert main(["kpis", "--city", "espoo", "--json", "--lang", "de"]) == 0
    data = json.loads(capsys.readouterr().out)
    with Session(cli_db) as session:
        report = kpis.compute(session, kpis.KpiFilter("espoo"))
    by_id = {k["id"]: k for k in data["kpis"]}
    for value in report.values:
        assert by_id[value.id]["value"] == value.value
        assert by_id[value.id]["status"] == value.status
    assert by_id["energy_awareness"]["value"] == 1 and by_id["energy_awareness"]["n"] == 6
    assert by_id["people_reached"]["name"] == "Erreichte Menschen"
    # An aggregate export too: in the audit log, with the filter.
    assert ("export", "kpi report (json), city espoo, start to today") in audit_actions(cli_db)


def test_kpis_as_a_table_and_with_filters(cli_db, capsys):
    submitted_respondents(cli_db, 5)
    capsys.readouterr()
    assert (
        main(["kpis", "--city", "espoo", "--district", "suur-leppavaara", "--channel", "survey"])
        == 0
    )
    out = capsys.readouterr().out
    assert "energy_awareness" in out and "100.0 %" in out
    assert "footprint_median" not in out
    assert "completion_rate" in out and "(not by district)" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--city", "atlantis"], "Unknown city"),
        (["--city", "espoo", "--district", "mitte"], "Unknown district"),
        (["--city", "espoo", "--from", "2026-02-01", "--to", "2026-01-01"], "starts after"),
    ],
)
def test_kpis_refuse_a_bad_filter_in_one_line(cli_db, capsys, args, message):
    assert main(["kpis", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_export_writes_the_file_and_audits_it(cli_db, tmp_path, capsys):
    submitted_respondents(cli_db, 5)
    target = tmp_path / "answers.csv"
    assert main(["export", "--city", "espoo", "--format", "csv", "--out", str(target)]) == 0
    assert "5 respondents" in capsys.readouterr().out
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["city"] for r in rows} == {"espoo"} and len({r["respondent"] for r in rows}) == 5
    wide = tmp_path / "answers.xlsx"
    assert (
        main(
            ["export", "--city", "espoo", "--format", "xlsx", "--shape", "wide", "--out", str(wide)]
        )
        == 0
    )
    assert load_workbook(wide)["answers"].max_row == 6
    actions = audit_actions(cli_db)
    exports = [detail for action, detail in actions if action == "export"]
    assert len(exports) == 2 and "csv long" in exports[0] and "xlsx wide" in exports[1]
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_a_refused_export_leaves_no_file(cli_db, tmp_path, capsys):
    submitted_respondents(cli_db, 2)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "few.csv"
    args = ["export", "--city", "espoo", "--district", "suur-leppavaara", "--out", str(target)]
    assert main(args) == 2
    assert "Fewer than 5" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_delete_respondent_by_code(cli_db, capsys):
    code = submitted_respondents(cli_db, 1)[0]
    assert main(["delete-respondent", code.lower()]) == 0
    assert "1 survey response" in capsys.readouterr().out
    with Session(cli_db) as session:
        assert session.exec(select(SurveyResponse)).all() == []
    assert main(["delete-respondent", code]) == 2
    assert "nothing deleted" in capsys.readouterr().err
    deletions = [
        detail for action, detail in audit_actions(cli_db) if action == "delete_respondent"
    ]
    assert len(deletions) == 1 and code not in deletions[0]


def test_purge_deletes_only_what_is_older(cli_db, capsys):
    submitted_respondents(cli_db, 3)
    with Session(cli_db) as session:
        old = session.exec(select(Respondent)).first()
        old.created_at = utcnow() - timedelta(days=400)
        session.add(old)
        session.commit()
    assert main(["purge", "--older-than", "365", "--dry-run"]) == 0
    assert "would delete 1 respondent" in capsys.readouterr().out
    with Session(cli_db) as session:
        assert len(session.exec(select(Respondent)).all()) == 3
    assert main(["purge", "--older-than", "365"]) == 0
    assert "deleted 1 respondent" in capsys.readouterr().out
    with Session(cli_db) as session:
        assert len(session.exec(select(Respondent)).all()) == 2
        assert len(session.exec(select(SurveyResponse)).all()) == 2
    assert [a for a, _d in audit_actions(cli_db)].count("purge") == 1
    assert main(["purge", "--older-than", "0"]) == 2


def test_results_rebuild_recomputes_the_running_totals(cli_db, capsys):
    from sparcs_engage.models import SurveyTotal
    from sparcs_engage.surveys.totals import recounted, stored

    submitted_respondents(cli_db, 6)
    with Session(cli_db) as session:
        session.execute(sa.delete(SurveyTotal))
        session.commit()
        assert stored(session) == {}
    capsys.readouterr()
    assert main(["results", "rebuild", "--city", "espoo"]) == 0
    assert "results rebuilt" in capsys.readouterr().out
    with Session(cli_db) as session:
        assert stored(session) == recounted(session) != {}
    assert main(["results", "rebuild"]) == 0
    assert main(["results", "rebuild", "--city", "atlantis"]) == 2
    assert "unknown city" in capsys.readouterr().err
