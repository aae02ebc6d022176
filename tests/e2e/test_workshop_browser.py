"""A live workshop in Leipzig, in German, in Chromium: one facilitator on a laptop and three
residents on tablets. They join by the link of the QR code, write cards and vote; the board
shows each card and dot within one refresh; the exported XLSX adds up exactly."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from sparcs_engage.demo import DEMO_PASSWORD

from .conftest import (
    horizontal_overflow,
    nav_link,
    new_page,
    serious_violations,
    sign_in,
    wait_for_app,
)

# The board refreshes every 3 s and a tablet every 4 s; on a busy two-core machine a redraw
# may take a few seconds more. "Within one refresh" is one period plus that.
ONE_REFRESH_MS = 12_000
CARDS = {
    "Anna": "Auf jedem Dach im Viertel liegt eine Solaranlage.",
    "Ben": "Die Straßenbahn fährt alle fünf Minuten, auch abends.",
    "Cem": "Mehr Bäume in den Straßen, damit es im Sommer kühl bleibt.",
}


def key(page: Page, name: str):
    return page.locator(f".st-key-{name}")


def board_card(page: Page, text: str):
    return page.locator("[class*='st-key-fc_card_']").filter(has_text=text)


def tablet_card(page: Page, text: str):
    return page.locator("[class*='st-key-wk_card_']").filter(has_text=text)


def sign_in_as_facilitator(page: Page, server: str) -> None:
    sign_in(page, server, "demo.facilitator", DEMO_PASSWORD, lang="de", city="leipzig")
    nav_link(page, "Workshop leiten").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop leiten")


def choose_view(page: Page, label: str) -> None:
    key(page, "fc_view").get_by_role("radio", name=label).click()
    wait_for_app(page)


def phase_button(page: Page, phase: str):
    return key(page, f"fc_phase_{phase}").locator("button")


def test_a_workshop_from_joining_to_the_exported_outcome(server, browser, axe):
    fac = new_page(browser, "laptop", locale="de-DE")
    fac.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as_facilitator(fac, server)
    key(fac, "fc_title").locator("input").fill("Dunckerviertel im Browser")
    key(fac, "fc_create").locator("button").click()
    wait_for_app(fac)
    expect(fac.get_by_role("heading", level=1)).to_have_text("Dunckerviertel im Browser")
    phase_button(fac, "collecting").click()
    wait_for_app(fac)
    # A reload of the laptop (F5) mid-workshop keeps the facilitator signed in, on this
    # workshop and its join screen: the projector never falls back to the sign-in page.
    fac.reload()
    wait_for_app(fac)
    expect(fac.get_by_role("heading", level=1)).to_have_text("Dunckerviertel im Browser")
    code = fac.locator(".sparcs-join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    join_link = fac.locator(".sparcs-join-url").inner_text().strip()
    assert join_link.endswith(f"/workshop?code={code}&lang=de&city=leipzig")
    expect(fac.get_by_role("img", name="QR-Code für die Teilnahme am Workshop")).to_be_visible()
    assert serious_violations(axe, fac) == []

    # Three residents open the QR code's link on their tablets and write a card each.
    tablets: dict[str, Page] = {}
    for name, text in CARDS.items():
        tablet = new_page(browser, "tablet", locale="de-DE")
        tablet.goto(join_link)
        wait_for_app(tablet)
        expect(tablet.get_by_role("heading", level=1)).to_have_text("Am Workshop teilnehmen")
        if name == "Anna":
            assert serious_violations(axe, tablet) == []
            assert horizontal_overflow(tablet) <= 0
        key(tablet, "wk_name").locator("input").fill(name)
        key(tablet, "wk_join_submit").locator("button").click()
        wait_for_app(tablet)
        expect(tablet.get_by_role("heading", level=1)).to_have_text("Dunckerviertel im Browser")
        expect(tablet.get_by_text(f"Sie nehmen als {name} teil.")).to_be_visible()
        key(tablet, "wk_card_text").locator("textarea").fill(text)
        key(tablet, "wk_card_save").locator("button").click()
        wait_for_app(tablet)
        expect(tablet.get_by_text("Ihre Karte ist gespeichert.")).to_be_visible()
        tablets[name] = tablet
    anna = tablets["Anna"]
    assert serious_violations(axe, anna) == []
    assert horizontal_overflow(anna) <= 0

    # The live board shows every card, and who is there, by itself.
    choose_view(fac, "Live-Pinnwand")
    for name, text in CARDS.items():
        expect(board_card(fac, text)).to_contain_text(name, timeout=ONE_REFRESH_MS)
    connected = key(fac, "fc_board_counts").locator("[data-testid='stMetric']").first
    expect(connected).to_contain_text("3", timeout=ONE_REFRESH_MS)
    assert serious_violations(axe, fac) == []

    # Voting: the tablets follow the facilitator without anyone touching them.
    phase_button(fac, "voting").click()
    wait_for_app(fac)
    for tablet in tablets.values():
        expect(tablet.get_by_text("Sie haben noch 5 Punkte")).to_be_visible(timeout=ONE_REFRESH_MS)
    assert serious_violations(axe, anna) == []
    assert horizontal_overflow(anna) <= 0

    # Everyone puts two dots on the solar roofs and one on the tram; Cem takes one back.
    solar, tram = CARDS["Anna"], CARDS["Ben"]
    for tablet in tablets.values():
        for text in (solar, solar, tram):
            tablet_card(tablet, text).get_by_role("button", name="Punkt setzen").click()
            wait_for_app(tablet)
    cem = tablets["Cem"]
    tablet_card(cem, tram).get_by_role("button", name="Punkt zurücknehmen").click()
    wait_for_app(cem)
    expect(cem.get_by_text("Sie haben noch 3 Punkte")).to_be_visible()
    expect(board_card(fac, solar)).to_contain_text("6 Punkte", timeout=ONE_REFRESH_MS)
    expect(board_card(fac, tram)).to_contain_text("2 Punkte", timeout=ONE_REFRESH_MS)

    # A tablet that reloads (it slept, its session is gone) is still Ben, with his dots.
    ben = tablets["Ben"]
    ben.reload()
    wait_for_app(ben)
    expect(ben.get_by_text("Sie nehmen als Ben teil.")).to_be_visible()
    expect(ben.get_by_text("Sie haben noch 2 Punkte")).to_be_visible()

    # Results: the tablets show them and ask for a rating.
    phase_button(fac, "results").click()
    wait_for_app(fac)
    expect(anna.get_by_text("Wie fanden Sie den Workshop?")).to_be_visible(timeout=ONE_REFRESH_MS)
    key(anna, "wk_rating").locator("button").nth(4).click()
    wait_for_app(anna)
    key(anna, "wk_rate").locator("button").click()
    wait_for_app(anna)
    expect(anna.get_by_text("Vielen Dank für Ihre Bewertung!")).to_be_visible()
    assert serious_violations(axe, anna) == []
    expect(key(fac, "fc_board_counts")).to_contain_text("1", timeout=ONE_REFRESH_MS)

    # Closing, then the outcome as XLSX: every dot is there, and they add up.
    phase_button(fac, "closed").click()
    wait_for_app(fac)
    key(fac, "fc_close_yes").locator("button").click()
    wait_for_app(fac)
    choose_view(fac, "Ergebnis")
    expect(fac.get_by_role("heading", name="Zusammenfassung: die beliebtesten Visionen je Thema"))
    with fac.expect_download() as download:
        key(fac, "fc_xlsx").locator("button").click()
    assert re.fullmatch(
        rf"workshop-{code}-\d{{4}}-\d\d-\d\d\.xlsx", download.value.suggested_filename
    )
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    votes = list(book["votes"].iter_rows(min_row=2, values_only=True))
    assert len(votes) == 8  # 3 x 3 dots, one taken back
    cards = {row[3]: row for row in book["cards"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in book["cards"][1]]
    board_dots = header.index("board_dots")
    assert cards[solar][board_dots] == 6 and cards[tram][board_dots] == 2
    assert sum(row[board_dots] or 0 for row in cards.values()) == len(votes)
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True) if row}
    assert summary["dots_cast"] == 8 and summary["participants"] == 3

    for tablet in tablets.values():
        expect(tablet.get_by_text("Dieser Workshop ist beendet.", exact=False)).to_be_visible(
            timeout=ONE_REFRESH_MS
        )
    for page in (fac, *tablets.values()):
        page.context.close()


def test_facilitate_without_the_facilitator_role_shows_only_the_way_in(server, browser, axe):
    page = new_page(browser, "tablet", locale="de-DE")
    page.goto(f"{server}/facilitate?lang=de&city=leipzig")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop leiten")
    expect(
        page.get_by_text("Diese Seite ist nur für angemeldete Workshopleitungen")
    ).to_be_visible()
    expect(page.get_by_text("Dunckerviertel")).to_have_count(0)
    assert serious_violations(axe, page) == []
    page.context.close()
