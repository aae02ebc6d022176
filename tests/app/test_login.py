"""Signing in and out on /login, in the visitor's language."""

import pytest

from sparcs_engage.demo import DEMO_PASSWORD
from sparcs_engage.i18n import translator

from .conftest import LANGUAGE_CITIES, open_page

LOGIN = "views/account/login.py"


def submit(at, username: str, password: str):
    at.text_input(key="username").input(username)
    at.text_input(key="password").input(password)
    return at.button(key="sign_in_submit").click().run()


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_staff_member_signs_in_and_out(lang, city):
    t = translator(lang)
    at = submit(open_page(LOGIN, lang=lang, city=city), "demo.staff", DEMO_PASSWORD)
    assert at.title[0].value == t("Your account")
    assert any(t("City staff") in m.value for m in at.markdown)
    at.button(key="sign_out").click().run()
    # Signed out at once; the browser then goes through the server's sign-out route (which
    # removes the cookie) and comes back to the sign-in form.
    assert "identity" not in at.session_state
    at.run()
    assert at.title[0].value == t("Sign in")


def test_a_facilitator_is_told_their_role():
    at = submit(open_page(LOGIN, lang="de", city="leipzig"), "demo.facilitator", DEMO_PASSWORD)
    assert any("Workshopleitung" in m.value for m in at.markdown)


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_a_wrong_password_gets_a_translated_message(lang, city):
    at = submit(open_page(LOGIN, lang=lang, city=city), "demo.staff", "not the password")
    assert [e.value for e in at.error] == [
        translator(lang)("The user name or password is not right. Please try again.")
    ]


def test_an_empty_password_gets_its_own_message():
    at = submit(open_page(LOGIN, lang="fi"), "demo.staff", "")
    assert [e.value for e in at.error] == ["Kirjoita käyttäjätunnuksesi ja salasanasi."]


def test_script_in_the_user_name_is_not_run_or_shown_as_html():
    at = submit(open_page(LOGIN, lang="en"), "<script>alert(1)</script>", "x")
    assert at.error and not at.exception


def test_ten_wrong_passwords_pause_signing_in(app_database, monkeypatch):
    from sqlmodel import Session

    from sparcs_engage.auth import create_account
    from sparcs_engage.db import get_engine

    with Session(get_engine(app_database)) as session:
        create_account(
            session=session, username="locktest", password="a long password", role="staff"
        )
        session.commit()
    at = open_page(LOGIN, lang="de", city="leipzig")
    for i in range(10):
        at = submit(at, "locktest", f"wrong {i}")
    assert "Zu viele Fehlversuche" in at.error[0].value
    at = submit(at, "locktest", "a long password")
    assert "Zu viele Fehlversuche" in at.error[0].value


def test_unreachable_database_gives_a_calm_translated_message(monkeypatch):
    monkeypatch.setenv(
        "SPARCS_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    at = open_page(LOGIN, lang="fi")
    assert at.error[0].value.startswith("Emme juuri nyt saa yhteyttä tietokantaan")
    assert not at.text_input  # no form to fill in vain
