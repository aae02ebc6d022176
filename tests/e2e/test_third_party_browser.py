"""Nothing leaves the app's own origin (#13): every page, in every language of each city, with
the browser's request log on and every other host cut off, as in a venue without internet.
The maps still draw their districts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from sparcs_engage.cities import load_cities
from sparcs_engage.settings import REPO_ROOT

from .conftest import new_page, wait_for_app

PAGES = [
    "",
    "map",
    "footprint",
    "method",
    "vision",
    "results",
    "workshop",
    "privacy",
    "accessibility",
    "login",
]
CITIES = {city.id: list(city.languages) for city in load_cities(REPO_ROOT / "data").cities.values()}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _foreign(requests: list[str], origin: str) -> list[str]:
    own = urlsplit(origin).netloc
    return [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own
    ]


@pytest.mark.parametrize(
    ("city", "lang"), [(city, lang) for city, langs in CITIES.items() for lang in langs]
)
def test_no_page_asks_another_host_for_anything(server, browser, city, lang):
    page = new_page(browser, "tablet")
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    # Every other host is unreachable, as without internet: a page that needed one would show
    # it (a blank map, a missing icon) as well as log it.
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).netloc == urlsplit(server).netloc
            or not route.request.url.startswith("http")
            else route.abort()
        ),
    )
    for path in PAGES:
        page.goto(f"{server}/{path}?lang={lang}&city={city}")
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        if path == "map":
            # The districts are drawn (SVG paths in Leaflet's overlay), with no tile server.
            frame = page.frame_locator(MAP_FRAME)
            expect(frame.locator("path.leaflet-interactive").first).to_be_visible(timeout=20_000)
            assert frame.locator("path.leaflet-interactive").count() >= 7
            assert frame.locator("img.leaflet-tile").count() == 0
    assert _foreign(requests, server) == []
    page.context.close()
