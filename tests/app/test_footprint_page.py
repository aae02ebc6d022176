"""The footprint calculator (/footprint) and its method page (/method) under AppTest, in fi,
de and en: the whole flow, numbers as residents type them, messages instead of dead ends, no
car, switches that keep the answers, look-up and delete that agree, and one code per
resident."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from sparcs_engage.cities import load_city
from sparcs_engage.db import get_engine
from sparcs_engage.footprint import (
    TARGETS_KG,
    calculate,
    city_plans,
    planned_factors,
    validate_answers,
    with_every_action,
)
from sparcs_engage.i18n import translator
from sparcs_engage.respondents import create_respondent
from sparcs_engage.settings import load_settings
from sparcs_engage.ui.layout import tonnes

from .conftest import assert_no_english, open_page

PAGE = "views/public/footprint.py"
METHOD = "views/public/method.py"
CITY = {"fi": "espoo", "de": "leipzig", "en": "espoo"}


def through_the_steps(at):
    for _ in range(3):
        at.button(key="fp_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [i.value for i in at.info]
        + [s.value for s in at.success]
        + [w.value for w in at.warning]
        + [e.value for e in at.error]
    )


def answers(at) -> dict:
    return at.session_state["fp_answers"]


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
def test_whole_flow_result_parts_plans_save_look_up_and_delete(lang):
    t = translator(lang)
    at = open_page(PAGE, lang=lang, city=CITY[lang])
    assert at.header[0].value == t("Your home")
    if lang != "en":
        assert_no_english(at, lang)
    through_the_steps(at)
    assert at.metric[0].label == t("Your carbon footprint a year")
    assert "t CO₂e" in at.metric[0].value
    # the answer and the two charts that draw it
    assert len(at.get("vega_lite_chart")) == 2
    subheaders = [s.value for s in at.subheader]
    assert t("What you decide, and what you don't") in subheaders
    assert t("What your city's plans change for you") in subheaders
    labels = [m.label for m in at.metric]
    assert t("Your own choices") in labels and t("Public services for everyone") in labels
    # the honest message: with the average resident's answers, every step and the city's
    # plans, the footprint stays above the 1.5-degree target of 2.5 t for 2030
    mine = validate_answers(answers(at))
    city = load_city(load_settings().data_dir / "cities" / CITY[lang])
    plans = city_plans(str(city.folder), city.id, city.country)
    best = with_every_action(mine, planned_factors(mine, plans) if plans else None).lifestyle_kg
    assert best > TARGETS_KG[2030]
    saving = calculate(mine).lifestyle_kg - with_every_action(mine).lifestyle_kg
    # the figures in the page's format, each number held to its unit by a no-break space
    assert tonnes(t, TARGETS_KG[2030]) in {"2,5\u00a0t CO₂e", "2.5\u00a0t CO₂e"}
    assert at.info[0].value == t(
        "Even if you took every step below, and with your city's plans, your footprint "
        "would still be about {best} a year: more than the 1.5-degree target of "
        "{target} for 2030. Nobody can reach it by personal choices alone. The food, "
        "goods and services we all buy have to be made with much less emissions too. "
        "Your steps still count: together they cut about {saving} a year.",
        best=tonnes(t, best),
        target=tonnes(t, TARGETS_KG[2030]),
        saving=tonnes(t, saving),
    )
    if lang != "en":
        assert_no_english(at, lang)

    pledges = [box for box in at.checkbox if box.key.startswith("fp_pledge_")]
    assert 1 <= len(pledges) <= 5
    for box in pledges[:2]:
        box.check()
    assert at.button(key="fp_save").disabled, "nothing can be saved before consent"
    at.checkbox(key="fp_consent").check().run()
    at.button(key="fp_save").click().run()
    code = at.code[0].value
    assert at.session_state["resident_code"] == code
    at.text_input(key="fp_lookup_code").input(code).run()
    at.button(key="fp_lookup").click().run()
    assert len([m for m in at.markdown if m.value.startswith("✓ ")]) == 2
    # the answer stays when the page runs again for another reason
    at.run()
    assert len([m for m in at.markdown if m.value.startswith("✓ ")]) == 2

    at.button(key="fp_delete").click().run()
    assert at.success[-1].value == t("Your result and your chosen actions are deleted.")
    # look-up and delete agree: the page no longer calls the deleted code saved
    assert t("Saved. Thank you! Keep this code to look at or delete your result later:") not in [
        s.value for s in at.success
    ]
    assert not at.code
    assert "resident_code" not in at.session_state
    at.button(key="fp_lookup").click().run()
    assert at.warning[-1].value == t("We found no saved result with this code. Please check it.")


@pytest.mark.parametrize(
    ("lang", "flights", "km", "shown_km"),
    [("de", "1,5", "12.000", "12.000"), ("fi", "1,5", "12.000", "12\u00a0000")],
)
def test_numbers_are_read_and_shown_the_way_the_language_writes_them(lang, flights, km, shown_km):
    at = open_page(PAGE, lang=lang, city=CITY[lang])
    at.button(key="fp_next").click().run()
    at.text_input(key="fp_flights_short_per_year").input(flights)
    at.text_input(key="fp_car_km_per_year").input(km).run()
    assert answers(at)["flights_short_per_year"] == 1.5
    assert answers(at)["car_km_per_year"] == 12000
    assert at.text_input(key="fp_car_km_per_year").value == shown_km
    assert at.text_input(key="fp_car_occupancy").value in ("1,4", "1,5")  # not "1.4"


def test_german_number_typed_without_grouping_is_shown_with_it():
    at = open_page(PAGE, lang="de", city="leipzig")
    at.text_input(key="fp_floor_area_m2").input("1234,5").run()
    assert at.text_input(key="fp_floor_area_m2").value == "1.234,5"


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
def test_out_of_range_and_unreadable_numbers_get_a_message_not_a_dead_end(lang):
    t = translator(lang)
    at = open_page(PAGE, lang=lang, city=CITY[lang])
    at.text_input(key="fp_floor_area_m2").input("5")
    at.text_input(key="fp_household_size").input("many").run()
    at.button(key="fp_next").click().run()
    assert at.header[0].value == t("Your home"), "the step stays until the answers are right"
    errors = [e.value for e in at.error]
    assert (
        t(
            "Enter the floor area of your home in square metres, from {min} to {max}.",
            min=t.typed_number(10),
            max=t.typed_number(1000),
        )
        in errors
    )
    assert t("Enter a number, for example {example}.", example=t.typed_number(1.5)) in errors
    assert t("Please check the answers marked above.") in [w.value for w in at.warning]
    if lang != "en":
        assert_no_english(at, lang)
    at.text_input(key="fp_floor_area_m2").input("50")
    at.text_input(key="fp_household_size").input("2").run()
    at.button(key="fp_next").click().run()
    assert at.header[0].value == t("Getting around")


def test_unusual_answers_are_a_warning_the_resident_can_override():
    t = translator("de")
    at = open_page(PAGE, lang="de", city="leipzig")
    at.text_input(key="fp_heat_kwh").input("12").run()  # 12 kWh for 92 m²: MWh meant?
    at.button(key="fp_next").click().run()
    assert at.header[0].value == t("Your home")
    assert any("12.000\u00a0kWh" in w.value for w in at.warning)  # kept to its unit
    at.button(key="fp_next").click().run()  # it is right: go on anyway
    assert at.header[0].value == t("Getting around")


def test_no_car_hides_and_clears_the_kilometres():
    at = open_page(PAGE, lang="de", city="leipzig")
    at.button(key="fp_next").click().run()
    assert answers(at)["car_km_per_year"] > 0
    at.selectbox(key="fp_car_fuel").set_value("none").run()
    keys = {field.key for field in at.text_input}
    assert "fp_car_km_per_year" not in keys and "fp_car_occupancy" not in keys
    assert answers(at)["car_km_per_year"] == 0
    at.button(key="fp_next").click().run()
    at.button(key="fp_next").click().run()
    assert not at.exception and at.metric, "no car is accepted"


def test_switching_the_city_keeps_what_was_entered():
    at = open_page(PAGE, lang="en", city="espoo")
    at.text_input(key="fp_floor_area_m2").input("123").run()
    at.button(key="fp_next").click().run()
    at.query_params["city"] = "leipzig"
    at.run()
    assert at.header[0].value == translator("en")("Getting around"), "the step is kept"
    assert answers(at)["floor_area_m2"] == 123  # entered: kept
    assert answers(at)["heating"] == "gas"  # not entered: the German average
    assert answers(at)["country"] == "DE"


def test_switching_the_language_keeps_what_was_entered():
    at = open_page(PAGE, lang="de", city="leipzig")
    at.button(key="fp_next").click().run()
    at.text_input(key="fp_flights_medium_per_year").input("1,5").run()
    at.query_params["lang"] = "en"
    at.run()
    assert at.header[0].value == "Getting around"
    assert answers(at)["flights_medium_per_year"] == 1.5
    assert at.text_input(key="fp_flights_medium_per_year").value == "1.5"


def test_the_summer_cottage_is_asked_in_finland_only():
    fi = open_page(PAGE, lang="fi", city="espoo")
    assert "fp_cottage" in {r.key for r in fi.radio}
    de = open_page(PAGE, lang="de", city="leipzig")
    assert "fp_cottage" not in {r.key for r in de.radio}


def test_a_vegan_is_not_asked_about_dairy_and_cheese():
    at = open_page(PAGE, lang="en", city="espoo")
    at.button(key="fp_next").click().run()
    at.button(key="fp_next").click().run()
    assert {"fp_dairy", "fp_cheese"} <= {r.key for r in at.radio}
    at.radio(key="fp_diet").set_value("vegan").run()
    assert not {"fp_dairy", "fp_cheese"} & {r.key for r in at.radio}


def test_the_result_is_saved_under_the_residents_code_from_the_survey():
    engine = get_engine(load_settings().database_url)
    with Session(engine) as session:
        _respondent, code = create_respondent(session=session, city="espoo")
        session.commit()
    at = open_page(PAGE, lang="fi", city="espoo")
    at.session_state["resident_code"] = code
    through_the_steps(at)
    t = translator("fi")
    choice = at.radio(key="fp_code_choice")
    assert choice.value == "mine"
    assert t("Save under your code {code}", code=code) in choice.options
    at.checkbox(key="fp_consent").check().run()
    at.button(key="fp_save").click().run()
    assert at.code[0].value == code
    assert at.session_state["resident_code"] == code


def test_a_new_code_can_be_chosen_instead():
    at = open_page(PAGE, lang="en", city="espoo")
    at.session_state["resident_code"] = "K7QM-4TXA"
    through_the_steps(at)
    at.radio(key="fp_code_choice").set_value("new")
    at.checkbox(key="fp_consent").check().run()
    at.button(key="fp_save").click().run()
    assert at.code[0].value != "K7QM-4TXA"
    assert at.session_state["resident_code"] == at.code[0].value


def test_a_code_inside_pasted_text_is_found():
    at = through_the_steps(open_page(PAGE, lang="de", city="leipzig"))
    at.checkbox(key="fp_consent").check().run()
    at.button(key="fp_save").click().run()
    code = at.code[0].value
    later = open_page(PAGE, lang="de", city="leipzig")
    pasted = f"Ihr Code lautet {code}. Bitte bewahren Sie ihn auf. " + "x" * 150
    later.text_input(key="fp_lookup_code").input(pasted).run()
    later.button(key="fp_lookup").click().run()
    assert later.text_input(key="fp_lookup_code").value == code
    assert later.metric[0].label == translator("de")("Your carbon footprint a year")


def test_text_without_a_code_is_told_kindly():
    at = open_page(PAGE, lang="de", city="leipzig")
    at.text_input(key="fp_lookup_code").input("=HYPERLINK(1)").run()
    at.button(key="fp_delete").click().run()
    assert at.warning[-1].value == translator("de")(
        "We found no code in what you typed. A code looks like K7QM-4TXA."
    )


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
def test_the_method_page_lists_every_factor_with_its_source(lang):
    t = translator(lang)
    at = open_page(METHOD, lang=lang, city=CITY[lang])
    assert at.title[0].value == t("How the footprint is calculated")
    frames = at.dataframe
    factors = [f.value for f in frames[1:-1]]  # after the averages, before the plans
    rows = sum(len(frame) for frame in factors)
    from sparcs_engage.footprint import default_factors

    country = "DE" if lang == "de" else "FI"
    assert rows == len(default_factors().for_country(country))
    for frame in factors:
        assert {t("Value"), t("Year"), t("Source"), t("Scope")} <= set(frame.columns)
        assert (frame[t("Scope")] == "LC-CO2e-WTW").all()
    if lang != "en":
        assert_no_english(at, lang)


def test_the_result_links_to_the_method_page():
    at = through_the_steps(open_page(PAGE, lang="en", city="espoo"))
    links = [link.proto.page for link in at.get("page_link")]
    assert any(page.endswith("method.py") or page == "method" for page in links), links


def test_an_average_left_as_it_is_follows_the_city_and_is_not_taken_as_an_answer():
    at = open_page(PAGE, lang="en", city="espoo")
    at.button(key="fp_next").click().run()
    assert at.text_input(key="fp_car_occupancy").value == "1.4"  # the Finnish average
    at.button(key="fp_next").click().run()
    at.button(key="fp_back").click().run()
    assert answers(at)["car_occupancy"] is None
    at.query_params["city"] = "leipzig"
    at.run()
    assert at.text_input(key="fp_car_occupancy").value == "1.5"  # the German average
