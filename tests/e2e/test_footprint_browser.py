"""The footprint calculator in Chromium: a resident on a phone goes through it, pledges two
actions, saves with consent, and deletes the result with the code, in fi, de and en; numbers
typed the German and Finnish way are read as meant; a wrong number gets a message, not a dead
end; the result's charts are readable on a phone, a tablet and a laptop; the method page passes
axe. Screenshots of every step go to SPARCS_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sparcs_engage.i18n import translator

from .conftest import horizontal_overflow, serious_violations, wait_for_app

AVERAGE = {"FI": "the average resident of Finland", "DE": "the average resident of Germany"}
SIZES = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1280, 800)}
LOCALES = {"fi": "fi-FI", "de": "de-DE", "en": "en-GB"}
CITY = {"fi": "espoo", "de": "leipzig", "en": "espoo"}
SHOTS = os.environ.get("SPARCS_SCREENSHOTS")


def open_page(browser: Browser, size: str, locale: str) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def shot(page: Page, name: str) -> None:
    """A picture of the whole page (Streamlit scrolls inside its own container)."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height + 40, 600)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.set_viewport_size(viewport)


def next_step(page: Page) -> None:
    page.locator(".st-key-fp_next button").click()
    wait_for_app(page)


def type_into(page: Page, key: str, text: str) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Tab")
    wait_for_app(page)


@pytest.mark.parametrize(("lang", "country"), [("de", "DE"), ("fi", "FI"), ("en", "FI")])
def test_resident_on_a_phone_saves_and_deletes(server, browser, axe, lang, country):
    t = translator(lang)
    page = open_page(browser, "phone", LOCALES[lang])
    page.goto(f"{server}/footprint?lang={lang}&city={CITY[lang]}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your carbon footprint"))
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert serious_violations(axe, page) == []
    # Streamlit's English hint under text fields is not shown on our number fields
    page.locator(".st-key-fp_floor_area_m2 input").focus()
    expect(page.get_by_text("Press Enter to apply")).to_have_count(0)
    for _ in range(3):
        next_step(page)
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("t CO₂e")
    expect(page.get_by_text(t(AVERAGE[country])).first).to_be_visible()
    expect(page.get_by_text(t("What you decide, and what you don't"))).to_be_visible()
    expect(page.get_by_text(t("What your city's plans change for you"))).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []

    boxes = page.locator("[class*='st-key-fp_pledge_'] label")
    boxes.nth(0).click()
    wait_for_app(page)
    boxes.nth(1).click()
    wait_for_app(page)
    page.locator(".st-key-fp_consent label").click()
    wait_for_app(page)
    page.get_by_role("button", name=t("Save my result")).click()
    wait_for_app(page)
    saved = t("Saved. Thank you! Keep this code to look at or delete your result later:")
    expect(page.get_by_text(saved)).to_be_visible()
    code = page.locator("[data-testid='stCode'] code").inner_text().strip()
    assert len(code) == 9

    # Later, in a new tab: paste the whole message, look the result up and delete it.
    later = open_page(browser, "phone", LOCALES[lang])
    later.goto(f"{server}/footprint?lang={lang}&city={CITY[lang]}")
    wait_for_app(later)
    later.get_by_text(t("Look at or delete a saved result")).click()
    later.get_by_label(t("Your code")).fill(f"{saved} {code.lower()} — SPARCS Engage")
    later.get_by_label(t("Your code")).press("Tab")
    wait_for_app(later)
    later.get_by_role("button", name=t("Show"), exact=True).click()
    wait_for_app(later)
    expect(later.get_by_text("✓", exact=False)).to_have_count(2)
    expect(later.get_by_label(t("Your code"))).to_have_value(code)
    later.get_by_role("button", name=t("Delete my result")).click()
    wait_for_app(later)
    expect(later.get_by_text(t("Your result and your chosen actions are deleted."))).to_be_visible()
    later.get_by_role("button", name=t("Show"), exact=True).click()
    wait_for_app(later)
    expect(
        later.get_by_text(t("We found no saved result with this code. Please check it."))
    ).to_be_visible()
    page.context.close()
    later.context.close()


@pytest.mark.parametrize(("locale", "shown_km"), [("de-DE", "12.000"), ("fi-FI", "12\u00a0000")])
def test_numbers_typed_the_local_way_are_read_as_meant(server, browser, locale, shown_km):
    # No ?lang=: the browser's language decides, as for a resident from a link or QR code.
    page = open_page(browser, "phone", locale)
    page.goto(f"{server}/footprint?city={'leipzig' if locale == 'de-DE' else 'espoo'}")
    wait_for_app(page)
    next_step(page)
    type_into(page, "fp_flights_short_per_year", "1,5")
    type_into(page, "fp_car_km_per_year", "12.000")
    # Shown back from the value the page read: 15 or 12 would show as "15" or "12".
    expect(page.locator(".st-key-fp_flights_short_per_year input")).to_have_value("1,5")
    expect(page.locator(".st-key-fp_car_km_per_year input")).to_have_value(shown_km)
    expect(page.locator(".st-key-fp_car_occupancy input")).to_have_value(
        "1,5" if locale == "de-DE" else "1,4"
    )
    page.context.close()


def test_a_wrong_number_gets_a_message_and_the_step_goes_on_once_it_is_right(server, browser):
    t = translator("de")
    page = open_page(browser, "phone", "de-DE")
    page.goto(f"{server}/footprint?lang=de&city=leipzig")
    wait_for_app(page)
    type_into(page, "fp_floor_area_m2", "5")
    type_into(page, "fp_household_size", "25")
    next_step(page)
    expect(page.get_by_role("heading", level=2).first).to_have_text(t("Your home"))
    expect(
        page.get_by_text(
            t(
                "Enter the floor area of your home in square metres, from {min} to {max}.",
                min="10",
                max="1.000",
            )
        )
    ).to_be_visible()
    expect(page.get_by_text(t("Please check the answers marked above."))).to_be_visible()
    type_into(page, "fp_floor_area_m2", "50")
    type_into(page, "fp_household_size", "2")
    next_step(page)
    expect(page.get_by_role("heading", level=2).first).to_have_text(t("Getting around"))
    page.context.close()


@pytest.mark.parametrize("size", ["phone", "tablet", "laptop"])
@pytest.mark.parametrize("lang", ["fi", "de"])
def test_the_result_is_readable_on_every_screen(server, browser, axe, size, lang):
    page = open_page(browser, size, LOCALES[lang])
    page.goto(f"{server}/footprint?lang={lang}&city={CITY[lang]}")
    wait_for_app(page)
    for step in range(1, 4):
        shot(page, f"footprint-{size}-{lang}-step{step}")
        next_step(page)
    shot(page, f"footprint-{size}-{lang}-result")
    width = SIZES[size][0]
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(2)
    for i in range(2):
        box = charts.nth(i).bounding_box()
        # a real chart, not a hairline, and within the screen
        assert box["height"] >= 200, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert horizontal_overflow(page) <= 0
    if size == "tablet":
        assert serious_violations(axe, page) == []
    page.goto(f"{server}/method?lang={lang}&city={CITY[lang]}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translator(lang)("How the footprint is calculated")
    )
    shot(page, f"method-{size}-{lang}")
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    page.context.close()
