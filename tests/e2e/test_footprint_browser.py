"""The footprint calculator in Chromium on a phone: a resident goes through it, pledges two
actions, saves with consent, and deletes the result with the code, in fi, de and en."""

import pytest
from playwright.sync_api import expect

from sparcs_engage.i18n import translator

from .conftest import horizontal_overflow, new_page, serious_violations, wait_for_app

AVERAGE = {"FI": "the average resident of Finland", "DE": "the average resident of Germany"}


@pytest.mark.parametrize(
    ("lang", "city", "country", "locale"),
    [
        ("de", "leipzig", "DE", "de-DE"),
        ("fi", "espoo", "FI", "fi-FI"),
        ("en", "espoo", "FI", "en-GB"),
    ],
)
def test_resident_on_a_phone_saves_and_deletes(server, browser, axe, lang, city, country, locale):
    t = translator(lang)
    page = new_page(browser, "phone", locale=locale)
    page.goto(f"{server}/footprint?lang={lang}&city={city}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your carbon footprint"))
    # The first deep link after a start must not meet Streamlit's "Page not found" dialog.
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert serious_violations(axe, page) == []
    for label in (t("Next"), t("Next"), t("See my result")):
        page.get_by_role("button", name=label).click()
        wait_for_app(page)
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("t CO₂e")
    expect(page.get_by_text(t(AVERAGE[country])).first).to_be_visible()
    expect(page.get_by_text("2030").first).to_be_visible()
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
    expect(
        page.get_by_text(
            t("Saved. Thank you! Keep this code to look at or delete your result later:")
        )
    ).to_be_visible()
    code = page.locator("[data-testid='stCode'] code").inner_text().strip()
    assert len(code) == 9

    # Later, in a new tab: look the result up and delete it.
    later = new_page(browser, "phone", locale=locale)
    later.goto(f"{server}/footprint?lang={lang}&city={city}")
    wait_for_app(later)
    later.get_by_text(t("Look at or delete a saved result")).click()
    later.get_by_label(t("Your code")).fill(code.lower())
    later.get_by_label(t("Your code")).press("Enter")
    wait_for_app(later)
    later.get_by_role("button", name=t("Show"), exact=True).click()
    wait_for_app(later)
    expect(later.get_by_text("✓", exact=False)).to_have_count(2)
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
