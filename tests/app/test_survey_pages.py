"""The City Vision 2050 survey (/vision) and its results (/results) under AppTest."""

import re

import pytest
from sqlmodel import Session, select

from sparcs_engage.db import get_engine
from sparcs_engage.i18n import translator
from sparcs_engage.models.surveys import SurveyAnswer, SurveyResponse
from sparcs_engage.surveys import REVIEW, load_survey

from .conftest import LANGUAGE_CITIES, assert_no_english, open_page

VISION = "views/public/vision.py"
RESULTS = "views/public/results.py"


def fill_section(at, city: str) -> None:
    """Give a valid answer to every question of the section on screen."""
    survey = load_survey(city)
    section = survey.section(at.session_state["sv_section"])
    for q in section.questions:
        key = f"sv_{q.id}"
        if q.type in ("single", "likert"):
            if any(r.key == key for r in at.radio):
                at.radio(key=key).set_value(4 if q.type == "likert" else q.options[0])
        elif q.type == "multiple":
            if any(getattr(b, "key", None) == key for b in at.get("button_group")):
                at.button_group(key=key).set_value(list(q.options[: max(1, q.min or 1)]))
        elif q.type == "matrix":
            for item in q.items:
                at.radio(key=f"{key}__{item}").set_value(4)
        elif q.type == "ranking":
            options = list(survey.question(q.id).options)
            for place in range(q.max or 1):
                at.selectbox(key=f"{key}__{place}").set_value(options[place])
        elif q.type == "budget":
            options = list(survey.question(q.id).options)
            at.number_input(key=f"{key}__{options[0]}").set_value(60)
            at.number_input(key=f"{key}__{options[1]}").set_value(40)
        elif q.type == "place":
            at.selectbox(key=f"{key}__district").set_value(next(iter(survey.districts)))
        elif q.type == "text" and any(ta.key == key for ta in at.text_area):
            at.text_area(key=key).input("<b>Mehr Bäume</b> =SUM(A1)")
        at.run()


def run_survey(at, city: str, *, stop_after: int | None = None):
    at.checkbox(key="sv_consent").check().run()
    at.button(key="sv_start").click().run()
    steps = 0
    while at.session_state["sv_section"] != REVIEW:
        fill_section(at, city)
        before = at.session_state["sv_section"]
        at.button(key="sv_next").click().run()
        assert not at.exception
        assert at.session_state["sv_section"] != before, [e.value for e in at.error]
        steps += 1
        if stop_after and steps == stop_after:
            return at
    return at


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_whole_survey_in_every_language(lang, city, app_database):
    at = run_survey(open_page(VISION, lang=lang, city=city), city)
    t = translator(lang)
    assert at.header[0].value == t("Check your answers")
    if lang != "en":
        assert_no_english(at, lang)
    response_id = at.session_state["sv_response_id"]
    at.button(key="sv_submit").click().run()
    assert not at.exception
    assert at.session_state["sv_done"]
    with Session(get_engine(app_database)) as session:
        response = session.exec(
            select(SurveyResponse).where(
                SurveyResponse.status == "submitted", SurveyResponse.lang == lang
            )
        ).first()
        assert response is not None and response.consent_version and response.submitted_at
        stored = session.exec(
            select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
        ).all()
        assert stored and all(a.text is None or "Mehr Bäume" in a.text for a in stored)
    assert response_id


def test_an_interrupted_survey_continues_with_the_code_in_a_new_session():
    first = run_survey(open_page(VISION, lang="fi", city="espoo"), "espoo", stop_after=2)
    code = first.session_state["sv_code"]
    where = first.session_state["sv_section"]
    later = open_page(VISION, lang="fi", city="espoo")  # another device: a new session
    later.text_input(key="sv_resume_code").input(code.lower().replace("-", " ")).run()
    later.button(key="sv_resume").click().run()
    assert later.session_state["sv_section"] == where
    assert later.session_state["sv_answers"]


def test_nothing_starts_without_consent():
    at = open_page(VISION, lang="de", city="leipzig")
    assert at.button(key="sv_start").disabled


def test_an_unknown_code_is_told_kindly():
    at = open_page(VISION, lang="de", city="leipzig")
    at.text_input(key="sv_resume_code").input("<script>").run()
    at.button(key="sv_resume").click().run()
    assert at.warning and not at.exception


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_results_page_runs_in_every_language(lang, city):
    at = open_page(RESULTS, lang=lang, city=city)
    assert at.title[0].value == translator(lang)("What residents want for 2050")
    if lang != "en":
        assert_no_english(at, lang)


def test_the_part_count_never_changes_on_the_way(app_database):
    """ "Part 1 of 5" used to become "Part 2 of 6" when an answer opened a part."""
    at = open_page(VISION, lang="en", city="espoo")
    at.checkbox(key="sv_consent").check().run()
    at.button(key="sv_start").click().run()
    totals = set()
    while at.session_state["sv_section"] != REVIEW:
        label = at.get("progress")[0].proto.text
        totals.add(label.split(" of ")[1])
        fill_section(at, "espoo")
        at.button(key="sv_next").click().run()
    assert len(totals) == 1


def test_change_on_the_review_then_next_comes_back_to_the_review(app_database):
    at = run_survey(open_page(VISION, lang="en", city="espoo"), "espoo")
    first = load_survey("espoo").sections[0].id
    at.button(key=f"sv_edit_{first}").click().run()
    assert at.session_state["sv_section"] == first
    at.button(key="sv_next").click().run()
    assert at.session_state["sv_section"] == REVIEW


def test_required_questions_and_limits_are_marked_and_themes_explained(app_database):
    at = run_survey(open_page(VISION, lang="en", city="espoo"), "espoo", stop_after=2)
    texts = " ".join(
        [c.value for c in at.caption] + [r.label for r in at.radio] + [m.value for m in at.markdown]
    )
    survey = load_survey("espoo")
    section = survey.section(at.session_state["sv_section"])
    if any(q.type in ("ranking", "budget") for q in section.questions):
        assert "most important first" in texts or "points in all" in texts
        assert [e.label for e in at.expander] == ["What the themes mean"]
        assert "Warm homes without coal" in texts
    required = [q for q in survey.section("today").questions if q.required]
    assert required  # and on the first part they were shown as such:
    first = open_page(VISION, lang="fi", city="espoo")
    first.checkbox(key="sv_consent").check().run()
    first.button(key="sv_start").click().run()
    labels = [r.label for r in first.radio]
    assert any(label.endswith("(pakollinen)") for label in labels)


def test_the_review_lists_several_choices_one_per_line(app_database):
    at = run_survey(open_page(VISION, lang="en", city="espoo"), "espoo")
    lines = [text.value for text in at.text if text.value.startswith("• ")]
    assert lines and any("\n• " in value for value in lines)


def test_a_city_switch_and_back_keeps_the_draft_where_it_was(app_database):
    at = run_survey(open_page(VISION, lang="fi", city="espoo"), "espoo", stop_after=2)
    where, code = at.session_state["sv_section"], at.session_state["sv_code"]
    at.segmented_control(key="city_choice").set_value("leipzig").run()
    assert not at.session_state.get("sv_response_id")  # Leipzig: its own, new survey
    at.segmented_control(key="city_choice").set_value("espoo").run()
    assert (at.session_state["sv_section"], at.session_state["sv_code"]) == (where, code)


def test_a_pasted_text_keeps_what_fits_and_says_what_was_cut(app_database):
    at = open_page(VISION, lang="de", city="leipzig")
    at.checkbox(key="sv_consent").check().run()
    at.button(key="sv_start").click().run()
    survey = load_survey("leipzig")
    text_q = survey.question("vision_text")
    at.session_state["sv_section"] = next(s.id for s in survey.sections if text_q in s.questions)
    at.run()
    at.text_area(key=f"sv_{text_q.id}").input("Bäume " * 200).run()  # 1,200 characters
    assert len(at.text_area(key=f"sv_{text_q.id}").value) == text_q.max_length
    assert any("1.200 Zeichen" in w.value for w in at.warning)


def test_a_code_pasted_in_a_sentence_is_found(app_database):
    first = run_survey(open_page(VISION, lang="en", city="espoo"), "espoo", stop_after=1)
    code = first.session_state["sv_code"]
    later = open_page(VISION, lang="en", city="espoo")
    later.text_input(key="sv_resume_code").input(f"Your code is {code}. Write it down!").run()
    later.button(key="sv_resume").click().run()
    assert later.session_state["sv_code"] == code and not later.warning


def test_a_shared_tablet_starts_afresh_for_the_next_person(app_database):
    at = run_survey(open_page(VISION, lang="de", city="leipzig", kiosk="1"), "leipzig")
    at.button(key="sv_submit").click().run()
    assert at.button(key="sv_next_person")
    at.button(key="sv_next_person").click().run()
    assert not at.session_state.get("sv_done") and not at.checkbox(key="sv_consent").value
    assert at.button(key="sv_start")


def test_results_show_bars_with_figures_and_keep_every_table_behind_an_expander():
    """On a phone each chart used to be followed by a table of the same figures: the bars now
    carry their figures as text in the visitor's format, and the tables wait in expanders."""
    at = open_page(RESULTS, lang="fi", city="espoo")
    bars = [h.value for h in at.get("html") if "sparcs-bars" in h.value]
    assert len(bars) >= 10
    assert any(re.search(r"\d+\xa0%\s\(\d+\)", b) for b in bars)  # "31 % (43)", fi format
    averages = [b for b in bars if re.search(r">\d,\d<", b)]
    assert averages, "averages carry a decimal comma in Finnish"
    assert len(at.dataframe) >= 10
    in_expanders = sum(len(e.dataframe) for e in at.expander)
    assert in_expanders == len(at.dataframe)
    assert at.expander[0].label == "Luvut taulukkona"


def test_only_a_few_open_answers_are_on_the_page_the_rest_behind_an_expander():
    import os

    from sparcs_engage.surveys import results
    from sparcs_engage.ui.results_view import OPEN_ANSWERS_SHOWN

    at = open_page(RESULTS, lang="de", city="leipzig")
    more = [e for e in at.expander if "weitere Antwort" in e.label]
    assert more, "the demo data has more open answers than the page shows"
    for expander in more:
        hidden = len(expander.get("text"))
        assert expander.label == f"{hidden} weitere Antworten"
    with Session(get_engine(os.environ["SPARCS_DATABASE_URL"])) as session:
        published = results(session=session, city="leipzig").open_answers.values()
    expected = [len(a) - OPEN_ANSWERS_SHOWN for a in published if len(a) > OPEN_ANSWERS_SHOWN]
    assert sorted(len(e.get("text")) for e in more) == sorted(expected)
