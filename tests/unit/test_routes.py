"""The server's own routes (session cookie, sign-out, staff downloads) and its middleware,
called as Starlette calls them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select
from starlette.requests import Request

from sparcs_engage import downloads, kpis, staff_sessions
from sparcs_engage.auth import Identity
from sparcs_engage.db import session_scope
from sparcs_engage.models import AuditEvent
from sparcs_engage.ui import routes
from tests.unit.test_surveys import submitted_respondents


def run(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread for the whole session, and asyncio.run refuses to start there."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def served(engine, database_url, monkeypatch):
    monkeypatch.setenv("SPARCS_DATABASE_URL", database_url)
    routes.get_engine.cache_clear()
    yield engine
    routes.get_engine.cache_clear()


def request(path: str, query: dict | None = None, cookie: str = "", **path_params) -> Request:
    headers = [(b"host", b"engage.example.org")]
    if cookie:
        headers.append((b"cookie", f"{staff_sessions.COOKIE}={cookie}".encode()))
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "query_string": urlencode(query or {}).encode(),
            "headers": headers,
            "path_params": path_params,
            "server": ("engage.example.org", 80),
        }
    )


def opened(engine, role: str = "staff") -> staff_sessions.Opened:
    with session_scope(engine) as session:
        return staff_sessions.open_session(session=session, identity=Identity("anna", role))


def cookie_from(response) -> SimpleCookie:
    jar = SimpleCookie()
    jar.load(response.headers["set-cookie"])
    return jar


def test_a_fresh_sign_in_gets_an_httponly_cookie_once(served):
    fresh = opened(served)
    query = {"s": fresh.session_id, "h": fresh.handoff, "next": "/staff?lang=fi"}
    response = routes.session_cookie(request("/_sparcs/session", query))
    assert response.status_code == 303 and response.headers["location"] == "/staff?lang=fi"
    morsel = cookie_from(response)[staff_sessions.COOKIE]
    assert morsel["httponly"] and morsel["samesite"].lower() == "lax"
    assert staff_sessions.session_id_from_cookie(morsel.value) == fresh.session_id
    again = routes.session_cookie(request("/_sparcs/session", query))
    assert "set-cookie" not in again.headers


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example/x", "/\\evil", ""])
def test_the_way_back_never_leaves_the_site(served, target):
    response = routes.session_cookie(request("/_sparcs/session", {"next": target}))
    assert response.headers["location"] == "/"


def _answers_ticket(session_id: str, **params) -> str:
    flt = kpis.KpiFilter("espoo")
    return staff_sessions.make_ticket(
        session_id,
        "answers",
        {**downloads.filter_params(flt), "fmt": "csv", "shape": "long", "lang": "fi", **params},
        now=time.time(),
    )


def _body(response) -> bytes:
    with open(response.path, "rb") as fh:
        return fh.read()


def test_a_download_is_made_when_clicked_audited_and_only_for_its_own_session(served):
    submitted_respondents(served, 6)
    mine = opened(served)
    cookie = staff_sessions.cookie_value(mine.session_id)
    ticket = _answers_ticket(mine.session_id)

    response = routes.download(request("/x", cookie=cookie, ticket=ticket))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows and {r["city"] for r in rows} == {"espoo"}
    run(response.background())  # the temporary file goes once it was sent
    with Session(served) as session:
        exports = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 1 and exports[0].actor == "anna" and "csv long" in exports[0].detail

    # Without the cookie, with another session's cookie, or after sign-out: nothing.
    other = staff_sessions.cookie_value(opened(served).session_id)
    assert routes.download(request("/x", ticket=ticket)).status_code == 403
    assert routes.download(request("/x", cookie=other, ticket=ticket)).status_code == 403
    signed_out = routes.sign_out(request("/_sparcs/signout", cookie=cookie))
    assert "max-age=0" in signed_out.headers["set-cookie"].lower()
    refused = routes.download(request("/x", cookie=cookie, ticket=ticket))
    assert refused.status_code == 403 and "ei ole enää voimassa" in refused.body.decode()


def test_a_facilitator_cannot_download_the_answers(served):
    theirs = opened(served, role="facilitator")
    cookie = staff_sessions.cookie_value(theirs.session_id)
    assert (
        routes.download(
            request("/x", cookie=cookie, ticket=_answers_ticket(theirs.session_id))
        ).status_code
        == 403
    )


def test_metrics_stay_private_and_pages_carry_security_headers():
    sent: list[dict] = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def collect(message):
        sent.append(message)

    async def call(path: str):
        sent.clear()
        scope = {"type": "http", "path": path, "method": "GET", "headers": [], "query_string": b""}
        await routes.SecurityHeaders(inner)(scope, None, collect)
        return sent[0]

    assert run(call("/_stcore/metrics"))["status"] == 404
    start = run(call("/"))
    assert start["status"] == 200
    assert (b"x-content-type-options", b"nosniff") in start["headers"]
