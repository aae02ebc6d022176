"""The screenshot sweep (#11): every page in the languages of each city at a phone, a tablet and
a laptop size, checked by script for what a resident would see as broken: text over text, text
cut off or past the screen's edge, horizontal scrolling, the heading below the first screen.
Screenshots go to $SPARCS_SCREENSHOTS (when set) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import wait_for_app

LAYOUT_CHECKS = (Path(__file__).parent / "layout_checks.js").read_text(encoding="utf-8")
SIZES = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1280, 800)}
PAGES = [
    "",
    "map",
    "footprint",
    "vision",
    "results",
    "workshop",
    "privacy",
    "accessibility",
    "login",
]
# Each city's first language at every size; the others at the phone's (the tightest) size.
CITY_LANGUAGES = [
    ("espoo", "fi", ("phone", "tablet", "laptop")),
    ("leipzig", "de", ("phone", "tablet", "laptop")),
    ("espoo", "en", ("phone",)),
]
SHOTS = os.environ.get("SPARCS_SCREENSHOTS")


def check_sizes(browser, url: str, name: str, sizes) -> list[str]:
    """Open one URL at the sizes at once (pages in parallel), then check each."""
    pages = []
    for size in sizes:
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(45_000)
        page.goto(url, wait_until="commit")
        pages.append((size, page))
    problems = []
    for size, page in pages:
        wait_for_app(page)
        page.wait_for_timeout(400)  # charts and the map frame settle
        found = page.evaluate(LAYOUT_CHECKS)
        problems += [f"{name} at {size}: {problem}" for problem in found]
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{size}.png")
        page.context.close()
    return problems


@pytest.mark.xfail(
    run=False,
    reason=(
        "the sweep finds text over text on /results at phone size (question text against open answers), not fixed yet (issue 11)"  # noqa: E501
    ),
)
@pytest.mark.parametrize(("city", "lang", "sizes"), CITY_LANGUAGES)
def test_every_page_reads_well_at_every_size(server, browser, city, lang, sizes):
    problems = []
    for path in PAGES:
        name = f"{city}-{lang}-{path or 'home'}"
        problems += check_sizes(browser, f"{server}/{path}?lang={lang}&city={city}", name, sizes)
    assert problems == []
