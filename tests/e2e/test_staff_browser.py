"""/staff in headless Chromium: nothing before sign-in; a filtered dashboard, a download and
axe-core after."""

import csv
import io
import os
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session, select

from sparcs_engage import kpis
from sparcs_engage.db import get_engine, session_scope
from sparcs_engage.demo import DEMO_PASSWORD
from sparcs_engage.models import Account, AuditEvent

from .conftest import (
    SERVER_DATABASE,
    horizontal_overflow,
    nav_link,
    new_page,
    serious_violations,
    sign_in,
    wait_for_app,
)

SHOTS = os.environ.get("SPARCS_SCREENSHOTS")  # a folder: screenshots for a human to look at


def shot(page, name: str) -> None:
    if SHOTS:
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": 3200})
        page.wait_for_timeout(500)
        page.screenshot(path=f"{SHOTS}/{name}.png")
        page.set_viewport_size(size)


def test_a_deep_link_without_sign_in_shows_no_figure(server, browser):
    page = new_page(browser, "laptop")
    page.goto(f"{server}/staff?lang=fi")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mittarit")
    expect(page.get_by_text("Tämä sivu on vain kirjautuneille")).to_be_visible()
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator("[data-testid='stDownloadButton']").count() == 0
    page.context.close()


def test_officer_filters_the_dashboard_and_downloads_the_answers(server, browser, axe):
    page = new_page(browser, "laptop", locale="fi-FI")
    sign_in(page, server, "demo.staff", DEMO_PASSWORD, lang="fi", city="espoo")
    nav_link(page, "Mittarit").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Osallistumisen mittarit")
    texts = kpis.kpi_texts("fi")
    metrics = page.locator("[data-testid='stMetric']")
    expect(metrics).to_have_count(len(kpis.REGISTRY))
    expect(page.get_by_text(texts["people_reached"]["definition"])).to_be_visible()
    shot(page, "staff-all")

    # A district: the footprint figures are not cut by district.
    page.locator(".st-key-staff_district_espoo").get_by_role("combobox").click()
    page.get_by_role("option", name="Suur-Leppävaara").click()
    wait_for_app(page)
    expect(page.get_by_text("Suur-Leppävaara,").first).to_be_visible()
    expect(page.get_by_text("Ei saatavilla yksittäiselle alueelle").first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert serious_violations(axe, page) == []
    shot(page, "staff-district")

    # The answers as CSV: made on the server when the link is clicked.
    page.get_by_role("tab", name="Vienti").click()
    page.get_by_text("CSV analyysityökaluille").click()
    wait_for_app(page)
    with page.expect_download() as info:
        page.locator(".st-key-export_download").get_by_role("link").click()
    download = info.value
    assert download.suggested_filename.startswith("sparcs-espoo-city-vision-2050-long-")
    data = Path(download.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows and {r["city"] for r in rows} == {"espoo"}
    assert serious_violations(axe, page) == []
    shot(page, "staff-export")

    # The export is in the audit log, with who and what.
    page.get_by_role("tab", name="Tapahtumaloki").click()
    shot(page, "staff-audit")
    with Session(get_engine(SERVER_DATABASE["url"])) as session:
        exports = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "export", AuditEvent.actor == "demo.staff"
            )
        ).all()
    assert any("csv long, city espoo, district suur-leppavaara" in e.detail for e in exports)
    page.context.close()


def test_after_sign_out_the_next_user_in_the_tab_gets_nothing_of_the_first(server, browser):
    """Two staff users, one tab: the first's download link dies with her session, the second
    sees only his own, and both sign-ins and the sign-out are in the audit log."""
    from sparcs_engage.auth import create_account

    with session_scope(get_engine(SERVER_DATABASE["url"])) as session:
        if not session.exec(select(Account).where(Account.username == "second.officer")).first():
            create_account(
                session=session, username="second.officer", password=DEMO_PASSWORD, role="staff"
            )
    page = new_page(browser, "laptop", locale="en-GB")
    sign_in(page, server, "demo.staff", DEMO_PASSWORD, lang="en", city="espoo")
    page.goto(f"{server}/staff?lang=en&city=espoo")
    wait_for_app(page)
    page.get_by_role("tab", name="Export").click()
    first_link = page.locator(".st-key-export_download a").get_attribute("href")
    assert first_link.startswith("/_sparcs/download/")
    assert page.request.get(server + first_link).status == 200

    page.goto(f"{server}/login?lang=en&city=espoo")
    wait_for_app(page)
    with page.expect_navigation(url=lambda url: "_sparcs" not in url):
        page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.request.get(server + first_link).status == 403

    sign_in(page, server, "second.officer", DEMO_PASSWORD, lang="en", city="espoo")
    page.goto(f"{server}/staff?lang=en&city=espoo")
    wait_for_app(page)
    page.get_by_role("tab", name="Export").click()
    second_link = page.locator(".st-key-export_download a").get_attribute("href")
    assert second_link != first_link
    assert page.request.get(server + first_link).status == 403
    with Session(get_engine(SERVER_DATABASE["url"])) as session:
        events = [
            (e.actor, e.action)
            for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
            if e.actor in ("demo.staff", "second.officer")
        ]
    assert ("demo.staff", "logout") in events
    assert events.index(("demo.staff", "logout")) < events.index(("second.officer", "login"))
    page.context.close()
