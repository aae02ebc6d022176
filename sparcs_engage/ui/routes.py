"""The server's own HTTP routes beside Streamlit's (mounted by server.py through st.App):

- ``/_sparcs/session``: trades a fresh sign-in's one-time token for the HttpOnly session cookie;
- ``/_sparcs/signout``: removes that cookie;
- ``/_sparcs/assets/...``: Leaflet and other files the pages need, from the app itself;
- ``/_sparcs/download/<ticket>``: a staff file, made when clicked, streamed from a temporary
  file, only for the browser whose session the ticket was made for;

and the middleware that keeps ``/_stcore/metrics`` private and adds security headers.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sparcs_engage import staff_sessions
from sparcs_engage.auth import audit
from sparcs_engage.db import get_engine, session_scope
from sparcs_engage.i18n import SOURCE_LANGUAGE, MessageError, translator
from sparcs_engage.settings import load_settings

PREFIX = "/_sparcs"
COOKIE_MAX_AGE_S = 12 * 3600
log = logging.getLogger(__name__)


def _engine():
    return get_engine(load_settings().database_url)


def _safe_next(value: str | None) -> str:
    """Only a path of this site: never another host (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip() == "https"


def session_cookie(request: Request) -> Response:
    with session_scope(_engine()) as session:
        value = staff_sessions.claim_handoff(
            session=session,
            session_id=request.query_params.get("s"),
            handoff=request.query_params.get("h"),
        )
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    if value:
        response.set_cookie(
            staff_sessions.COOKIE,
            value,
            max_age=COOKIE_MAX_AGE_S,
            path="/",
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )
    return response


def sign_out(request: Request) -> Response:
    session_id = staff_sessions.session_id_from_cookie(request.cookies.get(staff_sessions.COOKIE))
    if session_id:
        with session_scope(_engine()) as session:
            staff_sessions.end(session=session, session_id=session_id)
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    response.delete_cookie(staff_sessions.COOKIE, path="/")
    return response


def download(request: Request) -> Response:
    ticket = staff_sessions.read_ticket(request.path_params["ticket"], now=time.time())
    lang = str(ticket.params.get("lang", SOURCE_LANGUAGE)) if ticket else SOURCE_LANGUAGE
    t = translator(lang)
    cookie_session = staff_sessions.session_id_from_cookie(
        request.cookies.get(staff_sessions.COOKIE)
    )
    # Here, not at the top: the exports and the KPIs (pandas and all) load when a file is first
    # asked for, not at every server start.
    from sparcs_engage import downloads

    kind = downloads.KINDS.get(ticket.kind) if ticket else None
    if ticket is None or kind is None or cookie_session != ticket.session_id:
        return PlainTextResponse(
            t(
                "This download link is no longer valid. Please click the download on the staff "
                "page again."
            ),
            status_code=403,
        )
    settings = load_settings()
    handle, path = tempfile.mkstemp(prefix="sparcs-download-", suffix=".part")
    refused: str | None = None
    try:
        with os.fdopen(handle, "wb") as out, session_scope(_engine()) as session:
            live = staff_sessions.check(
                session=session,
                session_id=cookie_session,
                idle=staff_sessions.idle_timeout(settings),
            ).identity
            if live is None or live.role not in kind.roles:
                refused = t(
                    "This download link is no longer valid. Please click the download on the staff "
                    "page again."
                )
            else:
                made = kind.make(session, ticket.params, out)
                audit(
                    session=session,
                    actor=live.username,
                    action="export",
                    detail=made.audit_detail,
                )
    except MessageError as exc:
        refused = t(exc.message, **exc.params)
    except BaseException:
        os.unlink(path)
        raise
    if refused is not None:
        os.unlink(path)
        return PlainTextResponse(refused, status_code=403)
    return FileResponse(
        path,
        media_type=made.media_type,
        filename=made.file_name,
        background=BackgroundTask(os.unlink, path),
        headers={"Cache-Control": "no-store"},
    )


ASSETS = Path(__file__).parent / "assets"

ROUTES = [
    # Leaflet and the favicon: served by the app, so nothing comes from another host.
    Mount(f"{PREFIX}/assets", StaticFiles(directory=ASSETS), name="assets"),
    Route(f"{PREFIX}/session", session_cookie),
    Route(f"{PREFIX}/signout", sign_out),
    Route(PREFIX + "/download/{ticket}", download),
]


class SecurityHeaders:
    """Keeps Streamlit's metrics private unless SPARCS_EXPOSE_METRICS=1 (the proxy should not
    pass them either), and adds headers every page should carry."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app) -> None:
        self.app = app
        self.expose_metrics = os.environ.get("SPARCS_EXPOSE_METRICS", "") == "1"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].endswith("/_stcore/metrics") and not self.expose_metrics:
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
