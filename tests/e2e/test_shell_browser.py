"""The home page and sign-in in headless Chromium at laptop, tablet and phone sizes."""

import re

import pytest
from playwright.sync_api import expect

from sparcs_engage.demo import DEMO_PASSWORD

from .conftest import (
    choose_place,
    horizontal_overflow,
    nav_link,
    new_page,
    serious_violations,
    sign_in,
    wait_for_app,
)

TITLES = {
    "fi": "Vaikuta kaupunkisi energiatulevaisuuteen",
    "sv": "Påverka din stads energiframtid",
    "de": "Gestalten Sie die Energiezukunft Ihrer Stadt mit",
    "en": "Shape your city's energy future",
}
CITY = {"fi": "espoo", "sv": "espoo", "de": "leipzig", "en": "espoo"}


@pytest.mark.parametrize("viewport", ["laptop", "tablet", "phone"])
@pytest.mark.parametrize("lang", ["fi", "de", "en"])
def test_home_page_fits_and_is_accessible(server, browser, axe, lang, viewport):
    page = new_page(browser, viewport)
    page.goto(f"{server}/?lang={lang}&city={CITY[lang]}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    page.context.close()


@pytest.mark.parametrize(("city", "lang"), [("espoo", "sv"), ("leipzig", "de")])
def test_a_swedish_finnish_browser_gets_swedish_in_espoo_and_german_in_leipzig(
    server, browser, city, lang
):
    page = new_page(browser, "tablet", locale="sv-FI")
    page.goto(f"{server}/?city={city}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page).to_have_url(re.compile(rf"lang={lang}"))
    page.context.close()


def test_browser_locale_picks_the_language(server, browser):
    page = new_page(browser, "tablet", locale="de-AT")
    page.goto(f"{server}/?city=leipzig")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["de"])
    page.context.close()


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_chosen_language_survives_a_page_change(server, browser, viewport):
    page = new_page(browser, viewport, locale="en-GB")
    page.goto(f"{server}/?city=espoo")
    wait_for_app(page)
    choose_place(page, language="Svenska")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["sv"])
    expect(page).to_have_url(re.compile(r"lang=sv"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    nav_link(page, "Dataskydd").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dataskyddsbeskrivning")
    expect(page).to_have_url(re.compile(r"/privacy\?.*lang=sv"))
    expect(page).to_have_title("Dataskydd · SPARCS Engage")
    # The menu that led here is closed on the new page.
    expect(page.locator("[data-testid='stPopoverBody']")).to_have_count(0)
    page.context.close()


def test_deep_link_to_login_works_on_a_fresh_tab(server, browser):
    page = new_page(browser, "phone")
    page.goto(f"{server}/login?lang=fi")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu")
    page.context.close()


def test_staff_member_signs_in_on_a_tablet(server, browser, axe):
    page = new_page(browser, "tablet")
    sign_in(page, server, "demo.staff", DEMO_PASSWORD, lang="de", city="leipzig")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Konto")
    expect(page.get_by_text("Sie sind angemeldet als demo.staff")).to_be_visible()
    assert serious_violations(axe, page) == []
    page.context.close()


def test_wrong_password_is_told_plainly(server, browser):
    page = new_page(browser, "phone")
    page.goto(f"{server}/login?lang=en")
    wait_for_app(page)
    page.get_by_label("User name").fill("demo.staff")
    page.get_by_role("textbox", name="Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page.get_by_text("The user name or password is not right.")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("path", "city", "lang", "heading"),
    [
        ("privacy", "espoo", "fi", "Tietosuojaseloste"),
        ("accessibility", "espoo", "fi", "Saavutettavuusseloste"),
        ("privacy", "leipzig", "de", "Datenschutzhinweise"),
        ("accessibility", "leipzig", "de", "Erklärung zur Barrierefreiheit"),
        ("accessibility", "leipzig", "en", "Accessibility statement"),
    ],
)
def test_the_notice_and_the_statement_read_well_on_a_phone(
    server, browser, axe, path, city, lang, heading
):
    page = new_page(browser, "phone")
    page.goto(f"{server}/{path}?lang={lang}&city={city}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    # Reached from every page's footer.
    expect(page.locator(".st-key-site_footer").get_by_role("link")).to_have_count(2)
    page.context.close()
