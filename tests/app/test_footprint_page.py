"""The footprint calculator (/footprint) under AppTest: the whole flow in every language."""

import pytest

from sparcs_engage.i18n import translator

from .conftest import LANGUAGE_CITIES, assert_no_english, open_page

PAGE = "views/public/footprint.py"


def through_the_steps(at):
    for _ in range(3):
        at.button(key="fp_next").click().run()
        assert not at.exception
    return at


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_whole_flow_save_look_up_and_delete(lang, city):
    t = translator(lang)
    at = open_page(PAGE, lang=lang, city=city)
    assert at.header[0].value == t("Your home")
    if lang != "en":
        assert_no_english(at, lang)
    through_the_steps(at)
    assert at.metric[0].label == t("Your carbon footprint a year")
    assert "t CO₂e" in at.metric[0].value
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
    at.text_input(key="fp_lookup_code").input(code).run()
    at.button(key="fp_lookup").click().run()
    assert len([m for m in at.markdown if m.value.startswith("✓ ")]) == 2
    at.button(key="fp_delete").click().run()
    assert at.success[-1].value == t("Your result and your chosen actions are deleted.")


def test_german_result_is_compared_with_the_german_average_and_2030_target():
    at = through_the_steps(open_page(PAGE, lang="de", city="leipzig"))
    sentence = " ".join(m.value for m in at.markdown)
    assert "einer durchschnittlichen Person in Deutschland" in sentence
    assert "bis 2030" in sentence and "2,5\xa0t CO₂e" in sentence
    # The gap is what the footprint must shrink by, not tonnes that are "missing".
    assert "es fehlen" not in sentence and "müsste also noch um etwa" in sentence


def test_numbers_are_bounded_by_the_calculator_limits():
    at = open_page(PAGE, lang="fi", city="espoo")
    people = at.number_input(key="fp_household_size")
    assert (people.min, people.max) == (1, 20)
    at.button(key="fp_next").click().run()
    km = at.number_input(key="fp_car_km_per_year")
    assert (km.min, km.max) == (0, 150_000)


def test_back_keeps_the_answers_of_the_step():
    at = open_page(PAGE, lang="en", city="espoo")
    at.number_input(key="fp_floor_area_m2").set_value(123)
    at.button(key="fp_next").click().run()
    at.button(key="fp_back").click().run()
    assert at.number_input(key="fp_floor_area_m2").value == 123


def test_an_unknown_code_is_told_kindly():
    at = open_page(PAGE, lang="de", city="leipzig")
    at.text_input(key="fp_lookup_code").input("=HYPERLINK(1)").run()
    at.button(key="fp_delete").click().run()
    assert at.warning[0].value.startswith("Zu diesem Code haben wir kein")
