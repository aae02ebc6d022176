"""/staff: nothing without a staff login; the KPIs, exports, moderation, deletion by code and
the audit log in each language of each city."""

from __future__ import annotations

import re
import time

import pytest
from sqlmodel import Session, select

from sparcs_engage import kpis, staff_sessions
from sparcs_engage.db import get_engine
from sparcs_engage.i18n import translator
from sparcs_engage.models import AuditEvent, SurveyAnswer
from tests.unit.test_surveys import submitted_respondents

from .conftest import LANGUAGE_CITIES, assert_no_english, open_page
from .conftest import signed_in as sign_in_to

STAFF = "views/staff/staff.py"


def signed_in(username: str, lang: str = "en", **query):
    return sign_in_to(username, STAFF, lang=lang, **query)


def audit_actions(app_database) -> list[str]:
    with Session(get_engine(app_database)) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_without_login_there_is_no_figure(lang, city):
    at = open_page(STAFF, lang=lang, city=city)
    t = translator(lang)
    assert at.title[0].value == t("Indicators")
    assert [i.value for i in at.info] == [
        t("This page is for signed-in workshop facilitators and city staff only.")
    ]
    assert not at.metric and not at.dataframe and not at.download_button
    assert not at.tabs and not at.selectbox


def test_a_facilitator_sees_nothing_either():
    at = signed_in("demo.facilitator", "de", city="leipzig")
    assert at.title[0].value == "Kennzahlen"
    assert at.warning and not at.metric and not at.dataframe and not at.tabs


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_staff_see_every_kpi_with_its_definition(lang, city):
    at = signed_in("demo.staff", lang, city=city)
    t = translator(lang)
    assert at.title[0].value == t("Engagement indicators")
    names = [m.label for m in at.metric]
    texts = kpis.kpi_texts(lang)
    assert names == [texts[k.id]["name"] for k in kpis.REGISTRY]
    captions = [c.value for c in at.caption]
    for kpi in kpis.REGISTRY:
        assert texts[kpi.id]["definition"] in captions
    # The demo data has 150 footprints and 300 survey respondents per city.
    reached = next(m for m in at.metric if m.label == texts["people_reached"]["name"])
    assert reached.value not in ("–", "0")
    assert at.dataframe  # breakdown tables beside the charts
    if lang != "en":
        assert_no_english(at, lang)


def test_a_district_filter_changes_the_figures():
    at = signed_in("demo.staff", "en", city="espoo")
    before = {m.label: m.value for m in at.metric}
    at.selectbox(key="staff_district_espoo").select("suur-leppavaara").run()
    after = {m.label: m.value for m in at.metric}
    assert after != before
    texts = kpis.kpi_texts("en")
    assert after[texts["completion_rate"]["name"]] == "–"
    assert any(c.value == "Not available for one district" for c in at.caption)


def test_a_period_of_chosen_dates():
    at = signed_in("demo.staff", "fi", city="espoo")
    at.selectbox(key="staff_period").select("custom").run()
    assert at.date_input(key="staff_dates")
    assert at.date_input(key="staff_dates").proto.format == "DD.MM.YYYY"  # the locale's order
    assert not at.exception
    at.pills(key="staff_channels").set_value([]).run()
    assert "Valitse vähintään yksi kanava." in [i.value for i in at.info]


def test_export_links_carry_a_ticket_for_this_session_and_nothing_is_made_before_a_click(
    app_database,
):
    at = signed_in("demo.staff", "en", city="espoo")
    before = audit_actions(app_database).count("export")
    at.radio(key="export_format").set_value("xlsx")
    at.radio(key="export_shape").set_value("wide").run()
    assert not at.exception
    links = [m.value for m in at.markdown if "/_sparcs/download/" in m.value]
    assert len(links) == 2, "the answers and the indicator table"
    tickets = [
        staff_sessions.read_ticket(
            re.search(r'/_sparcs/download/([^"]+)"', link).group(1), now=time.time()
        )
        for link in links
    ]
    answers = next(t for t in tickets if t.kind == "answers")
    assert (answers.params["fmt"], answers.params["shape"], answers.params["city"]) == (
        "xlsx",
        "wide",
        "espoo",
    )
    identity = at.session_state["identity"]
    assert identity.session_id and {t.session_id for t in tickets} == {identity.session_id}
    assert audit_actions(app_database).count("export") == before


def test_moderation_approves_an_open_answer(app_database):
    at = signed_in("demo.staff", "en", city="espoo")
    approve = [b for b in at.button if b.key and b.key.startswith("approve_")]
    assert approve
    answer_id = int(approve[0].key.split("_")[1])
    approve[0].click().run()
    with Session(get_engine(app_database)) as session:
        assert session.get(SurveyAnswer, answer_id).moderation == "approved"
    assert f"approve_{answer_id}" not in [b.key for b in at.button]


def test_delete_by_code(app_database):
    code = submitted_respondents(get_engine(app_database), 1)[0]
    at = signed_in("demo.staff", "en")
    at.text_input(key="delete_code").input(code)
    at.button(key="FormSubmitter:delete_form-Delete the data").click().run()
    assert at.warning  # not confirmed yet: nothing deleted
    at.text_input(key="delete_code").input(code)
    at.checkbox(key="delete_sure").check()
    at.button(key="FormSubmitter:delete_form-Delete the data").click().run()
    assert any("1 survey response" in s.value for s in at.success)
    at.text_input(key="delete_code").input(code)
    at.checkbox(key="delete_sure").check()
    at.button(key="FormSubmitter:delete_form-Delete the data").click().run()
    assert at.error
    assert "delete_respondent" in audit_actions(app_database)


def test_the_audit_log_shows_sign_ins():
    at = signed_in("demo.staff", "de", city="leipzig")
    log = at.dataframe[-1].value
    assert "Anmeldung" in set(log["Was"])
    at.selectbox(key="audit_filter").select("export").run()
    assert not at.exception


def test_done_when_espoo_officer_reads_suur_leppavaara_last_quarter_like_the_cli(capsys):
    """The dashboard shows, in Finnish, the figures `sparcs-engage kpis` prints for the same
    filter (Suur-Leppävaara, last quarter)."""
    import json

    from sparcs_engage.cli import main
    from sparcs_engage.ui.staff_view import format_value

    at = signed_in("demo.staff", "fi", city="espoo")
    at.selectbox(key="staff_district_espoo").select("suur-leppavaara").run()
    at.selectbox(key="staff_period").select("last_quarter").run()
    assert not at.exception
    start, end = kpis.last_quarter(kpis.city_today("Europe/Helsinki"))
    capsys.readouterr()
    args = ["kpis", "--city", "espoo", "--district", "suur-leppavaara", "--json", "--lang", "fi"]
    assert main([*args, "--from", start.isoformat(), "--to", end.isoformat()]) == 0
    printed = json.loads(capsys.readouterr().out)["kpis"]
    shown = {m.label: m.value for m in at.metric}
    assert any(v != "–" for v in shown.values())  # not a comparison of empty cards
    t = translator("fi")
    for kpi in printed:
        expected = "–" if kpi["value"] is None else format_value(t, kpi["unit"], kpi["value"])
        assert shown[kpi["name"]] == expected, kpi["id"]


@pytest.fixture
def broken_leipzig(tmp_path, monkeypatch):
    """Leipzig's indicators.csv names a district its boundaries do not have."""
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    path = data / "cities" / "leipzig" / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("mitte,", "zentrum-x,", 1))
    monkeypatch.setenv("SPARCS_DATA_DIR", str(data))
    import streamlit as st

    st.cache_data.clear()  # figures cached by earlier tests would hide the broken file
    yield data
    st.cache_data.clear()


def test_broken_city_data_is_told_plainly_on_staff_and_map(broken_leipzig):
    staff = signed_in("demo.staff", "de", city="leipzig")
    assert not staff.exception
    assert any("konnten nicht gelesen werden" in e.value for e in staff.error)
    assert any("zentrum-x" in text.value for text in staff.text)
    at = open_page("views/public/map.py", lang="de", city="leipzig")
    assert not at.exception and at.error
