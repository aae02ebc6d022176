"""deploy/: the production nginx site passes `nginx -t`, and the backup recipe (pg_dump) restores
into an empty database with every row, the same KPIs and a schema the app accepts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from scripts.cluster import ROOT, drop_database, ensure_database, find_nginx

DEPLOY = ROOT / "deploy"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_the_production_nginx_site_passes_nginx_t(tmp_path: Path):
    site = (DEPLOY / "nginx" / "sparcs-engage.conf").read_text()
    assert "include /opt/sparcs-engage/deploy/nginx/sparcs-engage-proxy.conf;" in site
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=engage.example.org", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (
        site.replace("/etc/ssl/sparcs-engage/fullchain.pem", str(cert))
        .replace("/etc/ssl/sparcs-engage/privkey.pem", str(key))
        .replace("/opt/sparcs-engage/deploy/nginx/", f"{DEPLOY}/nginx/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(
        [
            *(find_nginx(), "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf")),
            *("-e", str(tmp_path / "error.log")),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.fixture
def postgres() -> str:
    url = os.environ.get("SPARCS_TEST_DATABASE_URL", "").strip() or LOCAL_POSTGRES
    try:
        probe = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with probe.connect():
            pass
        probe.dispose()
    except Exception as exc:
        pytest.skip(f"the backup test needs PostgreSQL ({type(exc).__name__})")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip(
            "the backup test needs pg_dump and pg_restore (apt-get install postgresql-client)"
        )
    return url


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)


def _cli(url: str, *args: str) -> str:
    env = {**os.environ, "SPARCS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "sparcs_engage", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        counts = {t: connection.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in tables}
    engine.dispose()
    return counts


@pytest.mark.postgres
def test_backup_and_restore_with_pg_dump(postgres: str, tmp_path: Path):
    server = sa.engine.make_url(postgres)
    source = server.set(database=f"sparcs_bk_{uuid.uuid4().hex[:8]}").render_as_string(False)
    target = server.set(database=f"sparcs_rs_{uuid.uuid4().hex[:8]}").render_as_string(False)
    try:
        ensure_database(source)
        _cli(source, "db", "upgrade")
        _cli(source, "demo-data", "--respondents", "40")
        dumped = subprocess.run(
            [DEPLOY / "scripts" / "backup.sh", _libpq(source), tmp_path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert re.search(r"sparcs-engage-\d{8}T\d{6}Z\.dump$", dumped)
        ensure_database(target)
        subprocess.run(
            [DEPLOY / "scripts" / "restore.sh", dumped, _libpq(target)],
            capture_output=True,
            check=True,
        )
        _cli(target, "db", "check")
        before, after = _row_counts(source), _row_counts(target)
        assert before == after and before["survey_response"] > 0

        def kpis(url: str) -> list:
            return json.loads(_cli(url, "kpis", "--city", "espoo", "--json"))["kpis"]

        assert kpis(source) == kpis(target)
    finally:
        drop_database(source)
        drop_database(target)
