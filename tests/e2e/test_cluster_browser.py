"""The production layout in Chromium: three app processes behind nginx (deploy/nginx) on one
PostgreSQL database, started by scripts/cluster.py as `make cluster` does.

nginx pins each browser to one process with its route cookie; the test gives each browser a
cookie that nginx sends to a process of its choosing, and reads which process served it from
the local cluster's X-Sparcs-Upstream header. Then:

- a facilitator on one process and tablets on all three run a workshop to the end; the board
  shows every card and dot, every tablet follows the phase;
- during the voting one tablet's process is restarted (SIGTERM) and another's crashes
  (SIGKILL): those tablets come back by themselves as the same participant with their dots,
  and vote on; the export counts every dot;
- a resident's survey process crashes in the middle: the answers given are kept, and the
  resident continues with the code at the part they had reached, then sends;
- the staff page on two processes and the command line agree on the KPIs.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from scripts.cluster import Cluster, ClusterError, drop_database, ensure_database
from sparcs_engage import kpis
from sparcs_engage.db import get_engine, session_scope
from sparcs_engage.demo import DEMO_PASSWORD
from sparcs_engage.i18n import translator
from sparcs_engage.settings import REPO_ROOT
from sparcs_engage.surveys import load_survey, resume

from .conftest import free_port, new_page, wait_for_app
from .test_survey_browser import answer_section, current_section
from .test_workshop_browser import (
    CARDS,
    ONE_REFRESH_MS,
    board_card,
    choose_view,
    key,
    phase_button,
    sign_in_as_facilitator,
    tablet_card,
)

pytestmark = pytest.mark.cluster

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_server() -> str:
    url = os.environ.get("SPARCS_TEST_DATABASE_URL", "").strip() or LOCAL_POSTGRES
    probe = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"the cluster test needs PostgreSQL ({type(exc).__name__} at "
            f"{sa.engine.make_url(url).render_as_string(hide_password=True)}); "
            "start it, or set SPARCS_TEST_DATABASE_URL"
        )
    finally:
        probe.dispose()
    return url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Three app processes and nginx on free ports, on a database of their own."""
    server = sa.engine.make_url(_postgres_server())
    url = server.set(database=f"sparcs_ct_{uuid.uuid4().hex[:10]}").render_as_string(
        hide_password=False
    )
    ensure_database(url)
    ports = sorted({free_port() for _ in range(3)})
    while len(ports) < 3:
        ports = sorted({*ports, free_port()})
    layout = Cluster(
        tmp_path_factory.mktemp("cluster"),
        url,
        app_ports=ports,
        proxy_port=free_port(),
    )
    try:
        layout.start()
    except ClusterError as exc:
        layout.stop()
        drop_database(url)
        pytest.fail(str(exc))
    yield layout
    layout.stop()
    get_engine(url).dispose()
    drop_database(url)


@pytest.fixture
def layout(cluster: Cluster) -> Cluster:
    """The cluster with every app process up (a retried test may have left one down)."""
    cluster.ensure_running()
    return cluster


def route_to(cluster: Cluster, port: int) -> str:
    """A route cookie's value that nginx sends to the app process on `port` (a process that
    was down a moment ago is skipped by nginx for a few seconds: keep asking)."""
    deadline = time.monotonic() + 30
    n = 0
    seen: dict[str, int] = {}
    while time.monotonic() < deadline:
        n += 1
        value = f"probe{n % 200}"
        if n % 200 == 0:
            time.sleep(1)
        request = urllib.request.Request(
            f"{cluster.url}/_stcore/health", headers={"Cookie": f"sparcs_route={value}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            upstream = response.headers["X-Sparcs-Upstream"]
            if upstream == f"127.0.0.1:{port}":
                return value
            seen[upstream] = seen.get(upstream, 0) + 1
    raise AssertionError(f"no route cookie leads to port {port}: {seen}")


def pinned_page(browser: Browser, cluster: Cluster, port: int, viewport: str, locale: str) -> Page:
    page = new_page(browser, viewport, locale=locale)
    page.context.add_cookies(
        [{"name": "sparcs_route", "value": route_to(cluster, port), "url": cluster.url}]
    )
    return page


def cli(cluster: Cluster, *args: str) -> str:
    env = {**os.environ, "SPARCS_DATABASE_URL": cluster.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "sparcs_engage", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def no_exception_box(page: Page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_a_workshop_across_three_processes_survives_a_restart_and_a_crash(layout, browser):
    cluster = layout
    a, b, c = cluster.app_ports
    fac = pinned_page(browser, cluster, a, "laptop", "de-DE")
    fac.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as_facilitator(fac, cluster.url)
    key(fac, "fc_title").locator("input").fill("Werkstatt auf drei Prozessen")
    key(fac, "fc_create").locator("button").click()
    wait_for_app(fac)
    phase_button(fac, "collecting").click()
    wait_for_app(fac)
    code = fac.locator(".sparcs-join-code").inner_text().strip()
    join_link = fac.locator(".sparcs-join-url").inner_text().strip()
    # The join link names the address the facilitator's browser used: the proxy.
    assert join_link.startswith(cluster.url)

    # Anna's tablet on the facilitator's process, Ben's and Cem's on the two others.
    tablets: dict[str, Page] = {}
    for (name, text), port in zip(CARDS.items(), (a, b, c), strict=True):
        tablet = pinned_page(browser, cluster, port, "tablet", "de-DE")
        tablet.goto(join_link)
        wait_for_app(tablet)
        key(tablet, "wk_name").locator("input").fill(name)
        key(tablet, "wk_join_submit").locator("button").click()
        wait_for_app(tablet)
        expect(tablet.get_by_text(f"Sie nehmen als {name} teil.")).to_be_visible()
        key(tablet, "wk_card_text").locator("textarea").fill(text)
        key(tablet, "wk_card_save").locator("button").click()
        wait_for_app(tablet)
        expect(tablet.get_by_text("Ihre Karte ist gespeichert.")).to_be_visible()
        tablets[name] = tablet
    _, ben, cem = tablets.values()

    # The board on process a shows the cards written on b and c.
    choose_view(fac, "Live-Pinnwand")
    for name, text in CARDS.items():
        expect(board_card(fac, text)).to_contain_text(name, timeout=ONE_REFRESH_MS)

    phase_button(fac, "voting").click()
    wait_for_app(fac)
    solar, tram = CARDS["Anna"], CARDS["Ben"]
    for tablet in tablets.values():
        expect(tablet.get_by_text("Sie haben noch 5 Punkte")).to_be_visible(timeout=ONE_REFRESH_MS)
        tablet_card(tablet, solar).get_by_role("button", name="Punkt setzen").click()
        wait_for_app(tablet)
        expect(tablet.get_by_text("Sie haben noch 4 Punkte")).to_be_visible()

    # A deploy restarts Ben's process (SIGTERM). His tablet reconnects through nginx at once;
    # the process it lands on runs nothing until Ben's next tap, which restores him from the
    # link (&p=) in a new session: still Ben, with his dot, and the tap counts once.
    cluster.restart_app(b)
    wait_for_app(ben)
    tablet_card(ben, tram).get_by_role("button", name="Punkt setzen").click()
    wait_for_app(ben)
    expect(ben.get_by_text("Sie haben noch 3 Punkte")).to_be_visible()
    expect(ben.get_by_text("Sie nehmen als Ben teil.")).to_be_visible()
    no_exception_box(ben)

    # Cem's process crashes (SIGKILL) and is started again: the same.
    cluster.restart_app(c, kill=True)
    wait_for_app(cem)
    tablet_card(cem, solar).get_by_role("button", name="Punkt setzen").click()
    wait_for_app(cem)
    expect(cem.get_by_text("Sie haben noch 3 Punkte")).to_be_visible()
    expect(cem.get_by_text("Sie nehmen als Cem teil.")).to_be_visible()
    no_exception_box(cem)

    expect(board_card(fac, solar)).to_contain_text("4 Punkte", timeout=ONE_REFRESH_MS)
    expect(board_card(fac, tram)).to_contain_text("1 Punkt", timeout=ONE_REFRESH_MS)

    phase_button(fac, "results").click()
    wait_for_app(fac)
    for tablet in tablets.values():
        expect(tablet.get_by_text("Wie fanden Sie den Workshop?")).to_be_visible(
            timeout=ONE_REFRESH_MS
        )
    phase_button(fac, "closed").click()
    wait_for_app(fac)
    key(fac, "fc_close_yes").locator("button").click()
    wait_for_app(fac)
    for tablet in tablets.values():
        expect(tablet.get_by_text("Dieser Workshop ist beendet.", exact=False)).to_be_visible(
            timeout=ONE_REFRESH_MS
        )
        no_exception_box(tablet)

    # The export made on process a counts the dots given on b and c, before and after.
    choose_view(fac, "Ergebnis")
    with fac.expect_download() as download:
        key(fac, "fc_xlsx").locator("button").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(list(book["votes"].iter_rows(min_row=2, values_only=True))) == 5
    header = [cell.value for cell in book["cards"][1]]
    cards = {row[3]: row for row in book["cards"].iter_rows(min_row=2, values_only=True)}
    dots = header.index("board_dots")
    assert cards[solar][dots] == 4 and cards[tram][dots] == 1
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True) if row}
    assert summary["participants"] == 3 and summary["dots_cast"] == 5
    assert code in download.value.suggested_filename
    for page in (fac, *tablets.values()):
        page.context.close()


@pytest.mark.xfail(
    run=False,
    reason=(
        "stale since the survey's draft cookie: a reload goes on without the code form this test types into; to be rewritten for the cookie and for the code form in a fresh browser"  # noqa: E501
    ),
)
def test_a_survey_resumes_by_code_after_its_process_crashed(layout, browser):
    cluster = layout
    b = cluster.app_ports[1]
    survey = load_survey("espoo")
    page = pinned_page(browser, cluster, b, "tablet", "fi-FI")
    page.goto(f"{cluster.url}/vision?lang=fi&city=espoo")
    wait_for_app(page)
    key(page, "sv_consent").locator("label").click()
    wait_for_app(page)
    page.get_by_role("button", name="Aloita kysely").click()
    wait_for_app(page)
    notice = page.get_by_text(re.compile(r"Koodisi on [A-Z0-9]{4}-[A-Z0-9]{4}"))
    expect(notice).to_be_visible()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", notice.inner_text()).group(0)
    for _ in range(2):
        answer_section(page, survey, current_section(page))
        page.get_by_role("button", name="Seuraava").click()
        wait_for_app(page)
    reached = survey.sections[2].id
    expect(key(page, f"sv_section_{reached}")).to_be_attached()
    with session_scope(get_engine(cluster.database_url)) as session:
        saved = resume(session=session, code=code)
    assert saved.current_section == reached and len(saved.answers) >= 4

    # The process crashes. The page reconnects through nginx to another process at once, which
    # has no session for it: the page stays as it was until the resident's next action, which
    # then runs in a new, empty session and shows the start of the survey. The parts sent with
    # "Next" are saved; the resident goes on with the code, at the part they had reached.
    cluster.stop_app(b, kill=True)
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Seuraava").click()
    wait_for_app(page)
    no_exception_box(page)
    field = page.get_by_label("Koodisi")
    expect(field).to_be_visible()
    field.fill(code.lower())
    field.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Jatka", exact=True).click()
    wait_for_app(page)
    expect(key(page, f"sv_section_{reached}")).to_be_attached()  # where the resident was
    cluster.start_app(b)

    for _ in range(len(survey.sections)):
        if page.get_by_role("heading", name="Tarkista vastauksesi").count():
            break
        answer_section(page, survey, current_section(page))
        page.get_by_role("button", name="Seuraava").click()
        wait_for_app(page)
    page.get_by_role("button", name="Lähetä vastaukseni").click()
    wait_for_app(page)
    expect(page.get_by_role("link", name="Katso tulokset")).to_be_visible()
    with session_scope(get_engine(cluster.database_url)) as session:
        sent = resume(session=session, code=code)
    assert sent.status == "submitted"
    assert set(saved.answers) <= set(sent.answers)  # nothing given before the crash was lost
    page.context.close()


def staff_figures(browser: Browser, cluster: Cluster, port: int) -> list[str]:
    t = translator("en")
    page = pinned_page(browser, cluster, port, "laptop", "en-GB")
    page.goto(f"{cluster.url}/login?lang=en&city=espoo")
    wait_for_app(page)
    key(page, "username").locator("input").fill("demo.staff")
    key(page, "password").locator("input").fill(DEMO_PASSWORD)
    key(page, "sign_in_submit").locator("button").click()
    wait_for_app(page)
    page.get_by_role("link", name=t("Indicators")).first.click()
    wait_for_app(page)
    metrics = page.locator("[data-testid='stMetric']")
    expect(metrics).to_have_count(len(kpis.REGISTRY))
    figures = metrics.all_inner_texts()
    page.context.close()
    return figures


def test_kpis_agree_across_processes_and_the_command_line(layout, browser):
    cluster = layout
    a, _, c = cluster.app_ports
    on_a = staff_figures(browser, cluster, a)
    on_c = staff_figures(browser, cluster, c)
    assert on_a == on_c
    report = json.loads(cli(cluster, "kpis", "--city", "espoo", "--json"))
    reached = next(k for k in report["kpis"] if k["id"] == "people_reached")
    assert f"{int(reached['value']):,}" in on_a[0]


def test_the_proxy_hides_metrics_and_pins_a_browser_by_cookie(layout):
    cluster = layout
    for path in ("/_stcore/metrics", "/_stcore/metrics?format=openmetrics"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{cluster.url}{path}", timeout=5)
        assert refused.value.code == 404
    with urllib.request.urlopen(f"{cluster.url}/healthz", timeout=5) as response:
        assert response.read() == b"ok"
    with urllib.request.urlopen(f"{cluster.url}/", timeout=5) as response:
        cookie = response.headers["Set-Cookie"]
    assert re.match(r"sparcs_route=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax$", cookie)
    value = cookie.split(";")[0].split("=")[1]
    served = set()
    for _ in range(5):
        request = urllib.request.Request(
            f"{cluster.url}/_stcore/health", headers={"Cookie": f"sparcs_route={value}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            served.add(response.headers["X-Sparcs-Upstream"])
            # Pinned: no new route (Streamlit's own XSRF cookie may come and go).
            cookies = response.headers.get_all("Set-Cookie") or []
            assert not [c for c in cookies if c.startswith("sparcs_route=")]
    assert len(served) == 1
