"""Browser tests: a real `streamlit run` on a free port and Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sparcs_engage.db import get_engine, upgrade
from sparcs_engage.demo import load_demo_data
from sparcs_engage.settings import REPO_ROOT

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"laptop": (1024, 768), "tablet": (768, 1024), "phone": (390, 844)}


def _is_browser_test(item) -> bool:
    return "tests/e2e/" in str(item.fspath).replace(os.sep, "/")


def pytest_collection_modifyitems(items):
    # Browser tests last: the session's Playwright keeps an event loop running in this thread,
    # so a later test that calls asyncio.run() (tests/unit/test_routes.py) would fail.
    items.sort(key=_is_browser_test)
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.e2e)
            # A real browser against a real server on a shared two-core machine: a timing
            # failure is tried once more (reported as a rerun); a real failure fails twice.
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "The browser tests need Chromium: run them through `make test` (it finds or installs "
        "one), or set CHROMIUM=/path/to/chromium."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER_DATABASE: dict[str, str] = {}  # the served app's database URL, for checks behind it


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """The app served by `streamlit run app.py`, with its own database holding the demo data."""
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'e2e.db'}"
    upgrade(url)
    load_demo_data(get_engine(url))
    SERVER_DATABASE["url"] = url
    port = free_port()
    log = (folder / "streamlit.log").open("w")
    env = {**os.environ, "SPARCS_DATABASE_URL": url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited: {(folder / 'streamlit.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("streamlit did not become healthy within 60 s")
        time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def new_page(browser: Browser, viewport: str = "laptop", locale: str = "en-GB") -> Page:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def wait_for_app(page: Page) -> None:
    """Wait until the rerun an action started has finished and the page is connected.

    On a busy machine the rerun may start a moment after the click, so first give it a
    moment to start, then wait for it to end.
    """
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    with contextlib.suppress(PlaywrightTimeout):  # quick, or nothing needed to run
        page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='running']", timeout=1000
        )
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_timeout(150)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    # Elements of the previous run stay, marked stale, until the new run has replaced them.
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def sign_in(page: Page, server: str, username: str, password: str, *, lang: str, city: str):
    """Sign in on /login like a person: the page then fetches its session cookie from the
    server (a navigation through /_sparcs/session and back), after which any page load of this
    browser is signed in."""
    page.goto(f"{server}/login?lang={lang}&city={city}")
    wait_for_app(page)
    page.locator(".st-key-username input").fill(username)
    page.locator(".st-key-password input").fill(password)
    with page.expect_navigation(url=lambda url: "/login" in url and "_sparcs" not in url):
        page.locator(".st-key-sign_in_submit button").click()
    wait_for_app(page)


def nav_link(page: Page, name: str):
    """A link of the header's navigation: in the menu on a phone (opened first), in the row of
    links from tablet width."""
    menu = page.locator(".st-key-site_menu [data-testid='stPopoverButton']")
    if menu.is_visible():
        menu.click()
        popover = page.locator("[data-testid='stPopoverBody']")
        expect(popover.get_by_role("link", name=name)).to_be_visible()
        return popover.get_by_role("link", name=name)
    return page.locator(".st-key-site_nav").get_by_role("link", name=name)


def choose_place(page: Page, *, language: str | None = None, city: str | None = None) -> None:
    """Choose a language (by its own name, "Svenska") or a city in the header's one control."""
    page.locator(".st-key-place_menu [data-testid='stPopoverButton']").click()
    popover = page.locator("[data-testid='stPopoverBody']")
    if language:
        popover.locator(".st-key-lang_choice").get_by_role("radio", name=language).click()
    else:
        popover.locator(".st-key-city_choice").get_by_role("radio", name=city).click()
    wait_for_app(page)


def serious_violations(axe: Axe, page: Page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
