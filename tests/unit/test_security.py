"""Security: the lockout holds under parallel attempts, clients are throttled before accounts
lock, the audit log is a hash chain, resident codes are keyed hashes with a throttle, staff
sessions end on sign-out and idleness, download tickets are bound to their session, and the
CLI ends every failure in one line."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage import staff_sessions
from sparcs_engage.auth import (
    Identity,
    audit,
    create_account,
    is_locked,
    sign_in,
    verify_audit_chain,
)
from sparcs_engage.cli import main
from sparcs_engage.db import make_engine, session_scope
from sparcs_engage.models import AuditEvent, Respondent, StaffSession, utcnow
from sparcs_engage.respondents import (
    CODE_ATTEMPTS,
    CodeAttemptsExceeded,
    create_respondent,
    find_respondent,
    new_code,
    normalize_code,
)

PASSWORD = "correct horse battery"
LOCKOUT = timedelta(minutes=15)


@pytest.fixture
def account(engine):
    with session_scope(engine) as session:
        create_account(session=session, username="anna", password=PASSWORD, role="staff")
    return "anna"


def _actions(engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize("name", ["anna", "nobody"])
def test_twenty_parallel_wrong_passwords_check_at_most_the_limit_and_end_locked(
    engine, account, name
):
    """Every attempt is counted before its password is checked, in one atomic statement."""
    limit = 5
    barrier = threading.Barrier(20)
    statuses: list[str] = []

    def attempt(i: int) -> None:
        barrier.wait()
        with session_scope(engine) as session:
            result = sign_in(
                session=session, username=name, password=f"wrong {i}", max_failures=limit
            )
        statuses.append(result.status)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = _actions(engine).count("login_failed")
    assert checked == limit, "exactly the limit of passwords was checked, no more"
    assert statuses.count("locked") == 20 - (limit - 1)
    with session_scope(engine) as session:
        assert is_locked(session=session, username=name, lockout=LOCKOUT, max_failures=limit)
        right = sign_in(session=session, username="anna", password=PASSWORD, max_failures=limit)
    if name == "anna":
        assert right.status == "locked"


def test_an_unknown_name_gets_the_same_answers_as_a_known_one(engine, account):
    def statuses(name: str) -> list[str]:
        with session_scope(engine) as session:
            return [
                sign_in(session=session, username=name, password=f"w{i}", max_failures=3).status
                for i in range(5)
            ]

    assert (
        statuses("anna") == statuses("ghost") == ["invalid", "invalid", "locked"] + ["locked"] * 2
    )


def test_one_client_is_paused_before_it_can_lock_someone_elses_account(engine, account):
    """The account's own limit (10) is above a client's (5): one client alone cannot lock it."""
    with session_scope(engine) as session:
        statuses = [
            sign_in(
                session=session,
                username="anna",
                password=f"guess {i}",
                max_failures=10,
                client="203.0.113.9",
                client_failures=5,
            ).status
            for i in range(8)
        ]
    assert statuses == ["invalid"] * 5 + ["throttled"] * 3
    with session_scope(engine) as session:
        assert not is_locked(session=session, username="anna", lockout=LOCKOUT, max_failures=10)
        # Anna herself, from her own office, still gets in.
        own = sign_in(
            session=session,
            username="anna",
            password=PASSWORD,
            max_failures=10,
            client="198.51.100.4",
        )
    assert own.status == "ok"


def test_the_audit_log_is_a_chain_that_names_the_first_changed_or_removed_entry(engine):
    with session_scope(engine) as session:
        for i in range(6):
            audit(session=session, actor="anna", action="export", detail=f"file {i}")
    with Session(engine) as session:
        check = verify_audit_chain(session=session)
        assert (check.entries, check.broken_id) == (6, None)
        ids = [e.id for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    with session_scope(engine) as session:
        session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == ids[2]).values(detail="nothing happened")
        )
    with Session(engine) as session:
        assert verify_audit_chain(session=session).broken_id == ids[2]
    with session_scope(engine) as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(ids[2:3])))
    with Session(engine) as session:
        check = verify_audit_chain(session=session)
    assert check.broken_id == ids[3] and "removed" in check.problem


def test_parallel_writers_keep_one_unbroken_chain(engine):
    barrier = threading.Barrier(12)

    def write(i: int) -> None:
        barrier.wait()
        for attempt in range(20):
            try:
                with session_scope(engine) as session:
                    audit(session=session, actor=f"writer {i}", action="export")
                return
            except sa.exc.OperationalError:  # SQLite: the database is busy, try again
                time.sleep(0.05 * (attempt + 1))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        check = verify_audit_chain(session=session)
    assert (check.entries, check.broken_id) == (12, None)


def test_audit_verify_on_the_command_line(database_url, monkeypatch, capsys):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for i in range(3):
            audit(session=session, actor="cli:test", action="purge", detail=str(i))
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    with session_scope(engine) as session:
        last = session.scalar(sa.select(sa.func.max(AuditEvent.id)))
        session.execute(sa.update(AuditEvent).where(AuditEvent.id == last).values(actor="x"))
    assert main(["audit", "verify"]) == 2
    err = capsys.readouterr().err
    assert f"broken at entry {last}" in err and err.count("\n") == 1
    engine.dispose()


def test_codes_are_stored_as_keyed_hashes_not_plain_sha256(engine):
    with session_scope(engine) as session:
        respondent, code = create_respondent(session=session, city="espoo")
    plain = hashlib.sha256(normalize_code(code).encode()).hexdigest()
    assert respondent.code_hash != plain


def test_a_code_saved_before_keyed_hashes_is_found_and_stored_again_keyed(engine):
    code = new_code()
    plain = hashlib.sha256(normalize_code(code).encode()).hexdigest()
    with session_scope(engine) as session:
        session.add(Respondent(code_hash=plain, city="espoo"))
    with session_scope(engine) as session:
        found = find_respondent(session=session, code=code)
        assert found is not None and found.code_hash != plain
    with session_scope(engine) as session:
        assert find_respondent(session=session, code=code) is not None


def test_wrong_codes_from_one_client_are_paused_after_the_limit(engine):
    with session_scope(engine) as session:
        _, code = create_respondent(session=session, city="espoo")
    for _ in range(CODE_ATTEMPTS.attempts):
        with session_scope(engine) as session:
            assert find_respondent(session=session, code=new_code(), client="10.0.0.7") is None
    with pytest.raises(CodeAttemptsExceeded), session_scope(engine) as session:
        find_respondent(session=session, code=code, client="10.0.0.7")
    with session_scope(engine) as session:  # another client is not affected
        assert find_respondent(session=session, code=code, client="10.0.0.8") is not None


def _opened(engine):
    with session_scope(engine) as session:
        return staff_sessions.open_session(session=session, identity=Identity("anna", "staff"))


def test_the_cookie_is_handed_over_once_and_names_a_live_session(engine):
    opened = _opened(engine)
    with session_scope(engine) as session:
        cookie = staff_sessions.claim_handoff(
            session=session, session_id=opened.session_id, handoff=opened.handoff
        )
        again = staff_sessions.claim_handoff(
            session=session, session_id=opened.session_id, handoff=opened.handoff
        )
    assert cookie and again is None
    assert staff_sessions.session_id_from_cookie(cookie) == opened.session_id
    assert staff_sessions.session_id_from_cookie(cookie[:-1] + "x") is None
    with session_scope(engine) as session:
        live = staff_sessions.check(
            session=session, session_id=opened.session_id, idle=timedelta(minutes=30)
        )
    assert live.identity.username == "anna" and live.identity.session_id == opened.session_id


def test_sign_out_and_idleness_end_the_session_and_are_audited(engine):
    first, second = _opened(engine), _opened(engine)
    with session_scope(engine) as session:
        assert staff_sessions.end(session=session, session_id=first.session_id)
        gone = staff_sessions.check(
            session=session, session_id=first.session_id, idle=timedelta(minutes=30)
        )
        later = utcnow() + timedelta(minutes=31)
        idle = staff_sessions.check(
            session=session, session_id=second.session_id, idle=timedelta(minutes=30), now=later
        )
    assert gone.identity is None and idle.identity is None and idle.idle_ended
    with Session(engine) as session:
        logouts = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "logout")).all()
        ended = session.exec(select(StaffSession).where(StaffSession.ended_at.is_not(None))).all()
    assert sorted(logouts) == ["idle", "sign-out"] and len(ended) == 2


def test_a_download_ticket_is_signed_and_short_lived():
    now = time.time()
    ticket = staff_sessions.make_ticket("s1", "answers", {"city": "espoo"}, now=now)
    read = staff_sessions.read_ticket(ticket, now=now + 60)
    assert (read.session_id, read.kind, read.params) == ("s1", "answers", {"city": "espoo"})
    assert staff_sessions.read_ticket(ticket, now=now + staff_sessions.TICKET_TTL_S + 1) is None
    _body, signature = ticket.rsplit(".", 1)
    forged = staff_sessions.make_ticket("s2", "answers", {"city": "espoo"}, now=now)
    assert staff_sessions.read_ticket(forged.rsplit(".", 1)[0] + "." + signature, now=now) is None
    assert staff_sessions.read_ticket("not a ticket", now=now) is None


@pytest.fixture
def cli_db(database_url, monkeypatch):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_an_export_into_a_folder_is_one_line_and_leaves_nothing(cli_db, tmp_path, capsys):
    out = tmp_path / "exports"
    out.mkdir()
    capsys.readouterr()
    assert main(["export", "--city", "espoo", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "folder" in err and err.count("\n") == 1 and "Traceback" not in err
    assert list(out.iterdir()) == []
    assert "export" not in _actions(cli_db)


def test_an_export_that_cannot_land_is_not_in_the_audit_log(cli_db, tmp_path, capsys, monkeypatch):
    out = tmp_path / "exports"
    out.mkdir()

    def refuse(self, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pathlib.Path.replace", refuse)
    capsys.readouterr()
    assert main(["export", "--city", "espoo", "--out", str(out / "answers.csv")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and err.count("\n") == 1
    assert list(out.iterdir()) == []
    assert "export" not in _actions(cli_db)


def test_an_absurd_retention_period_is_one_line(cli_db, capsys):
    capsys.readouterr()
    assert main(["purge", "--older-than", "99999999999"]) == 2
    err = capsys.readouterr().err
    assert "between 1 and" in err and err.count("\n") == 1


def test_a_closed_pipe_is_one_line(cli_db):
    """`sparcs-engage kpis | head`: the reader went away before the report was written."""
    child = subprocess.Popen(
        [sys.executable, "-m", "sparcs_engage", "kpis", "--city", "espoo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout.close()  # long before the child has started and printed anything
    err = child.stderr.read()
    assert child.wait(timeout=60) == 2
    assert "Traceback" not in err and err.count("\n") == 1 and "output was closed" in err


def test_workshop_and_moderation_entries_keep_the_audit_chain_whole(engine):
    """Every writer of the audit log goes through auth.audit: a workshop's life and an answer's
    moderation leave a chain that `audit verify` finds whole."""
    from datetime import date

    from sparcs_engage import workshops as ws

    with session_scope(engine) as session:
        audit(session=session, actor="anna", action="export", detail="before")
        info = ws.create_workshop(
            session=session,
            facilitator="fac",
            title="Ketju",
            city="espoo",
            held_on=date(2026, 5, 1),
        )
        for phase in ("collecting", "voting", "results", "closed"):
            ws.set_phase(session=session, workshop_id=info.id, phase=phase, facilitator="fac")
        ws.export_xlsx(session=session, workshop_id=info.id, facilitator="fac")
    with Session(engine) as session:
        check = verify_audit_chain(session=session)
        assert check.broken_id is None and check.entries >= 6
