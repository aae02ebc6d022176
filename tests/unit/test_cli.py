"""The `sparcs-engage` command line."""

import io
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from sparcs_engage.cli import main
from sparcs_engage.db import make_engine
from sparcs_engage.demo import DEMO_ACCOUNTS
from sparcs_engage.models import Account


@pytest.fixture
def cli_db(database_url, monkeypatch):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    return database_url


def feed(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "sparcs_engage", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("db", "demo-data", "user", "cities", "import-districts"):
        assert command in result.stdout


def test_user_add_reads_the_password_from_stdin(cli_db, monkeypatch, capsys):
    feed(monkeypatch, "a long enough password\n")
    assert main(["user", "add", "Officer", "--role", "staff", "--password-stdin"]) == 0
    assert "added officer (staff)" in capsys.readouterr().out
    assert main(["user", "list"]) == 0
    assert "officer\tstaff" in capsys.readouterr().out


def test_user_add_refuses_a_short_password_without_a_traceback(cli_db, monkeypatch, capsys):
    feed(monkeypatch, "short\n")
    assert main(["user", "add", "officer", "--role", "staff", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert "at least 10 characters" in err and "Traceback" not in err


def test_demo_data_is_idempotent(cli_db, capsys):
    assert main(["demo-data"]) == 0
    assert main(["demo-data"]) == 0
    engine = make_engine(cli_db)
    with Session(engine) as session:
        names = sorted(a.username for a in session.exec(select(Account)))
    engine.dispose()
    assert names == sorted(DEMO_ACCOUNTS)


def test_demo_data_if_empty_leaves_a_used_database_alone(cli_db, monkeypatch, capsys):
    feed(monkeypatch, "a long enough password\n")
    main(["user", "add", "officer", "--role", "staff", "--password-stdin"])
    assert main(["demo-data", "--if-empty"]) == 0
    assert "not loaded" in capsys.readouterr().out


def test_commands_on_an_unmigrated_database_say_what_to_run(database_url, monkeypatch, capsys):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    assert main(["user", "list"]) == 2
    assert "sparcs-engage db upgrade" in capsys.readouterr().err


def test_an_unreachable_database_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv(
        "SPARCS_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    assert main(["db", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sparcs-engage: error: cannot reach the database")
    assert "Traceback" not in err


def test_cities_lists_both_lighthouse_cities(capsys):
    assert main(["cities"]) == 0
    out = capsys.readouterr().out
    assert "espoo\tFI\tEspoo\tfi sv en" in out and "leipzig\tDE\tLeipzig\tde en" in out


def test_cities_checks_the_plans_of_each_city(capsys, tmp_path, monkeypatch):
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    plans = data / "cities" / "espoo" / "plans.toml"
    plans.write_text(plans.read_text().replace('factor = "district_heat"', 'factor = "heat"', 1))
    monkeypatch.setenv("SPARCS_DATA_DIR", str(data))
    assert main(["cities"]) == 2
    err = capsys.readouterr().err
    assert "plans.toml" in err and "'heat'" in err


def test_cities_names_a_text_a_city_lacks_in_one_of_its_languages(tmp_path, monkeypatch, capsys):
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    sites = tmp_path / "data" / "cities" / "espoo" / "sites.toml"
    text = sites.read_text(encoding="utf-8")
    sites.write_text(text.replace('sv = "Kera"\n', "", 1), encoding="utf-8")
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path / "data"))
    assert main(["cities"]) == 2
    err = capsys.readouterr().err
    assert "sites.toml" in err and "name.sv" in err
