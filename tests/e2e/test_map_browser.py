"""The district map in Chromium: a resident on a tablet or phone opens Alt-West in Leipzig."""

import pytest
from playwright.sync_api import expect

from .conftest import horizontal_overflow, nav_link, new_page, serious_violations, wait_for_app

TEXTS = {
    "de": {
        "figure": "Kennzahl",
        "ghg": "Treibhausgase pro Kopf",
        "district": "Stadtbezirk",
        "title": "Energie und Emissionen nach Stadtbezirk",
        "nav": "Stadtbezirkskarte",
    },
    "fi": {
        "figure": "Tunnusluku",
        "ghg": "Kasvihuonekaasupäästöt asukasta kohden",
        "district": "Alue",
        "title": "Energia ja päästöt alueittain",
        "nav": "Aluekartta",
    },
    "en": {
        "figure": "Figure",
        "ghg": "Greenhouse gas emissions per resident",
        "district": "District",
        "title": "Energy and emissions by district",
        "nav": "District map",
    },
}


def choose(page, label: str, option: str) -> None:
    # Type to filter: the list is virtualised, so on a phone far options are not in the page.
    page.get_by_label(label, exact=True).click()
    page.keyboard.type(option)
    # The list re-renders while it filters: wait until only the wanted option is left, then
    # take it with Enter (a click could land on an element that is being replaced).
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    wait_for_app(page)


@pytest.mark.parametrize(
    ("lang", "viewport"), [("de", "tablet"), ("de", "phone"), ("en", "tablet")]
)
def test_resident_opens_alt_west_from_the_home_page(server, browser, axe, lang, viewport):
    texts = TEXTS[lang]
    page = new_page(browser, viewport)
    page.goto(f"{server}/?lang={lang}&city=leipzig")
    wait_for_app(page)
    nav_link(page, texts["nav"]).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["title"])
    expect(page.locator('iframe[title="streamlit_folium.st_folium"]')).to_be_attached()
    expect(page.get_by_label(texts["figure"], exact=True)).to_be_visible()
    choose(page, texts["district"], "Alt-West")
    expect(page.get_by_role("heading", name="Alt-West", level=2)).to_be_visible()
    expect(page.get_by_text("Baumwollspinnerei").first).to_be_visible()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text(texts["ghg"])
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    page.context.close()
