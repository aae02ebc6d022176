"""What residents do in SPARCS Engage, played through `StreamlitSession` (the websocket
protocol, no browser): open home, answer the City Vision survey to the end, compute and save a
footprint, join a workshop and vote. The capacity bench and the cluster checks use these; a
later workshop bench can run hundreds of `join_workshop` + `vote` tablets with them.

Each widget change is one run, as in a browser (a widget outside a form reruns the page), and
`think` is awaited before each action, so that N residents are N people, not N loops.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.streamlit_client import Run, SessionError, StreamlitSession

CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
NO_THINK: Callable[[], Awaitable[None]] = lambda: asyncio.sleep(0)  # noqa: E731


@dataclass
class Timings:
    """Wall times of one resident's runs, by what they were."""

    steps: list[float] = field(default_factory=list)  # a survey part sent with "Next"
    widgets: list[float] = field(default_factory=list)  # a widget changed (one run each)
    other: list[float] = field(default_factory=list)  # opening a page, start, submit, ...
    exceptions: list[str] = field(default_factory=list)

    def add(self, kind: str, run: Run) -> Run:
        getattr(self, kind).append(run.seconds)
        self.exceptions.extend(run.exceptions)
        return run


def thinker(low: float, high: float, rng: random.Random) -> Callable[[], Awaitable[None]]:
    return lambda: asyncio.sleep(rng.uniform(low, high))


async def open_home(s: StreamlitSession, timings: Timings) -> None:
    timings.add("other", await s.connect())


# ------------------------------------------------------------------------------ the survey

SKIPPED_SUFFIXES = ("__district", "__map", "__clear")


async def _answer_section(s: StreamlitSession, timings: Timings, think) -> None:
    """Answer every question of the part on screen as a resident would, one widget at a time:
    the first option of single choices and scales, one pill, places 1-3 of a ranking in order,
    60/40 points of a budget. Optional free text and the map are left out."""
    keys = [k for k in s.widget_keys() if k.startswith("sv_") and k not in ("sv_back", "sv_next")]
    budget_given = 0
    for key in keys:
        if key.endswith(SKIPPED_SUFFIXES) or not s.has(key):
            continue
        element = s.widget(key)
        options = element.options
        if element.kind == "radio" and options:
            value = options[0]
        elif element.kind == "button_group" and options:
            value = [options[0]]
        elif element.kind == "selectbox" and options:
            place = int(key.rsplit("__", 1)[1]) if "__" in key else 0
            value = options[min(place, len(options) - 1)]
        elif element.kind == "number_input":
            value = float({0: 60, 60: 40}.get(budget_given, 0))
            budget_given += int(value)
            if not value:
                continue
        else:
            continue  # text and anything optional
        await think()
        timings.add("widgets", await s.change(key, value))


async def answer_survey(
    s: StreamlitSession, timings: Timings, think=NO_THINK, *, submit: bool = True
) -> str:
    """Consent, start, every part with "Next", then send: the resident's code."""
    await think()
    timings.add("widgets", await s.change("sv_consent", True))
    await think()
    timings.add("other", await s.click("sv_start"))
    found = CODE.search(s.text_containing("Your code is") or "")
    if not found:
        raise SessionError(f"no code after starting the survey: {s.texts()[-5:]}")
    code = found.group(0)
    for _ in range(12):  # parts of the survey, with room to spare
        if s.has("sv_submit"):
            break
        await _answer_section(s, timings, think)
        await think()
        timings.add("steps", await s.click("sv_next"))
    else:
        raise SessionError("the survey did not reach its review")
    if submit:
        await think()
        timings.add("other", await s.click("sv_submit"))
        if s.has("sv_submit"):
            raise SessionError(f"the survey was not sent: {s.texts()[-4:]}")
    return code


# ------------------------------------------------------------------------------ the footprint


async def compute_footprint(
    s: StreamlitSession, timings: Timings, think=NO_THINK, *, save: bool = True
) -> str | None:
    """Through the three steps with the defaults, two pledges, consent and save: the code."""
    for _ in range(3):
        await think()
        timings.add("steps", await s.click("fp_next"))
    pledges = [k for k in s.widget_keys() if k.startswith("fp_pledge_")][:2]
    for key in pledges:
        await think()
        timings.add("widgets", await s.change(key, True))
    if not save:
        return None
    await think()
    timings.add("widgets", await s.change("fp_consent", True))
    await think()
    timings.add("other", await s.click("fp_save"))
    texts = " ".join(s.texts())
    found = CODE.search(texts)
    return found.group(0) if found else None


# ------------------------------------------------------------------------------ workshops


async def join_workshop(s: StreamlitSession, timings: Timings, name: str, think=NO_THINK) -> None:
    """On /workshop?code=...: a name, "Join"; the session then follows the phase (fragment)."""
    await think()
    s.set("wk_name", name)
    timings.add("other", await s.click("wk_join_submit"))
    if s.has("wk_join_submit"):
        raise SessionError(f"could not join: {s.texts()[-4:]}")


def card_ids(s: StreamlitSession) -> list[int]:
    return [int(k.rsplit("_", 1)[1]) for k in s.container_keys("wk_card_") if k[8:].isdigit()]


async def vote(s: StreamlitSession, timings: Timings, card_id: int, think=NO_THINK) -> Run:
    """One dot on a card (the card's "Give a dot" button)."""
    await think()
    return timings.add("steps", await s.click(f"wk_vote_{card_id}"))
