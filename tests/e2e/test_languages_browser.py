"""Languages in Chromium (#15, #11 points 8 and 9): Espoo's pages in Swedish on a tablet, the
document's language and tab title per page, Streamlit's own English texts replaced or hidden,
and the compact header that leaves each page's heading on a phone's first screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sparcs_engage.i18n import translator
from sparcs_engage.navigation import PAGES
from sparcs_engage.settings import REPO_ROOT

from .conftest import (
    VIEWPORTS,
    horizontal_overflow,
    new_page,
    serious_violations,
    wait_for_app,
)

PUBLIC = [page for page in PAGES if page.roles is None]
SHOTS = Path(os.environ.get("SPARCS_SCREENSHOTS") or REPO_ROOT / "test-artifacts" / "languages")


def shot(page: Page, name: str) -> None:
    """A picture of what was checked, for a person to look at (test-artifacts/ by default)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_at(page: Page, server: str, spec, lang: str, city: str) -> None:
    page.goto(f"{server}/{spec.url_path}?lang={lang}&city={city}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("spec", PUBLIC, ids=lambda p: p.key)
def test_every_page_of_espoo_reads_as_swedish_on_a_tablet(server, browser, axe, spec):
    t = translator("sv")
    page = new_page(browser, "tablet", locale="sv-FI")
    open_at(page, server, spec, "sv", "espoo")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_title(f"{t(spec.title)} · SPARCS Engage")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.locator("[data-testid='stSkipToContent']")).to_have_text(
        "Hoppa till sidans innehåll"
    )
    header = page.locator(".st-key-site_nav")
    expect(header.get_by_role("link", name=t("Privacy"))).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    shot(page, f"sv-tablet-{spec.key}")
    page.context.close()


@pytest.mark.parametrize(("lang", "city"), [("de", "leipzig"), ("sv", "espoo")])
@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.key)
def test_the_heading_of_every_page_is_on_the_first_phone_screen(server, browser, spec, lang, city):
    page = new_page(browser, "phone", locale=f"{lang}-FI")
    open_at(page, server, spec, lang, city)
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= VIEWPORTS["phone"][1], box
    expect(page.locator("html")).to_have_attribute("lang", lang)
    # One row of links would not fit: the pages are in the menu, the links row is hidden.
    expect(page.locator(".st-key-site_nav")).to_be_hidden()
    expect(page.locator(".st-key-site_menu [data-testid='stPopoverButton']")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    if spec.key in ("home", "map", "footprint", "vision"):
        shot(page, f"{lang}-phone-{spec.key}")
    page.context.close()


def test_the_first_action_of_home_map_and_footprint_is_on_the_first_phone_screen(server, browser):
    page = new_page(browser, "phone", locale="de-DE")
    page.goto(f"{server}/?lang=de&city=leipzig")
    wait_for_app(page)
    # The first activity under the title (the header's links are in the closed menu).
    first = page.get_by_role("link", name=translator("de")("District map"))
    expect(first).to_have_count(1)
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= VIEWPORTS["phone"][1], box
    page.goto(f"{server}/map?lang=de&city=leipzig")
    wait_for_app(page)
    figure = page.get_by_label("Kennzahl", exact=True).bounding_box()
    assert figure and figure["y"] + figure["height"] <= VIEWPORTS["phone"][1]
    page.goto(f"{server}/footprint?lang=de&city=leipzig")
    wait_for_app(page)
    # The first question ("Wie wohnen Sie?"); the number fields are text fields since they
    # read local formats ("1,5").
    first = page.locator("[data-testid='stRadio']").first.bounding_box()
    assert first and first["y"] + first["height"] <= VIEWPORTS["phone"][1]
    page.context.close()


@pytest.mark.xfail(
    run=False,
    reason=(
        "stale since the footprint merge: number fields are text fields (local formats), so Streamlit's step buttons this test names are gone; to be rewritten for the text fields"  # noqa: E501
    ),
)
@pytest.mark.parametrize(
    ("lang", "city", "up"),
    [
        ("fi", "espoo", "Suurenna arvoa"),
        ("sv", "espoo", "Öka värdet"),
        ("de", "leipzig", "Wert erhöhen"),
    ],
)
def test_streamlit_instructions_are_ours_or_gone(server, browser, lang, city, up):
    page = new_page(browser, "tablet", locale=f"{lang}-DE")
    page.goto(f"{server}/footprint?lang={lang}&city={city}")
    wait_for_app(page)
    number = page.locator("[data-testid='stNumberInput'] input").first
    number.click()
    number.press("End")
    number.type("5")
    page.wait_for_timeout(300)
    texts = page.locator("body").inner_text()
    assert "Press Enter" not in texts and "Increment" not in texts and "Decrement" not in texts
    steps = page.locator("[data-testid='stNumberInputStepUp']")
    expect(steps.first).to_have_attribute("aria-label", up)
    assert page.locator("[aria-label='Increment'], [aria-label='Decrement']").count() == 0
    # In a form (the workshop's join form), "Press Enter to submit form" goes too, but the
    # character count of a field with a limit stays.
    page.goto(f"{server}/workshop?lang={lang}&city={city}")
    wait_for_app(page)
    name = page.locator(".st-key-wk_name input")
    name.click()
    name.type("Aino")
    page.wait_for_timeout(300)
    instructions = page.locator("[data-testid='InputInstructions']")
    expect(instructions.get_by_text(re.compile(r"^\d+/\d+$"))).to_be_visible()
    assert "Press Enter" not in page.locator("body").inner_text()
    page.context.close()


def test_the_phone_menus_work_by_keyboard_and_are_accessible(server, browser, axe):
    page = new_page(browser, "phone", locale="sv-FI")
    page.goto(f"{server}/?city=espoo")
    wait_for_app(page)
    menu = page.locator(".st-key-site_menu [data-testid='stPopoverButton']")
    menu.focus()
    page.keyboard.press("Enter")
    body = page.locator("[data-testid='stPopoverBody']")
    expect(body.get_by_role("link", name="Områdeskarta")).to_be_visible()
    assert serious_violations(axe, page) == []
    page.keyboard.press("Escape")
    expect(body).to_have_count(0)
    place = page.locator(".st-key-place_menu [data-testid='stPopoverButton']")
    expect(place).to_have_text(re.compile("Svenska · Esbo"))
    place.click()
    expect(body.get_by_role("radiogroup", name="Kieli · Språk · Language")).to_be_visible()
    assert serious_violations(axe, page) == []
    page.context.close()
