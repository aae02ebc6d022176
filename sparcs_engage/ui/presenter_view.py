"""The presenter view of a workshop (/facilitate?code=...&view=present): what the projector
shows the room, full screen, without the site's header, footer or a single control.

The facilitator opens it in a window of its own and keeps the controls on the laptop; this
view follows the workshop by itself (a fragment reads it every 2 s): the join code and QR code
while the workshop opens and cards are collected, with the count of cards growing; the board
with its dots while voting (each card keeps its place); the ranked results as bars; the summary
once closed. It is one block of HTML made of escaped text, sized to the screen by the
``.sparcs-present`` rules of style.css (body text 31 px at 1920 px wide, to be read at 10 m).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable

import streamlit as st

from sparcs_engage import workshops as ws
from sparcs_engage.i18n import N_, Translator
from sparcs_engage.ui.charts import bars_html
from sparcs_engage.ui.database import page_guard
from sparcs_engage.ui.database import run_use_case as _call
from sparcs_engage.ui.layout import error_text as _error

REFRESH_S = 2
CONTAINER_KEY = "presenter"
# What the room is asked to do, by phase (the tablets say the same).
HINTS: dict[str, str] = {
    "draft": ws.MESSAGES[ws.NOT_OPEN],
    "collecting": N_("Write your ideas for 2050 on cards: one idea per card."),
    "voting": N_("Voting is open: place your dots on the ideas you like best."),
}


def render(visitor, engine, info: ws.WorkshopInfo, *, join_url: str) -> None:
    """Draw the presenter view of this workshop (the caller has checked the facilitator)."""
    t = visitor.t
    st.set_page_config(layout="wide")

    # A closed workshop cannot change: no refreshing then.
    @st.fragment(run_every=None if info.phase == "closed" else REFRESH_S)
    def screen() -> None:
        # A fragment's rerun sends the page configuration of app.py again: keep it wide.
        st.set_page_config(layout="wide")
        with page_guard(t, retry=False):  # a lost connection: a note, and the next refresh
            try:
                now = _call(engine, ws.presentation, workshop_id=info.id, lang=t.lang)
            except ws.WorkshopError as error:
                st.html(_page(f'<p class="sparcs-present-hint">{_e(_error(t, error))}</p>'))
                return
            st.html(_page(_phase_html(t, now, join_url)))

    with st.container(key=CONTAINER_KEY):
        screen()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(body: str) -> str:
    return f'<div class="sparcs-present">{body}</div>'


def _phase_html(t: Translator, now: ws.Presentation, join_url: str) -> str:
    info = now.workshop
    if now.summary is not None:
        return _ranked_html(t, info, now.summary)
    if info.phase == "voting":
        return _voting_html(t, info, now.board)
    return _join_html(t, info, now.board, join_url)


def _title(info: ws.WorkshopInfo, side: str = "") -> str:
    """The workshop's title, and on the right what latecomers need (the join code)."""
    aside = f'<p class="sparcs-present-aside">{side}</p>' if side else ""
    return f'<header class="sparcs-present-top"><h1>{_e(info.title)}</h1>{aside}</header>'


def _qr_img(t: Translator, url: str) -> str:
    svg = ws.qr_svg(url)
    if "xmlns=" not in svg[:200]:
        # Drawn as an <img>: a standalone SVG needs its namespace.
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = _e(t("QR code to join the workshop"))
    return f'<img class="sparcs-present-qr" alt="{alt}" src="data:image/svg+xml;base64,{data}">'


def _join_html(t: Translator, info: ws.WorkshopInfo, board: ws.Board, join_url: str) -> str:
    """Draft and collecting: the code as large as the screen allows, its link, the QR code,
    and while collecting the cards and people so far."""
    cards = sum(len(column.cards) for column in board.columns)
    counts = ""
    if info.phase == "collecting":
        counts = _counts(
            t.ngettext("{n} card", "{n} cards", cards),
            t.ngettext("{n} participant", "{n} participants", board.participants),
        )
    lead, hint = t("Join with the code"), t(HINTS[info.phase])
    return (
        _title(info)
        + '<section class="sparcs-present-join">'
        + '<div class="sparcs-present-join-text">'
        + f'<p class="sparcs-present-lead">{_e(lead)}</p>'
        + f'<p class="sparcs-join-code sparcs-present-code">{_e(info.join_code)}</p>'
        + f'<p class="sparcs-present-url">{_e(join_url)}</p>'
        + "</div>"
        + _qr_img(t, join_url)
        + "</section>"
        + f'<p class="sparcs-present-hint">{_e(hint)}</p>'
        + counts
    )


def _counts(*figures: str) -> str:
    spans = "".join(f'<span class="sparcs-present-count">{_e(f)}</span>' for f in figures)
    return f'<p class="sparcs-present-counts">{spans}</p>'


def _voting_html(t: Translator, info: ws.WorkshopInfo, board: ws.Board) -> str:
    """Voting: every theme's cards in their stable order, each with its dots, and the dots
    placed so far."""
    dots = t.ngettext("{n} dot placed", "{n} dots placed", board.dots_cast)
    code, hint = t("Code {code}", code=info.join_code), t(HINTS[info.phase])
    head = (
        _title(info, _e(code))
        + '<div class="sparcs-present-status">'
        + f'<p class="sparcs-present-hint">{_e(hint)}</p>'
        + f'<p class="sparcs-present-count">{_e(dots)}</p></div>'
    )
    themes = []
    for column in board.columns:
        items = []
        for card in column.cards:
            dots_on_card = t.ngettext("{n} dot", "{n} dots", card.dots)
            items.append(
                '<li class="sparcs-present-card">'
                f'<span class="sparcs-present-card-text">{_e(card.text)}</span>'
                f'<span class="sparcs-present-dots">{_e(dots_on_card)}</span></li>'
            )
        none = t("No cards yet.")
        body = (
            f'<ul class="sparcs-present-cards">{"".join(items)}</ul>'
            if items
            else f'<p class="sparcs-present-none">{_e(none)}</p>'
        )
        label = _e(ws.theme_label(column.theme, t.lang))
        themes.append(f'<section class="sparcs-present-theme"><h2>{label}</h2>{body}</section>')
    return head + f'<div class="sparcs-present-board">{"".join(themes)}</div>'


def _ranked_html(t: Translator, info: ws.WorkshopInfo, outcome: ws.WorkshopSummary) -> str:
    """Results: the top cards of each theme, ranked, with their dots as bars (one scale for
    every theme). Closed: the same under the figures of the whole workshop."""
    if info.phase == "closed":
        heading, thanks = t("Summary: the top visions per theme"), t(ws.MESSAGES[ws.CLOSED])
        head = (
            _title(info)
            + f'<p class="sparcs-present-hint">{_e(thanks)}</p>'
            + _counts(
                t.ngettext("{n} participant", "{n} participants", outcome.participants),
                t.ngettext("{n} card", "{n} cards", outcome.cards),
                t.ngettext("{n} dot placed", "{n} dots placed", outcome.dots_cast),
            )
            + f'<h2 class="sparcs-present-heading">{_e(heading)}</h2>'
        )
    else:
        heading = t("The ideas with the most dots")
        code = t("Code {code}", code=info.join_code)
        head = _title(info, _e(code)) + f'<p class="sparcs-present-lead">{_e(heading)}</p>'
    largest = max((card.dots for theme in outcome.themes for card in theme.cards), default=0)
    themes = [
        _ranked_theme(t, theme.label, theme.cards, largest)
        for theme in outcome.themes
        if theme.cards or info.phase == "results"
    ]
    return head + f'<div class="sparcs-present-board">{"".join(themes)}</div>'


def _ranked_theme(t: Translator, label: str, cards: Iterable[ws.SummaryCard], largest: int) -> str:
    rows = [
        (f"{card.rank}. {card.text}", card.dots, t.ngettext("{n} dot", "{n} dots", card.dots))
        for card in cards
    ]
    none = t("No cards on this theme.")
    body = (
        bars_html(rows, label, largest=largest, figure_room="7em")
        if rows
        else f'<p class="sparcs-present-none">{_e(none)}</p>'
    )
    return f'<section class="sparcs-present-theme"><h2>{_e(label)}</h2>{body}</section>'
