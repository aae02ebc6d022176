"""First load in headless Chromium: the time from asking for a page's URL to its heading on the
screen, for every page of the app, beside an empty Streamlit app (a title only) measured the
same way in the same run. Goal (issue #16): within 1.5x of the empty app for every page, 2x for
/map.

Two servers are started, the app (`streamlit run server.py`, as `make run`, with the demo data
in a scratch database) and the empty app; each is warmed by one load. Then each page is opened
RUNS times, each time in a new browser context (no cache, no cookies: a resident's first visit),
the pages taking turns with the empty app, so that a busy moment of the machine falls on both.
The time ends when the page's first heading (h1) is visible. Also noted: the app's start-up, from
the process's start to its first heading, against the empty app's.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.support import scratch

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("SPARCS_BENCH_BROWSER_RUNS", "5"))
PAGES = ["", "map", "footprint", "vision", "results", "workshop", "privacy", "login"]
PAGES += ["facilitate", "staff"]  # without a role: the sign-in prompt
GOAL = {"map": 2.0}
DEFAULT_GOAL = 1.5
EMPTY = "browser: empty Streamlit app, first load (baseline)"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NOTES: list[str] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(script: str, env: dict, log: Path) -> tuple[subprocess.Popen, str, float]:
    """Start `streamlit run script`; (process, base URL, seconds until healthy)."""
    port = _free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
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
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("streamlit did not become healthy within 90 s")
        time.sleep(0.1)
    return process, base, time.perf_counter() - began


def _heading_time(browser, url: str) -> float:
    """Seconds from asking for the URL to its first heading on the screen, in a new context."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("h1").first.wait_for(state="visible")
    elapsed = time.perf_counter() - began
    context.close()
    return elapsed


def measured() -> list[dict]:
    from playwright.sync_api import sync_playwright

    from sparcs_engage.db import get_engine, upgrade
    from sparcs_engage.demo import load_demo_data

    folder = scratch("bench-browser-")
    url = f"sqlite:///{folder / 'app.db'}"
    upgrade(url)
    load_demo_data(get_engine(url))
    empty = folder / "empty_app.py"
    empty.write_text('import streamlit as st\n\nst.title("Empty")\n', encoding="utf-8")
    env = {**os.environ, "SPARCS_DATABASE_URL": url}
    chromium = os.environ.get("CHROMIUM") or "/usr/bin/chromium"

    print("measuring browser first loads ...", file=sys.stderr, flush=True)
    times: dict[str, list[float]] = {EMPTY: []}
    servers = []
    try:
        app, app_base, app_healthy = _serve("server.py", env, folder / "app.log")
        servers.append(app)
        blank, blank_base, blank_healthy = _serve(str(empty), env, folder / "empty.log")
        servers.append(blank)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
            )
            # The first load after start: the server imports, compiles and reads here.
            app_first = _heading_time(browser, f"{app_base}/?lang=en&city=espoo")
            blank_first = _heading_time(browser, blank_base)
            NOTES.append(
                f"browser: start-up to the first heading: the app {app_healthy:.1f} s to healthy "
                f"+ {app_first:.1f} s to its home page's heading; the empty app "
                f"{blank_healthy:.1f} s + {blank_first:.1f} s"
            )
            for path in PAGES:  # every page once more before timing: the server's warm-up
                _heading_time(browser, f"{app_base}/{path}?lang=en&city=espoo")
            for _ in range(RUNS):
                for path in PAGES:
                    times[EMPTY].append(_heading_time(browser, blank_base))
                    name = f"browser: /{path} first load"
                    times.setdefault(name, []).append(
                        _heading_time(browser, f"{app_base}/{path}?lang=en&city=espoo")
                    )
            browser.close()
    finally:
        for process in servers:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    rows = []
    for name, values in times.items():
        values = sorted(values)
        path = name.removeprefix("browser: /").removesuffix(" first load")
        rows.append(
            {
                "name": name,
                "median_ms": statistics.median(values) * 1000,
                "p95_ms": values[-1] * 1000,
                "runs": len(values),
                "baseline": None if name == EMPTY else EMPTY,
                "goal_ratio": None if name == EMPTY else GOAL.get(path, DEFAULT_GOAL),
            }
        )
    return rows


def cases() -> list:
    return []


def notes() -> list[str]:
    return NOTES
