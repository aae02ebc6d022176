"""Accounts: argon2id hashes, validation, sign-in with lockout, and the audit log."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from sparcs_engage.auth import (
    AccountError,
    create_account,
    remove_account,
    role_for_email,
    set_password,
    sign_in,
)
from sparcs_engage.models import Account, AuditEvent, utcnow

PASSWORD = "correct horse battery"


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        create_account(session=session, username="Anna", password=PASSWORD, role="staff")
        session.commit()
        yield session


def test_passwords_are_stored_as_argon2id_hashes(session):
    account = session.exec(select(Account)).one()
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_user_names_are_case_insensitive(session):
    assert sign_in(session=session, username="  ANNA ", password=PASSWORD).status == "ok"


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("anna", PASSWORD, "staff", "taken"),
        ("a", PASSWORD, "staff", "3 to 64"),
        ("<script>", PASSWORD, "staff", "3 to 64"),
        ("bertha", "", "staff", "empty"),
        ("bertha", "short", "staff", "at least"),
        ("bertha", PASSWORD, "admin", "Unknown role"),
    ],
)
def test_bad_account_requests_are_refused_with_a_reason(session, username, password, role, message):
    with pytest.raises(AccountError, match=message):
        create_account(session=session, username=username, password=password, role=role)


def test_the_right_password_signs_in_with_the_role(session):
    result = sign_in(session=session, username="anna", password=PASSWORD)
    assert result.status == "ok"
    assert (result.identity.username, result.identity.role) == ("anna", "staff")


@pytest.mark.parametrize(("username", "password"), [("anna", ""), ("", PASSWORD), ("", "")])
def test_an_empty_field_is_its_own_answer(session, username, password):
    assert sign_in(session=session, username=username, password=password).status == "empty"


def test_a_wrong_password_and_an_unknown_user_look_the_same(session):
    assert sign_in(session=session, username="anna", password="wrong").status == "invalid"
    assert sign_in(session=session, username="nobody", password="wrong").status == "invalid"


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(session):
    now = utcnow()
    statuses = [
        sign_in(
            session=session, username="anna", password=f"wrong{i}", max_failures=5, now=now
        ).status
        for i in range(10)
    ]
    assert statuses[:4] == ["invalid"] * 4
    assert set(statuses[4:]) == {"locked"}
    right = sign_in(session=session, username="anna", password=PASSWORD, now=now)
    assert right.status == "locked"


def test_the_lock_lifts_after_the_lockout_time(session):
    start = utcnow()
    for i in range(5):
        sign_in(
            session=session,
            username="anna",
            password=f"w{i}",
            now=start,
            lockout=timedelta(minutes=15),
        )
    later = start + timedelta(minutes=16)
    assert sign_in(session=session, username="anna", password=PASSWORD, now=later).status == "ok"


def test_every_sign_in_attempt_is_audited(session):
    sign_in(session=session, username="anna", password="wrong")
    sign_in(session=session, username="ghost", password="wrong")
    sign_in(session=session, username="anna", password=PASSWORD)
    session.commit()
    actions = [
        (e.actor, e.action) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert actions == [("anna", "login_failed"), ("ghost", "login_failed"), ("anna", "login")]


def test_a_huge_password_is_refused_without_hashing_megabytes(session):
    assert sign_in(session=session, username="anna", password="x" * 5_000_000).status == "invalid"


def test_a_new_password_lifts_a_lockout(session):
    now = utcnow()
    for i in range(5):
        sign_in(session=session, username="anna", password=f"w{i}", now=now)
    set_password(session=session, username="anna", password="another long password")
    assert (
        sign_in(session=session, username="anna", password="another long password", now=now).status
        == "ok"
    )


def test_a_removed_account_cannot_sign_in(session):
    remove_account(session=session, username="anna")
    assert sign_in(session=session, username="anna", password=PASSWORD).status == "invalid"


def test_single_sign_on_roles_come_from_configuration_by_email():
    mapping = {"Officer@Espoo.fi": "staff", "x@y.z": "admin"}
    assert role_for_email("officer@espoo.fi", mapping) == "staff"
    assert role_for_email("x@y.z", mapping) is None
    assert role_for_email(None, mapping) is None
