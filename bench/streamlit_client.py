"""A Streamlit session without a browser: the websocket protocol the frontend speaks, built on
Streamlit's own protocol classes (streamlit.proto), for load tests and tablet simulators.

One `StreamlitSession` is one browser tab. It loads the page over HTTP (as a browser does:
that is where nginx hands out its route cookie), opens /_stcore/stream with the same cookies,
and sends `BackMsg.rerun_script` with the query string, the page and the widget states, as
the frontend does on load and after each widget change. It keeps the elements of the last run
by their delta path and the widgets by their key, so a caller clicks and types by key:

    async with StreamlitSession("http://127.0.0.1:8080", "vision", "lang=en&city=espoo") as s:
        await s.change("sv_consent", True)
        run = await s.click("sv_start")
        print(run.seconds, s.text_containing("Your code is"))

Every run returns a `Run`: wall time from the request to `script_finished`, and any exception
the page showed. With `follow_fragments=True` the session also reruns each `st.fragment
(run_every=...)` on its interval, as a tablet left open does.

What it does not do: download the JavaScript and fonts (a browser caches them), render custom
components (streamlit-folium's map sends nothing unless clicked), or upload files.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# Elements that are widgets, and the WidgetState field their value travels in (the server's
# register_widget(value_type=...) of each element in Streamlit 1.67).
VALUE_FIELD = {
    "button": "trigger_value",
    "download_button": "trigger_value",
    "checkbox": "bool_value",
    "radio": "string_value",
    "selectbox": "string_value",
    "text_input": "string_value",
    "text_area": "string_value",
    "color_picker": "string_value",
    "date_input": "string_array_value",
    "time_input": "string_value",
    "number_input": "double_value",
    "slider": "double_array_value",
    "multiselect": "string_array_value",
    "button_group": "string_array_value",
    "feedback": "string_value",
}
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
KEY_IN_ID = re.compile(r"^\$\$ID-[0-9a-f]+-(.+)$")


class SessionError(RuntimeError):
    """The server closed the session, or a run did not finish in time."""


@dataclass
class Element:
    path: tuple[int, ...]
    kind: str
    proto: Any

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "")

    @property
    def key(self) -> str | None:
        found = KEY_IN_ID.match(self.id)
        return found.group(1) if found else None

    @property
    def options(self) -> list[str]:
        raw = list(getattr(self.proto, "options", []))
        return [getattr(o, "content", o) for o in raw]

    @property
    def text(self) -> str:
        """What a reader sees of it: the body of text elements, the label of widgets."""
        for name in ("body", "label", "message", "code_text"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str) and value:
                return value
        return ""


@dataclass
class Run:
    """One script run as the visitor waits for it."""

    seconds: float
    status: int
    exceptions: list[str] = field(default_factory=list)


class StreamlitSession:
    """One browser tab on a Streamlit app: see the module docstring."""

    def __init__(
        self,
        base_url: str,
        page: str = "",
        query: str = "",
        *,
        locale: str = "en-GB",
        timezone: str = "Europe/Helsinki",
        cookies: dict[str, str] | None = None,
        follow_fragments: bool = False,
        timeout: float = 60,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page.strip("/")
        self.query = query
        self.locale = locale
        self.timezone = timezone
        self.cookies = dict(cookies or {})
        self.follow_fragments = follow_fragments
        self.timeout = timeout
        self.upstream: str | None = None  # which app process nginx chose (local cluster only)
        self.session_id = ""
        self.page_script_hash = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.elements: dict[tuple[int, ...], Element] = {}
        self.blocks: dict[tuple[int, ...], str] = {}  # path -> the container's id (with key)
        self.widget_states: dict[str, WidgetState] = {}
        self.runs: list[Run] = []
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._finished: asyncio.Queue = asyncio.Queue()
        self._exceptions: list[str] = []
        self._timers: dict[str, asyncio.Task] = {}
        self._closed = False

    # ------------------------------------------------------------------ connecting

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _load_page(self) -> None:
        """GET the page as a browser would: cookies (nginx's route) and the serving process."""
        url = f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")
        request = urllib.request.Request(url, headers={"Cookie": self._cookie_header()})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            self.upstream = response.headers.get("X-Sparcs-Upstream") or self.upstream

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def connect(self, load_page: bool = True) -> Run:
        if load_page:
            await asyncio.to_thread(self._load_page)
        await self._open()
        return await self.rerun(page_name=self.page)

    async def _open(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        # The frontend's subprotocols: "streamlit", an XSRF token, the session to resume.
        # (The token only matters for st.login's cookie; "x" keeps the positions.)
        protocols = ["streamlit", "x", self.session_id] if self.session_id else ["streamlit"]
        self._ws = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=protocols,
            additional_headers={"Cookie": self._cookie_header()} if self.cookies else None,
            origin=f"{parts.scheme}://{parts.netloc}",
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
            compression=None,
        )
        self._reader = asyncio.create_task(self._read())

    async def reconnect(self) -> Run:
        """After the websocket dropped: what the frontend does, a new socket asking for the same
        session, then a rerun with the widget states it had. A restarted process has forgotten
        the session and starts a new one; the page must restore itself from the database."""
        await self._shutdown_socket()
        self._finished = asyncio.Queue()
        await self._open()
        return await self.rerun()

    async def close(self) -> None:
        self._closed = True
        await self._shutdown_socket()

    async def _shutdown_socket(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        self._ws = self._reader = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._reader is not None and not self._reader.done()

    # ------------------------------------------------------------------ messages from the server

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._finished.put_nowait(None)  # wakes a waiting run: the socket is gone

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if msg.metadata.run.fragment_ids:
                # A fragment's run (Streamlit 1.67 starts those with a new_session too): the
                # rest of the page and the fragments' timers stay.
                return
            # A full run starts: the elements of the last one go, fragment timers are set anew.
            self.page_script_hash = msg.new_session.page_script_hash
            self.elements.clear()
            self.blocks.clear()
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            self._delta(msg)
        elif kind == "auto_rerun" and self.follow_fragments:
            fragment = msg.auto_rerun.fragment_id
            if fragment not in self._timers:
                self._timers[fragment] = asyncio.create_task(
                    self._every(msg.auto_rerun.interval, fragment)
                )
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                timer = self._timers.pop(fragment, None)
                if timer is not None:
                    timer.cancel()
        elif kind == "script_finished":
            self._finished.put_nowait(msg.script_finished)

    def _delta(self, msg: ForwardMsg) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            element_kind = delta.new_element.WhichOneof("type")
            proto = getattr(delta.new_element, element_kind)
            self.elements[path] = Element(path, element_kind, proto)
            if element_kind == "exception":
                self._exceptions.append(f"{proto.type}: {proto.message}")
        elif which == "add_block":
            self.blocks[path] = delta.add_block.id
            # A block replaces whatever was at its path before (a fragment's new run).
            for old in [p for p in self.elements if p[: len(path)] == path]:
                del self.elements[old]

    async def _every(self, interval: float, fragment_id: str) -> None:
        with contextlib.suppress(asyncio.CancelledError, SessionError):
            while not self._closed:
                await asyncio.sleep(interval)
                await self._send_rerun(fragment_id=fragment_id, is_auto_rerun=True)

    # ------------------------------------------------------------------ runs

    async def _send_rerun(
        self, *, page_name: str = "", fragment_id: str = "", is_auto_rerun: bool = False
    ) -> None:
        if self._ws is None:
            raise SessionError("not connected")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = "" if page_name else self.page_script_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = is_auto_rerun
        state.widget_states.widgets.extend(self.widget_states.values())
        info = state.context_info
        info.locale = self.locale
        info.timezone = self.timezone
        info.url = f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as exc:
            raise SessionError("the server closed the session") from exc
        # A trigger (a button press) counts for one run only, as in the frontend.
        for key in [k for k, w in self.widget_states.items() if w.HasField("trigger_value")]:
            del self.widget_states[key]

    async def rerun(self, *, page_name: str = "") -> Run:
        """Ask for a full run of the page with the current widget states; wait for its end."""
        while not self._finished.empty():  # ends of fragment runs nobody waited for
            self._finished.get_nowait()
        self._exceptions = []
        start = time.perf_counter()
        await self._send_rerun(page_name=page_name)
        deadline = start + self.timeout
        while True:
            try:
                finished = await asyncio.wait_for(
                    self._finished.get(), max(0.01, deadline - time.perf_counter())
                )
            except TimeoutError as exc:
                raise SessionError(f"no end of the run within {self.timeout:.0f} s") from exc
            if finished is None:
                raise SessionError("the server closed the session")
            if finished in FINISHED_OK:
                break
        run = Run(time.perf_counter() - start, finished, list(self._exceptions))
        self.runs.append(run)
        return run

    async def goto(self, page: str, query: str | None = None) -> Run:
        """Another page of the app, as a link inside it does (same session)."""
        self.page = page.strip("/")
        if query is not None:
            self.query = query
        self.page_script_hash = ""
        return await self.rerun(page_name=self.page)

    # ------------------------------------------------------------------ widgets

    def widget(self, key: str) -> Element:
        for element in self.elements.values():
            if element.key == key:
                return element
        raise KeyError(f"no widget with key {key!r} on the page ({self.widget_keys()[:20]}...)")

    def has(self, key: str) -> bool:
        return any(e.key == key for e in self.elements.values())

    def widget_keys(self) -> list[str]:
        return [e.key for e in self.elements.values() if e.key]

    def set(self, key: str, value: Any) -> None:
        """Give a widget a value for the next run, as typing or choosing does."""
        element = self.widget(key)
        state = WidgetState(id=element.id)
        value_field = VALUE_FIELD.get(element.kind)
        if value_field is None:
            raise TypeError(f"{key!r} is a {element.kind}, which this client cannot set")
        if value_field.endswith("_array_value"):
            values = value if isinstance(value, list | tuple) else [value]
            getattr(state, value_field).data.extend(values)
        else:
            setattr(state, value_field, value)
        self.widget_states[element.id] = state

    async def change(self, key: str, value: Any) -> Run:
        """Set a widget's value and run the page (a widget outside a form reruns on change)."""
        self.set(key, value)
        return await self.rerun()

    async def click(self, key: str) -> Run:
        self.set(key, True)
        return await self.rerun()

    # ------------------------------------------------------------------ reading the page

    def texts(self) -> list[str]:
        return [e.text for _, e in sorted(self.elements.items()) if e.text]

    def text_containing(self, needle: str) -> str | None:
        return next((text for text in self.texts() if needle in text), None)

    def within(self, container_key: str) -> list[Element]:
        """The elements inside the container made with st.container(key=container_key)."""
        paths = [p for p, block_id in self.blocks.items() if block_id.endswith(container_key)]
        return [
            e
            for p in paths
            for path, e in sorted(self.elements.items())
            if path[: len(p)] == p and path != p
        ]

    def container_keys(self, prefix: str) -> list[str]:
        """The keys of the containers whose key starts with prefix (e.g. one per card)."""
        keys = []
        for block_id in self.blocks.values():
            found = KEY_IN_ID.match(block_id)
            key = found.group(1) if found else block_id
            if key.startswith(prefix):
                keys.append(key)
        return keys


def new_route_cookie() -> dict[str, str]:
    """A route cookie of our own, as nginx would give one: pins a session to one process."""
    return {"sparcs_route": uuid.uuid4().hex}
