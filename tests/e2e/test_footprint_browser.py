"""The footprint calculator in Chromium on a phone: a Leipzig resident in German goes through
it, pledges two actions, saves with consent, and deletes the result with the code."""

from playwright.sync_api import expect

from .conftest import horizontal_overflow, new_page, serious_violations, wait_for_app


def test_leipzig_resident_on_a_phone_saves_and_deletes(server, browser, axe):
    page = new_page(browser, "phone", locale="de-DE")
    page.goto(f"{server}/footprint?lang=de&city=leipzig")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr CO₂-Fußabdruck")
    # The first deep link after a start must not meet Streamlit's "Page not found" dialog.
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert serious_violations(axe, page) == []
    for label in ("Weiter", "Weiter", "Mein Ergebnis anzeigen"):
        page.get_by_role("button", name=label).click()
        wait_for_app(page)
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("t CO₂e")
    expect(page.get_by_text("einer durchschnittlichen Person in Deutschland").first).to_be_visible()
    expect(page.get_by_text("bis 2030").first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []

    boxes = page.locator("[class*='st-key-fp_pledge_'] label")
    boxes.nth(0).click()
    wait_for_app(page)
    boxes.nth(1).click()
    wait_for_app(page)
    page.locator(".st-key-fp_consent label").click()
    wait_for_app(page)
    page.get_by_role("button", name="Mein Ergebnis speichern").click()
    wait_for_app(page)
    expect(page.get_by_text("Gespeichert. Vielen Dank!")).to_be_visible()
    code = page.locator("[data-testid='stCode'] code").inner_text().strip()
    assert len(code) == 9

    # Later, in a new tab: look the result up and delete it.
    later = new_page(browser, "phone", locale="de-DE")
    later.goto(f"{server}/footprint?lang=de&city=leipzig")
    wait_for_app(later)
    later.get_by_text("Gespeichertes Ergebnis ansehen oder löschen").click()
    later.get_by_label("Ihr Code").fill(code.lower())
    later.get_by_label("Ihr Code").press("Enter")
    wait_for_app(later)
    later.get_by_role("button", name="Anzeigen").click()
    wait_for_app(later)
    expect(later.get_by_text("✓", exact=False)).to_have_count(2)
    later.get_by_role("button", name="Mein Ergebnis löschen").click()
    wait_for_app(later)
    expect(
        later.get_by_text("Ihr Ergebnis und Ihre gewählten Schritte sind gelöscht.")
    ).to_be_visible()
    later.get_by_role("button", name="Anzeigen").click()
    wait_for_app(later)
    expect(
        later.get_by_text("Zu diesem Code haben wir kein gespeichertes Ergebnis")
    ).to_be_visible()
    page.context.close()
    later.context.close()
