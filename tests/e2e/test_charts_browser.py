"""Charts on a phone (390 px): /results bars have room and their figures, tables wait in
expanders; /map keeps its map when a district is chosen (the card is a fragment)."""

import pytest
from playwright.sync_api import expect

from .conftest import horizontal_overflow, new_page, serious_violations, wait_for_app
from .test_map_browser import choose


@pytest.mark.parametrize(("lang", "city"), [("fi", "espoo"), ("de", "leipzig")])
def test_results_bars_are_readable_on_a_phone(server, browser, axe, lang, city):
    page = new_page(browser, "phone", locale={"fi": "fi-FI", "de": "de-DE"}[lang])
    page.goto(f"{server}/results?lang={lang}&city={city}")
    wait_for_app(page)
    expect(page.locator("ul.sparcs-bars").first).to_be_visible()
    widths = page.locator(".sparcs-bar").evaluate_all(
        "bars => bars.map(b => b.getBoundingClientRect().width)"
    )
    assert max(widths) >= 180, widths  # once ~35 px beside long labels
    # Every figure is on the screen, beside its bar, in the language's format.
    values = page.locator(".sparcs-bar-value").all_inner_texts()
    assert any("\xa0%" in v or " %" in v for v in values)
    for box in page.locator(".sparcs-bar-value").evaluate_all(
        "vs => vs.slice(0, 40).map(v => v.getBoundingClientRect().right)"
    ):
        assert box <= 390
    # No table is open until asked for.
    assert page.locator("[data-testid='stDataFrame']").filter(visible=True).count() == 0
    assert horizontal_overflow(page) == 0
    assert serious_violations(axe, page) == []
    page.context.close()


def test_choosing_a_district_keeps_the_map_as_it_is(server, browser):
    page = new_page(browser, "phone", locale="de-DE")
    page.goto(f"{server}/map?lang=de&city=leipzig")
    wait_for_app(page)
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(frame).to_be_attached()
    # A mark inside the map's page: it is gone if the map is loaded or drawn anew.
    page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator("body").evaluate(
        "body => { window.sparcsMark = 'kept'; }"
    )
    choose(page, "Stadtbezirk", "Alt-West")
    expect(page.get_by_role("heading", name="Alt-West", level=2)).to_be_visible()
    mark = (
        page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        .locator("body")
        .evaluate("() => window.sparcsMark")
    )
    assert mark == "kept"
    assert horizontal_overflow(page) == 0
    page.context.close()
