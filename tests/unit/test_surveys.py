"""The City Vision 2050 survey: its definition and texts, answer validation, conditions, drafts
resumed by code, submission, deletion, moderation and results with small groups suppressed."""

from __future__ import annotations

import re
import tomllib
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage import surveys
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES
from sparcs_engage.models import AuditEvent, Respondent, SurveyAnswer, SurveyResponse, utcnow
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import find_respondent, new_code
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys import (
    ALREADY_SUBMITTED,
    CONSENT_REQUIRED,
    E_BUDGET_SUM,
    E_EXCLUSIVE,
    E_INVALID,
    E_MATRIX_ROWS,
    E_PLACE,
    E_PLACE_OUTSIDE,
    E_POINTS,
    E_RANK_DUPLICATE,
    E_REQUIRED,
    E_SCALE,
    E_TEXT_TOO_LONG,
    E_TOO_FEW,
    E_TOO_MANY,
    E_UNKNOWN_OPTION,
    INCOMPLETE,
    INVALID,
    MESSAGES,
    MIN_GROUP,
    NOT_FOUND,
    RATE_LIMITED,
    REVIEW,
    SURVEY_ID,
    UNKNOWN_CITY,
    UNKNOWN_SECTION,
    Problem,
    SurveyDataError,
    delete_response,
    demo_responses,
    list_pending,
    load_structure,
    load_survey,
    moderate,
    parse_structure,
    required_text_keys,
    results,
    resume,
    save_step,
    start,
    submit,
    survey_texts,
    validate_answer,
)
from sparcs_engage.surveys.storage import _stored_answers
from sparcs_engage.throttle import Client, Limit

STRUCTURE = load_settings().data_dir / "surveys" / f"{SURVEY_ID}.toml"
CITIES = ("espoo", "leipzig")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# A complete, valid set of answers for Espoo, section by section (a home owner who wants solar).
ESPOO_ANSWERS: dict[str, dict] = {
    "today": {
        "housing": "own_flat",
        "energy_awareness": 4,
        "sparcs_awareness": 2,
        "info_channels": ["local_news", "city_website"],
    },
    "vision": {
        "vision_words": ["green", "calm"],
        "change_place": {"lat": 60.2185, "lon": 24.8110, "district": None},
        "change_place_why": "More trees around the station.",
        "vision_text": "<script>alert('hi')</script> & a green Espoo",
    },
    "priorities": {
        "theme_ranking": ["clean_heat", "nature_and_shore", "rail_and_cycling"],
        "theme_budget": {
            "clean_heat": 40,
            "rail_and_cycling": 20,
            "lively_centres": 10,
            "nature_and_shore": 20,
            "smart_buildings": 5,
            "circular_economy": 5,
        },
    },
    "energy": {
        "measures_wanted": ["solar", "heat_pumps"],
        "acceptance": {
            "solar": 5,
            "heat_pumps": 4,
            "district_heat": 4,
            "ev_charging": 3,
            "smart_heating": 4,
        },
        "solar_where": "shared_plant",
        "take_part": "maybe",
    },
    "home": {"home_plans": ["heat_pump"], "home_obstacles": ["cost"]},
    "about_you": {
        "age_band": "30_44",
        "gender": "prefer_not_to_say",
        "district": "suur-leppavaara",
        "years_in_city": "6_10",
    },
}


def espoo() -> surveys.Survey:
    return load_survey("espoo")


def check(question_id: str, raw: object, city: str = "espoo"):
    survey = load_survey(city)
    return validate_answer(survey, survey.question(question_id), raw)


def problem(question_id: str, raw: object, city: str = "espoo") -> str | None:
    result = check(question_id, raw, city)
    return result.msgid if isinstance(result, Problem) else None


def text_files() -> dict[str, dict]:
    files = {}
    for lang in LANGUAGES:
        with (CONTENT_DIR / lang / "survey" / f"{SURVEY_ID}.toml").open("rb") as fh:
            files[lang] = tomllib.load(fh)
    return files


def start_espoo(session: Session, lang: str = "fi") -> surveys.Started:
    started = start(session=session, city="espoo", lang=lang, consented=True)
    assert started.ok
    return started


def answer_all(session: Session, response_id, answers=ESPOO_ANSWERS) -> None:
    for section_id, raw in answers.items():
        step = save_step(
            session=session, response_id=response_id, section_id=section_id, raw_answers=raw
        )
        assert step.ok, (section_id, step.errors)


def submitted_respondents(engine, n: int, answers=ESPOO_ANSWERS, **submit_args) -> list[str]:
    codes = []
    with Session(engine) as session:
        for _ in range(n):
            started = start_espoo(session)
            answer_all(session, started.response_id, answers)
            result = submit(session=session, response_id=started.response_id, **submit_args)
            assert result.ok, result
            codes.append(started.code)
        session.commit()
    return codes


# --------------------------------------------------------------------------------------------
# The definition and its texts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("city", CITIES)
def test_the_survey_has_four_to_six_sections_and_fifteen_to_twenty_questions(city):
    survey = load_survey(city)
    assert 4 <= len(survey.sections) <= 6
    assert 15 <= len(survey.questions) <= 20
    assert {q.type for q in survey.questions} == set(surveys.QUESTION_TYPES)


@pytest.mark.parametrize("city", CITIES)
def test_each_city_has_its_own_themes_flagged_as_demo_themes(city):
    survey = load_survey(city)
    assert survey.themes is not None and survey.themes.demo
    assert "Key Strategic Areas" in survey.themes.note
    assert survey.question("theme_budget").options == survey.themes.ids
    assert survey.question("theme_ranking").options == survey.themes.ids
    others = {t for c in CITIES if c != city for t in load_survey(c).themes.ids}
    assert set(survey.themes.ids).isdisjoint(others)


@pytest.mark.parametrize("city", CITIES)
def test_the_district_options_are_the_city_districts(city):
    survey = load_survey(city)
    assert survey.question("district").options == tuple(survey.districts)
    assert len(survey.districts) >= 5


def test_the_kpi_questions_are_there():
    survey = espoo()
    assert survey.question("energy_awareness").type == "likert"
    assert survey.question("sparcs_awareness").type == "likert"
    acceptance = survey.question("acceptance")
    assert acceptance.type == "matrix"
    assert set(acceptance.items) == {
        "solar",
        "heat_pumps",
        "district_heat",
        "ev_charging",
        "smart_heating",
    }
    assert survey.question("theme_budget").total == 100


def test_background_questions_are_optional_and_come_last():
    survey = espoo()
    last = survey.sections[-1]
    assert [q.id for q in last.questions] == ["age_band", "gender", "district", "years_in_city"]
    assert not any(q.required for q in last.questions)
    assert "prefer_not_to_say" in survey.question("gender").options


def speaking(lang: str) -> list[str]:
    """The cities whose residents are served in a language (their city.toml's languages)."""
    from sparcs_engage.cities import load_cities
    from sparcs_engage.settings import REPO_ROOT

    registry = load_cities(REPO_ROOT / "data")
    return [c.id for c in registry.cities.values() if lang in c.languages]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_id_of_the_structure_has_a_text_in_each_language(lang):
    """Everything of the survey, and the themes of each city that speaks the language."""
    texts = survey_texts(lang).texts
    needed = required_text_keys(load_structure(STRUCTURE), speaking(lang))
    missing = sorted(k for k in needed if not isinstance(texts.get(k), str) or not texts[k])
    assert missing == []


def test_a_city_theme_is_needed_only_in_the_languages_of_its_city():
    structure = load_structure(STRUCTURE)
    leipzig_only = required_text_keys(structure, ["leipzig"]) - required_text_keys(
        structure, ["espoo"]
    )
    assert "themes.green_district_heat.label" in leipzig_only
    assert leipzig_only.isdisjoint(required_text_keys(structure, speaking("sv")))
    assert speaking("sv") == ["espoo"] and speaking("de") == ["leipzig"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_is_left_without_an_id_of_the_structure(lang):
    needed = required_text_keys(load_structure(STRUCTURE))
    stale = sorted(
        k
        for k in survey_texts(lang).texts
        if k not in needed and not surveys.is_optional_text_key(k)
    )
    assert stale == []


def test_every_language_has_the_texts_of_the_source_language():
    """A language has every text English has, but the themes of cities that do not speak it."""
    structure = load_structure(STRUCTURE)
    english = set(survey_texts("en").texts)
    for lang in LANGUAGES:
        others = required_text_keys(structure) - required_text_keys(structure, speaking(lang))
        assert english - others - set(survey_texts(lang).texts) == set(), lang


def test_texts_keep_the_placeholders_of_the_english_ones():
    english = survey_texts("en").texts
    for lang in set(LANGUAGES) - {"en"}:
        for key, text in survey_texts(lang).texts.items():
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), key


# Texts that are the same word in English and in a language, and right there.
SAME_AS_ENGLISH = {("sv", "questions.gender.options.man")}


def test_texts_are_not_left_in_english():
    english = survey_texts("en").texts
    for lang in set(LANGUAGES) - {"en"}:
        same = [
            key
            for key, text in survey_texts(lang).texts.items()
            if text == english[key]
            and re.search(r"[A-Za-z]{3}", text)
            and (lang, key) not in SAME_AS_ENGLISH
        ]
        assert same == [], lang


def test_demo_answers_exist_in_every_language():
    for lang, data in text_files().items():
        demo = data["demo_answers"]
        assert demo["vision_text"] and demo["change_place_why"], lang


def test_the_text_files_have_no_duplicate_keys_and_are_valid_toml():
    # tomllib refuses a key defined twice, so loading is the check.
    assert set(text_files()) == set(LANGUAGES)


def test_a_missing_text_is_noticed_when_the_structure_grows():
    data = tomllib.loads(STRUCTURE.read_text(encoding="utf-8"))
    data["sections"][0]["questions"].append(
        {"id": "new_question", "type": "single", "options": ["a", "b"]}
    )
    grown = parse_structure(data, STRUCTURE)
    missing = required_text_keys(grown) - set(survey_texts("en").texts)
    assert missing == {
        "questions.new_question.text",
        "questions.new_question.options.a",
        "questions.new_question.options.b",
    }


def structure_with(change) -> dict:
    data = tomllib.loads(STRUCTURE.read_text(encoding="utf-8"))
    change(data)
    return data


def questions_of(data: dict, section: int = 0) -> list[dict]:
    return data["sections"][section]["questions"]


@pytest.mark.parametrize(
    ("change", "field_part"),
    [
        # the same question id twice, in two sections
        (lambda d: questions_of(d, 1).append(dict(questions_of(d)[0])), "duplicate id housing"),
        # the same option id twice
        (lambda d: questions_of(d)[0]["options"].append("rent"), "duplicate id rent"),
        # the same section id twice
        (lambda d: d["sections"].append(dict(d["sections"][0])), "duplicate section id"),
        # a theme id twice
        (lambda d: d["themes"]["espoo"]["ids"].append("clean_heat"), "duplicate id"),
    ],
)
def test_a_duplicated_id_is_refused(change, field_part):
    with pytest.raises(SurveyDataError, match=field_part):
        parse_structure(structure_with(change), STRUCTURE)


def set_condition(data: dict, condition: dict) -> None:
    questions_of(data, 3)[2]["show_if"] = [condition]  # solar_where


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "no_such_question", "includes": "solar"},
        {"question": "take_part", "equals": "yes"},  # a later question
        {"question": "measures_wanted", "includes": "wind"},  # an unknown option
        {"question": "measures_wanted", "equals": "solar"},  # equals on a multiple choice
        {"question": "energy_awareness", "at_least": 9},  # off the scale
        {"question": "measures_wanted", "contains": "solar"},  # an unknown operator
    ],
)
def test_a_condition_pointing_to_an_unknown_question_or_option_is_refused(condition):
    with pytest.raises(SurveyDataError):
        parse_structure(structure_with(lambda d: set_condition(d, condition)), STRUCTURE)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: questions_of(d)[0].update(type="slider"),
        lambda d: questions_of(d)[0].update(show_iff=[]),
        lambda d: questions_of(d, 1)[3].update(max_length=5000),
        lambda d: questions_of(d)[3].update(max=9),
        lambda d: questions_of(d)[3].update(exclusive=["nothing"]),
        lambda d: d["themes"]["espoo"].update(note=""),
    ],
)
def test_a_broken_structure_is_refused_with_the_field_named(change):
    with pytest.raises(SurveyDataError) as info:
        parse_structure(structure_with(change), STRUCTURE)
    assert str(STRUCTURE) in str(info.value)


def test_an_unknown_city_has_no_survey():
    with pytest.raises(SurveyDataError):
        load_survey("atlantis")


def test_labels_come_from_the_language_and_districts_from_the_map_data():
    survey = espoo()
    fi, de = survey_texts("fi"), survey_texts("de")
    assert fi.option(survey, survey.question("housing"), "rent") == "Vuokralla"
    assert de.option(survey, survey.question("theme_budget"), "clean_heat").startswith("Saubere")
    assert fi.option(survey, survey.question("district"), "suur-tapiola") == "Suur-Tapiola"
    assert de.scale("agreement", 5) == "Stimme voll zu"
    assert fi.hint(survey.question("vision_text")).startswith("Enintään 1\xa0000 merkkiä")
    assert survey_texts("en").hint(survey.question("info_channels")) == "Choose up to 3."
    assert survey_texts("xx").lang == "en"
    sv = survey_texts("sv")
    assert sv.option(survey, survey.question("district"), "suur-tapiola") == "Stor-Hagalund"


def test_every_message_is_a_plain_english_sentence():
    codes = [v for k, v in vars(surveys).items() if k.startswith("E_") and isinstance(v, str)]
    for message in [*codes, *MESSAGES.values()]:
        assert message[0].isupper() and message.endswith("."), message


# --------------------------------------------------------------------------------------------
# Validation, one question type at a time
# --------------------------------------------------------------------------------------------


def test_single_choice():
    assert check("housing", "rent") == "rent"
    assert check("housing", None) is None  # optional
    assert check("housing", "") is None
    assert problem("housing", "castle") == E_UNKNOWN_OPTION
    assert problem("housing", "Vuokralla") == E_UNKNOWN_OPTION  # a label is not an option id
    assert problem("housing", 3) == E_UNKNOWN_OPTION
    assert problem("housing", ["rent"]) == E_UNKNOWN_OPTION


def test_multiple_choice_with_min_and_max():
    # Stored in the order of the structure, duplicates folded.
    assert check("vision_words", ["safe", "green", "safe"]) == ["green", "safe"]
    assert problem("vision_words", []) == E_REQUIRED
    assert problem("vision_words", None) == E_REQUIRED
    assert problem("vision_words", ["green", "calm", "lively", "fair"]) == E_TOO_MANY
    assert check("vision_words", ["green", "calm", "lively", "fair"]).params == {"max": 3}
    assert problem("vision_words", ["green", "purple"]) == E_UNKNOWN_OPTION
    assert problem("vision_words", "green") == E_INVALID
    assert problem("vision_words", [None]) == E_UNKNOWN_OPTION


def test_multiple_choice_minimum():
    survey = espoo()
    q = replace(survey.question("vision_words"), min=2)
    result = validate_answer(survey, q, ["green"])
    assert result == Problem(E_TOO_FEW, {"min": 2})


def test_an_exclusive_option_stands_alone():
    assert check("info_channels", ["no_info"]) == ["no_info"]
    assert problem("info_channels", ["no_info", "local_news"]) == E_EXCLUSIVE


@pytest.mark.parametrize("value", [1, 3, 5, 4.0])
def test_agreement_scale_accepts_one_to_five(value):
    assert check("energy_awareness", value) == int(value)


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", True, float("nan"), 10**100])
def test_agreement_scale_refuses_anything_else(value):
    result = check("energy_awareness", value)
    assert result == Problem(E_SCALE, {"min": 1, "max": 5})


def test_agreement_scale_is_required_where_the_kpi_needs_it():
    assert problem("energy_awareness", None) == E_REQUIRED


def test_matrix_of_agreement():
    good = ESPOO_ANSWERS["energy"]["acceptance"]
    assert check("acceptance", dict(good)) == good
    assert problem("acceptance", {**good, "solar": None}) == E_MATRIX_ROWS
    assert problem("acceptance", {**good, "solar": 7}) == E_SCALE
    assert problem("acceptance", {**good, "wind": 3}) == E_UNKNOWN_OPTION
    assert problem("acceptance", [5, 4, 4, 3, 4]) == E_INVALID
    assert problem("acceptance", {}) == E_REQUIRED


def test_ranking():
    assert check("theme_ranking", ["circular_economy", "clean_heat"]) == [
        "circular_economy",
        "clean_heat",
    ]
    assert problem("theme_ranking", ["clean_heat", "clean_heat"]) == E_RANK_DUPLICATE
    four = ["clean_heat", "rail_and_cycling", "lively_centres", "nature_and_shore"]
    assert check("theme_ranking", four) == Problem(E_TOO_MANY, {"max": 3})
    # Leipzig's themes are not Espoo's options.
    assert problem("theme_ranking", ["green_district_heat"]) == E_UNKNOWN_OPTION
    assert problem("theme_ranking", []) == E_REQUIRED
    assert problem("theme_ranking", "clean_heat") == E_INVALID


def test_budget_spreads_exactly_one_hundred_points():
    good = ESPOO_ANSWERS["priorities"]["theme_budget"]
    assert check("theme_budget", good) == good
    # Themes left out count as zero points.
    assert check("theme_budget", {"clean_heat": 100})["circular_economy"] == 0
    assert check("theme_budget", {**good, "clean_heat": 30}) == Problem(
        E_BUDGET_SUM, {"total": 100, "given": 90}
    )
    assert check("theme_budget", {"clean_heat": 150, "lively_centres": -50}) == Problem(
        E_POINTS, {"total": 100}
    )
    assert problem("theme_budget", {"clean_heat": 50.5, "lively_centres": 49.5}) == E_POINTS
    assert problem("theme_budget", {"clean_heat": "100"}) == E_POINTS
    assert problem("theme_budget", {"green_district_heat": 100}) == E_UNKNOWN_OPTION
    assert problem("theme_budget", dict.fromkeys(good, 0)) == E_REQUIRED


def test_place_on_the_map_finds_its_district():
    answer = check("change_place", {"lat": 60.2185, "lon": 24.8110})
    assert answer == {"lat": 60.2185, "lon": 24.811, "district": "suur-leppavaara"}


def test_place_from_the_district_list_without_the_map():
    answer = check("change_place", {"district": "vanha-espoo"})
    assert answer == {"lat": None, "lon": None, "district": "vanha-espoo"}


@pytest.mark.parametrize(
    ("raw", "msgid"),
    [
        ({"lat": 51.34, "lon": 12.37}, E_PLACE_OUTSIDE),  # Leipzig, not Espoo
        ({"lat": 60.2}, E_PLACE),
        ({"lat": "60.2", "lon": "24.8"}, E_PLACE),
        ({"lat": float("nan"), "lon": 24.8}, E_PLACE),
        ({"lat": 200, "lon": 24.8}, E_PLACE),
        ({"district": "mitte"}, E_UNKNOWN_OPTION),
        ({"lat": 60.2, "lon": 24.8, "url": "x"}, E_PLACE),
        ("Tapiola", E_PLACE),
    ],
)
def test_place_refuses_what_is_not_a_place_in_the_city(raw, msgid):
    assert problem("change_place", raw) == msgid


def test_open_text_is_stored_as_typed():
    typed = "<script>alert('x')</script> **bold** =HYPERLINK(\"http://x\")"
    assert check("vision_text", typed) == typed


def test_open_text_drops_only_what_cannot_be_stored():
    assert check("vision_text", "  a\x00b\u200b\r\nc \ud800 ") == "ab\u200b\nc"
    assert check("vision_text", "Cafe\u0301 ☀️ Lähiö") == "Café ☀️ Lähiö"


def test_open_text_has_a_visible_length_limit():
    assert check("vision_text", "x" * 1000) == "x" * 1000
    assert check("vision_text", "x" * 1001) == Problem(
        E_TEXT_TOO_LONG, {"max": 1000, "length": 1001}
    )
    assert problem("vision_text", "x" * 1_000_000) == E_TEXT_TOO_LONG


def test_open_text_empty_or_not_text():
    assert check("vision_text", "   \n ") is None
    assert problem("vision_text", 42) == E_INVALID
    assert problem("vision_text", ["a"]) == E_INVALID


# --------------------------------------------------------------------------------------------
# Conditions and skipping
# --------------------------------------------------------------------------------------------


def test_a_question_shows_only_when_its_condition_holds():
    solar_where = espoo().question("solar_where")
    assert solar_where.visible({"measures_wanted": ["solar", "heat_pumps"]})
    assert not solar_where.visible({"measures_wanted": ["heat_pumps"]})
    assert not solar_where.visible({})


def test_a_section_whose_questions_are_all_hidden_is_skipped():
    survey = espoo()
    tenant = {"housing": "rent"}
    owner = {"housing": "own_flat"}
    assert "home" not in [s.id for s in survey.visible_sections(tenant)]
    assert survey.next_section("energy", tenant) == "about_you"
    assert survey.next_section("energy", owner) == "home"
    assert survey.previous_section("about_you", tenant) == "energy"
    assert survey.previous_section("today", tenant) is None
    assert survey.next_section("about_you", tenant) == REVIEW
    # "Part n of 6" whatever was answered: the total does not jump from 5 to 6 on the way.
    assert survey.progress("about_you", tenant) == (6, 6)
    assert survey.progress("about_you", owner) == (6, 6)
    assert survey.progress("today", {}) == (1, 6)
    assert survey.progress("energy", tenant) == survey.progress("energy", owner)


def test_the_why_question_follows_the_place_question():
    survey = espoo()
    assert not survey.question("change_place_why").visible({})
    assert survey.question("change_place_why").visible({"change_place": {"district": "x"}})


# --------------------------------------------------------------------------------------------
# Drafts, resume, submit, delete (SQLite, and PostgreSQL when configured)
# --------------------------------------------------------------------------------------------


def test_starting_needs_consent_and_a_known_city(engine):
    with Session(engine) as session:
        assert start(session=session, city="espoo", lang="fi", consented=False).error == (
            CONSENT_REQUIRED
        )
        assert start(session=session, city="atlantis", lang="fi", consented=True).error == (
            UNKNOWN_CITY
        )
        assert session.exec(select(Respondent)).all() == []


def test_a_new_response_keeps_the_notice_version_and_the_language(engine):
    with Session(engine) as session:
        started = start(session=session, city="espoo", lang="de-AT", consented=True)
        session.commit()
        response = session.get(SurveyResponse, started.response_id)
        assert response.consent_version == PRIVACY_NOTICE_VERSION
        assert response.lang == "de"
        assert response.status == "draft"
        assert response.current_section == started.section_id == "today"
        assert response.started_at.tzinfo is not None


def test_a_step_stores_option_ids_never_labels(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        step = save_step(
            session=session,
            response_id=started.response_id,
            section_id="today",
            raw_answers=ESPOO_ANSWERS["today"],
        )
        session.commit()
        assert step.ok and step.section_id == "vision"
        rows = session.exec(select(SurveyAnswer).order_by(SurveyAnswer.id)).all()
        assert [(r.question_id, r.item, r.value) for r in rows] == [
            ("housing", "own_flat", None),
            ("energy_awareness", None, 4.0),
            ("sparcs_awareness", None, 2.0),
            ("info_channels", "city_website", None),
            ("info_channels", "local_news", None),
        ]


def test_every_answer_kind_lands_in_its_column(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        session.commit()
        rows = session.exec(select(SurveyAnswer)).all()
        by_question = {}
        for row in rows:
            by_question.setdefault(row.question_id, []).append(row)
        ranks = {r.item: r.value for r in by_question["theme_ranking"]}
        assert ranks == {"clean_heat": 1, "nature_and_shore": 2, "rail_and_cycling": 3}
        assert sum(r.value for r in by_question["theme_budget"]) == 100
        assert len(by_question["theme_budget"]) == 6
        place = by_question["change_place"][0]
        assert (place.item, place.lat, place.lon) == ("suur-leppavaara", 60.2185, 24.811)
        text = by_question["vision_text"][0]
        assert text.text == ESPOO_ANSWERS["vision"]["vision_text"]
        assert text.moderation == "pending"
        assert {r.item: r.value for r in by_question["acceptance"]}["solar"] == 5


def test_odd_text_is_stored_on_every_backend_as_typed_minus_invisible_tricks(engine):
    """Umlauts, emoji, markup and formulas are kept as typed; NUL cannot be stored, and a
    right-to-left override (which would show "gnp.exe" as "exe.png") is taken out."""
    typed = "Ääkköset ☀️ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202eRTL <b>x</b> =1+1 \u0000end"
    with Session(engine) as session:
        started = start_espoo(session)
        vision = {**ESPOO_ANSWERS["vision"], "vision_text": typed}
        assert save_step(
            session=session,
            response_id=started.response_id,
            section_id="vision",
            raw_answers=vision,
        ).ok
        session.commit()
    with Session(engine) as session:
        stored = session.exec(
            select(SurveyAnswer.text).where(SurveyAnswer.question_id == "vision_text")
        ).one()
        assert stored == typed.replace("\u0000", "").replace("\u202e", "")


def test_a_tenant_moves_from_energy_straight_to_the_background_questions(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        tenant = {**ESPOO_ANSWERS["today"], "housing": "rent"}
        for section_id, raw in [("today", tenant), ("energy", ESPOO_ANSWERS["energy"])]:
            step = save_step(
                session=session,
                response_id=started.response_id,
                section_id=section_id,
                raw_answers=raw,
            )
        assert step.section_id == "about_you"
        session.commit()
        assert resume(session=session, code=started.code).current_section == "about_you"


def test_an_invalid_step_names_each_question_and_saves_nothing(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        step = save_step(
            session=session,
            response_id=started.response_id,
            section_id="today",
            raw_answers={
                "housing": "castle",
                "energy_awareness": 9,
                "info_channels": ["a", "b"],
            },
        )
        assert not step.ok and step.error == INVALID and step.section_id == "today"
        assert step.errors == {
            "housing": E_UNKNOWN_OPTION,
            "energy_awareness": E_SCALE,
            "sparcs_awareness": E_REQUIRED,
            "info_channels": E_UNKNOWN_OPTION,
        }
        assert step.params["energy_awareness"] == {"min": 1, "max": 5}
        assert session.exec(select(SurveyAnswer)).all() == []


def test_saving_a_section_again_replaces_its_answers_only(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        again = {**ESPOO_ANSWERS["today"], "info_channels": ["events"]}
        assert save_step(
            session=session, response_id=started.response_id, section_id="today", raw_answers=again
        ).ok
        session.commit()
        channels = session.exec(
            select(SurveyAnswer.item).where(SurveyAnswer.question_id == "info_channels")
        ).all()
        assert channels == ["events"]
        assert session.exec(
            select(SurveyAnswer).where(SurveyAnswer.question_id == "theme_budget")
        ).all()


def test_answers_to_hidden_questions_and_unknown_ids_are_not_stored(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        energy = {
            **ESPOO_ANSWERS["energy"],
            "measures_wanted": ["heat_pumps"],
            "solar_where": "own_roof",
            "forged_question": "x",
        }
        step = save_step(
            session=session,
            response_id=started.response_id,
            section_id="energy",
            raw_answers=energy,
        )
        assert step.ok
        ids = set(session.exec(select(SurveyAnswer.question_id)).all())
        assert "solar_where" not in ids and "forged_question" not in ids


def test_a_forged_section_or_response_gets_a_clear_code(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        args = {"session": session, "raw_answers": {}}
        assert save_step(response_id=started.response_id, section_id="admin", **args).error == (
            UNKNOWN_SECTION
        )
        assert save_step(response_id="not-a-uuid", section_id="today", **args).error == NOT_FOUND
        assert save_step(response_id=uuid.uuid4(), section_id="today", **args).error == NOT_FOUND
        assert submit(session=session, response_id="x").error == NOT_FOUND


def test_resume_by_code_on_another_device_finds_the_draft_and_the_section(engine):
    with Session(engine) as first_device:
        started = start_espoo(first_device)
        save_step(
            session=first_device,
            response_id=started.response_id,
            section_id="today",
            raw_answers=ESPOO_ANSWERS["today"],
        )
        first_device.commit()

    with Session(engine) as other_device:
        draft = resume(session=other_device, code=started.code.lower().replace("-", " "))
        assert draft is not None
        assert draft.response_id == started.response_id
        assert draft.status == "draft"
        assert draft.current_section == "vision"
        assert dict(draft.answers) == {
            **ESPOO_ANSWERS["today"],
            "info_channels": ["city_website", "local_news"],
        }


def test_resume_gives_back_every_answer_in_the_shape_it_was_given(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        session.commit()
    with Session(engine) as session:
        draft = resume(session=session, code=started.code)
        expected = {k: v for section in ESPOO_ANSWERS.values() for k, v in section.items()}
        expected["info_channels"] = ["city_website", "local_news"]
        expected["change_place"] = {"lat": 60.2185, "lon": 24.811, "district": "suur-leppavaara"}
        assert dict(draft.answers) == expected
        assert draft.current_section == REVIEW


@pytest.mark.parametrize("code", [None, "", "K7QM-4TX0", "<script>", "x" * 500])
def test_resume_with_a_wrong_code_finds_nothing(engine, code):
    with Session(engine) as session:
        start_espoo(session)
        assert resume(session=session, code=code) is None
        assert resume(session=session, code=new_code()) is None


def test_submit_needs_every_required_answer_and_points_to_the_section(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        save_step(
            session=session,
            response_id=started.response_id,
            section_id="today",
            raw_answers=ESPOO_ANSWERS["today"],
        )
        result = submit(session=session, response_id=started.response_id)
        assert result.error == INCOMPLETE
        assert result.section_id == "vision"
        assert result.errors["theme_budget"] == E_REQUIRED
        assert session.get(SurveyResponse, started.response_id).status == "draft"


def test_a_second_submission_is_refused_politely(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        first = submit(session=session, response_id=started.response_id)
        session.commit()
        assert first.ok and first.section_id == REVIEW
        second = submit(session=session, response_id=started.response_id)
        assert not second.ok and second.error == ALREADY_SUBMITTED
        assert ALREADY_SUBMITTED in MESSAGES
        late = save_step(
            session=session,
            response_id=started.response_id,
            section_id="today",
            raw_answers=ESPOO_ANSWERS["today"],
        )
        assert late.error == ALREADY_SUBMITTED
        response = session.get(SurveyResponse, started.response_id)
        assert response.status == "submitted" and response.submitted_at is not None
        assert resume(session=session, code=started.code).status == "submitted"


def test_one_response_per_respondent_is_enforced_by_the_database(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        session.commit()
        respondent = find_respondent(session=session, code=started.code)
        session.add(
            SurveyResponse(
                respondent_id=respondent.id,
                city="espoo",
                survey_id=SURVEY_ID,
                survey_version="x",
                consent_version="x",
                lang="fi",
                current_section="today",
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_submit_drops_answers_that_a_later_change_hid(engine):
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        tenant = {**ESPOO_ANSWERS["today"], "housing": "rent"}
        step = save_step(
            session=session, response_id=started.response_id, section_id="today", raw_answers=tenant
        )
        assert step.section_id == "vision"
        assert submit(session=session, response_id=started.response_id).ok
        session.commit()
        ids = set(session.exec(select(SurveyAnswer.question_id)).all())
        assert not ids & {"home_plans", "home_obstacles"}
        assert "theme_budget" in ids


def test_one_client_sending_many_answers_is_slowed_down_but_nobody_else(engine):
    """A limit per client: a scripted client can no longer hold up a whole city, as a limit
    per city did."""
    limit = Limit(attempts=3, window_s=3600)
    script = Client(browser="script", address="198.51.100.7")
    submitted_respondents(engine, 3, client=script, limit=limit)
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        burst = submit(session=session, response_id=started.response_id, client=script, limit=limit)
        assert burst.error == RATE_LIMITED and burst.retry_after_s == 3600
        assert session.get(SurveyResponse, started.response_id).status == "draft"
        # A resident in another browser, at another address, is not slowed down at all.
        resident = Client(browser="b1", address="203.0.113.5")
        assert submit(
            session=session, response_id=started.response_id, client=resident, limit=limit
        ).ok


def test_a_script_that_drops_its_cookie_is_held_by_its_address(engine):
    limit = Limit(attempts=1, window_s=3600)  # 20 for the address
    script = Client(browser="", address="198.51.100.9")
    submitted_respondents(engine, 20, client=script, limit=limit)
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        assert (
            submit(
                session=session, response_id=started.response_id, client=script, limit=limit
            ).error
            == RATE_LIMITED
        )


def test_a_browser_gets_the_limit_and_its_address_twenty_times_as_much(engine):
    limit = Limit(attempts=2, window_s=3600)
    library = "192.0.2.10"
    first, second = Client("browser-a", library), Client("browser-b", library)
    submitted_respondents(engine, 2, client=first, limit=limit)
    with Session(engine) as session:
        started = start_espoo(session)
        answer_all(session, started.response_id)
        assert (
            submit(
                session=session, response_id=started.response_id, client=first, limit=limit
            ).error
            == RATE_LIMITED
        )
        # Another browser at the same library is not held up by the first.
        assert submit(
            session=session, response_id=started.response_id, client=second, limit=limit
        ).ok


def test_missing_answers_are_reported_before_the_rate_limit(engine):
    client = Client("b", "192.0.2.1")
    submitted_respondents(engine, 1, client=client, limit=Limit(1, 60))
    with Session(engine) as session:
        started = start_espoo(session)
        result = submit(
            session=session, response_id=started.response_id, client=client, limit=Limit(1, 60)
        )
        assert result.error == INCOMPLETE and result.section_id == "today"


def test_starting_drafts_is_limited_per_client(engine, monkeypatch):
    monkeypatch.setenv("SPARCS_DRAFTS_PER_HOUR", "2")
    client = Client("b", "192.0.2.1")
    with Session(engine) as session:
        for _ in range(2):
            assert start(session=session, city="espoo", lang="fi", consented=True, client=client).ok
        refused = start(session=session, city="espoo", lang="fi", consented=True, client=client)
        assert refused.error == RATE_LIMITED
        assert start(
            session=session, city="espoo", lang="fi", consented=True, client=Client("c", "x")
        ).ok


def test_deleting_by_code_removes_the_response_and_its_answers(engine):
    codes = submitted_respondents(engine, 1)
    with Session(engine) as session:
        assert session.exec(select(SurveyAnswer)).all()
        assert delete_response(session=session, code=codes[0])
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(SurveyAnswer)).all() == []
        assert session.exec(select(SurveyResponse)).all() == []
        assert resume(session=session, code=codes[0]) is None
        assert not delete_response(session=session, code=codes[0])
        assert not delete_response(session=session, code="<script>")


def test_deleting_the_respondent_cascades_to_the_survey(engine):
    from sparcs_engage.respondents import delete_respondent

    codes = submitted_respondents(engine, 1)
    with Session(engine) as session:
        assert delete_respondent(session=session, code=codes[0])
        session.commit()
        assert session.exec(select(SurveyAnswer)).all() == []
        assert session.exec(select(SurveyResponse)).all() == []


# --------------------------------------------------------------------------------------------
# Moderation and results
# --------------------------------------------------------------------------------------------


def test_open_answers_are_public_only_after_approval(engine):
    codes = submitted_respondents(engine, MIN_GROUP)
    with Session(engine) as session:
        draft = start_espoo(session)  # a draft's text is never in the list
        answer_all(session, draft.response_id)
        pending = list_pending(session=session, city="espoo")
        assert len(pending) == 2 * MIN_GROUP
        assert {p.question_id for p in pending} == {"vision_text", "change_place_why"}
        typed = ESPOO_ANSWERS["vision"]["vision_text"]
        assert typed in {p.text for p in pending}
        assert results(session=session, city="espoo").open_answers["vision_text"] == []

        first, second = [p for p in pending if p.question_id == "vision_text"][:2]
        assert moderate(
            session=session, answer_id=first.answer_id, decision="approved", moderator="staff.a"
        )
        assert moderate(
            session=session, answer_id=second.answer_id, decision="rejected", moderator="staff.a"
        )
        session.commit()
        published = results(session=session, city="espoo").open_answers["vision_text"]
        assert published == [typed]  # exactly as typed: the page shows it as text
        assert len(list_pending(session=session, city="espoo")) == 2 * MIN_GROUP - 2
        assert list_pending(session=session, city="leipzig") == []
        log = session.exec(select(AuditEvent)).all()
        assert [e.action for e in log] == ["moderate_open_answer"] * 2
        assert all(e.actor == "staff.a" for e in log)
        assert not moderate(session=session, answer_id=10**9, decision="approved", moderator="x")
        with pytest.raises(ValueError):
            moderate(session=session, answer_id=first.answer_id, decision="maybe", moderator="x")
    assert codes


def test_results_are_not_shown_below_five_respondents(engine):
    submitted_respondents(engine, MIN_GROUP - 1)
    with Session(engine) as session:
        assert results(session=session, city="espoo") is None
    submitted_respondents(engine, 1)
    with Session(engine) as session:
        shown = results(session=session, city="espoo")
        assert shown is not None and shown.respondents == MIN_GROUP


def test_results_count_and_share_every_closed_question(engine):
    submitted_respondents(engine, MIN_GROUP)
    with Session(engine) as session:
        # A draft is not counted.
        answer_all(session, start_espoo(session).response_id)
        shown = results(session=session, city="espoo")
    assert shown.respondents == MIN_GROUP
    housing = shown.questions["housing"]
    assert housing.respondents == MIN_GROUP
    assert housing.counts == {"own_house": 0, "own_flat": 5, "rent": 0, "other_housing": 0}
    assert housing.shares["own_flat"] == 1.0
    channels = shown.questions["info_channels"]
    assert channels.counts["local_news"] == 5 and channels.shares["local_news"] == 1.0
    awareness = shown.questions["energy_awareness"]
    assert awareness.counts == {"1": 0, "2": 0, "3": 0, "4": 5, "5": 0}
    assert awareness.mean == 4.0
    acceptance = shown.questions["acceptance"]
    assert acceptance.rows["solar"].counts["5"] == 5
    assert acceptance.means["ev_charging"] == 3.0
    budget = shown.questions["theme_budget"]
    assert budget.means["clean_heat"] == 40.0 and budget.shares["clean_heat"] == 0.4
    assert budget.counts["circular_economy"] == 5
    ranking = shown.questions["theme_ranking"]
    assert ranking.means["nature_and_shore"] == 2.0 and ranking.counts["lively_centres"] == 0
    assert shown.top_places == [("suur-leppavaara", 5, 1.0)]
    assert "vision_text" not in shown.questions


def test_a_question_answered_by_fewer_than_five_is_suppressed(engine):
    submitted_respondents(engine, MIN_GROUP - 2)
    without_solar = {
        **ESPOO_ANSWERS,
        "energy": {**ESPOO_ANSWERS["energy"], "measures_wanted": ["heat_pumps"]},
    }
    submitted_respondents(engine, 2, answers=without_solar)
    with Session(engine) as session:
        shown = results(session=session, city="espoo")
    assert shown.respondents == MIN_GROUP
    solar_where = shown.questions["solar_where"]
    assert solar_where.suppressed and solar_where.respondents is None and not solar_where.counts
    assert not shown.questions["measures_wanted"].suppressed


def test_a_breakdown_of_fewer_than_five_is_not_shown(engine):
    submitted_respondents(engine, MIN_GROUP + 2)
    other = {**ESPOO_ANSWERS, "about_you": {"district": "vanha-espoo"}}
    submitted_respondents(engine, 2, answers=other)
    with Session(engine) as session:
        assert results(session=session, city="espoo", where=("district", "vanha-espoo")) is None
        group = results(session=session, city="espoo", where=("district", "suur-leppavaara"))
        assert group.respondents == MIN_GROUP + 2
        assert group.questions["district"].counts["vanha-espoo"] == 0
        with pytest.raises(KeyError):
            results(session=session, city="espoo", where=("no_such_question", "x"))


def test_results_of_one_city_leave_the_other_out(engine):
    submitted_respondents(engine, MIN_GROUP)
    with Session(engine) as session:
        assert results(session=session, city="leipzig") is None


# --------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("city", CITIES)
def test_demo_responses_are_submitted_plausible_and_marked(engine, city):
    with Session(engine) as session:
        made = demo_responses(session=session, city=city, n=120, seed=7, batch_size=50)
        session.commit()
        assert made == 120
        responses = session.exec(select(SurveyResponse)).all()
        assert len(responses) == 120
        assert all(r.is_demo and r.status == "submitted" and r.city == city for r in responses)
        assert all(r.submitted_at < utcnow() for r in responses)
        assert len(session.exec(select(Respondent)).all()) == 120

        # Every demo answer is one a resident could have given.
        survey = load_survey(city)
        for response in responses[:40]:
            answers = _stored_answers(session, survey, response.id)
            assert answers == surveys.visible_answers(survey, answers)
            for question_id, answer in answers.items():
                checked = validate_answer(survey, survey.question(question_id), answer)
                assert not isinstance(checked, Problem), (question_id, answer, checked)

        shown = results(session=session, city=city)
        assert shown.respondents == 120
        assert shown.top_places
        assert any(shown.open_answers.values())
        assert list_pending(session=session, city=city)
        # Demo data is left out on request, and never slows down real residents.
        assert results(session=session, city=city, include_demo=False) is None


def test_demo_responses_with_the_same_seed_can_be_loaded_twice(engine):
    with Session(engine) as session:
        demo_responses(session=session, city="espoo", n=30, seed=3)
        demo_responses(session=session, city="espoo", n=30, seed=3)
        session.commit()
        assert len(session.exec(select(SurveyResponse)).all()) == 60


def test_the_structure_file_is_where_the_survey_comes_from():
    assert espoo().path == STRUCTURE
    assert Path(STRUCTURE).is_file()


def test_a_resident_with_a_footprint_code_keeps_it_for_the_survey(engine):
    """One code per resident: the survey started with the footprint's code is under it, and
    deleting by that code removes both."""
    from sparcs_engage.models import FootprintRecord, Respondent
    from sparcs_engage.privacy import delete_by_code
    from sparcs_engage.respondents import create_respondent

    with Session(engine) as session:
        respondent, code = create_respondent(session=session, city="espoo")
        session.add(
            FootprintRecord(
                respondent_id=respondent.id,
                city="espoo",
                country="FI",
                answers={},
                total_kg=9000,
                housing_kg=2000,
                mobility_kg=3000,
                food_kg=2000,
                goods_services_kg=2000,
                factor_version="test",
                consent_version="test",
            )
        )
        started = start(session=session, city="espoo", lang="fi", consented=True, code=code.lower())
        assert started.ok and started.code == code
        response = session.get(SurveyResponse, started.response_id)
        assert response.respondent_id == respondent.id
        # A second survey under the same code is not possible: a new code is made.
        again = start(session=session, city="espoo", lang="fi", consented=True, code=code)
        assert again.code != code
        # A code of another city is not taken over.
        other = start(session=session, city="leipzig", lang="de", consented=True, code=code)
        assert other.code != code
        session.commit()
        deleted = delete_by_code(session=session, code=code, actor="test")
        session.commit()
        assert (deleted.survey_responses, deleted.footprints) == (1, 1)
        assert session.get(Respondent, respondent.id) is None
