"""Altair charts, turned into Vega-Lite specs once per input and cached: building and checking
a spec costs tens of milliseconds, more than the rest of a page's rerun."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st
from babel.numbers import get_decimal_symbol, get_group_symbol

from sparcs_engage.i18n import LOCALES

GREEN = "#0b5d3b"
LIGHT_GREEN = "#8fb9a4"
AMBER = "#8a6d00"
RED = "#b30000"


def number_locale(lang: str) -> dict:
    """Vega's number format for a language (decimal comma, the group separator), from babel:
    chart axes then read 0,5 and 1 000 in Finnish as the page's text does."""
    locale = LOCALES.get(lang, lang)
    return {
        "number": {
            "decimal": get_decimal_symbol(locale),
            "thousands": get_group_symbol(locale),
            "grouping": [3],
            "currency": ["", ""],
        }
    }


def _localised(spec: dict, lang: str) -> dict:
    spec.setdefault("config", {})["locale"] = number_locale(lang)
    return spec


@st.cache_data(show_spinner=False, max_entries=256)
def trend_spec(
    _data: pd.DataFrame,
    key: tuple,
    *,
    lang: str,
    x_title: str,
    y_title: str,
    series_title: str,
    value_title: str,
    start_year: int,
    target_year: int | None,
    target_label: str | None,
) -> dict:
    """Lines of a district and its city over the years, and a dashed rule at the target year.

    ``key`` names the data (hashing a DataFrame on every rerun costs more than the chart).
    ``y_title`` is short (the unit): a phone has no room for a long axis title. The legend
    sits below the lines, so the lines keep the width.
    """
    data = _data
    end_year = max(int(data["year"].max()), target_year or 0)
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "year:Q",
                title=x_title,
                axis=alt.Axis(format="d", labelOverlap=True),
                scale=alt.Scale(domain=[start_year, end_year]),
            ),
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(titleLimit=220)),
            color=alt.Color(
                "series:N",
                title=None,
                sort=None,  # the district first (green), then the city, in every language
                scale=alt.Scale(range=[GREEN, AMBER]),
                legend=alt.Legend(orient="bottom", labelLimit=300),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("year:Q", title=x_title, format="d"),
                alt.Tooltip("label:N", title=value_title),
            ],
        )
    )
    layers = [lines]
    if target_year:
        marker = pd.DataFrame({"year": [target_year], "label": [target_label]})
        layers.append(alt.Chart(marker).mark_rule(strokeDash=[6, 4], color=RED).encode(x="year:Q"))
        layers.append(
            alt.Chart(marker)
            .mark_text(align="right", baseline="top", dx=-4, y=4, color=RED)
            .encode(x="year:Q", text="label:N")
        )
    return _localised(alt.layer(*layers).properties(height=260).to_dict(), lang)


@st.cache_data(show_spinner=False, max_entries=256)
def bars_spec(
    _data: pd.DataFrame,
    key: tuple,
    *,
    lang: str,
    x_title: str,
    name_title: str,
    value_title: str,
) -> dict:
    """Every district as a bar, largest first; the chosen one in the strong colour.

    ``key`` names the data, as for trend_spec. A band of 22 px per district, so every name
    has room for its label (a fixed height left out every other one); names are cut at 150 px
    so the bars keep most of a phone's width; ``x_title`` is short (the unit).
    """
    return _localised(
        alt.Chart(_data)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=x_title, axis=alt.Axis(titleLimit=260, labelOverlap=True)),
            y=alt.Y(
                "name:N",
                sort="-x",
                title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=150),
            ),
            color=alt.condition("datum.chosen", alt.value(GREEN), alt.value(LIGHT_GREEN)),
            tooltip=[
                alt.Tooltip("name:N", title=name_title),
                alt.Tooltip("label:N", title=value_title),
            ],
        )
        .properties(height=alt.Step(22))
        .to_dict(),
        lang,
    )


def bars_html(
    rows: Sequence[tuple[str, float, str]],
    description: str,
    *,
    largest: float | None = None,
    figure_room: str = "7.5rem",
) -> str:
    """Horizontal bars as HTML: each answer's name on its own line, its bar below, the figure
    beside the bar in the visitor's number format. Readable at 390 px, where a chart's labels
    left its bars some 35 px; the names and figures are text a screen reader reads in order.
    ``rows`` are (name, value, label); bars are as long as their value over ``largest`` (by
    default the largest of the rows; several lists that are compared share one). The longest
    bar leaves ``figure_room`` beside it for its figure (in em where the text is scaled).
    """
    if largest is None:
        largest = max(
            (value for _n, value, _l in rows if value and math.isfinite(value)), default=0
        )
    items = []
    for name, value, label in rows:
        share = min(1, value / largest) if largest and value and math.isfinite(value) else 0
        width = f"calc((100% - {figure_room}) * {share:.4f})"
        items.append(
            f'<li><span class="sparcs-bar-name">{html.escape(name)}</span>'
            f'<span class="sparcs-bar-row"><span class="sparcs-bar" style="width:{width}"'
            f' aria-hidden="true"></span><span class="sparcs-bar-value">{html.escape(label)}'
            "</span></span></li>"
        )
    return (
        f'<ul class="sparcs-bars" aria-label="{html.escape(description)}">'
        + "".join(items)
        + "</ul>"
    )


GREY = "#6b6b6b"
TARGET_RED = "#f2c4c4"


# Row labels longer than this break into lines (a category name on a 390 px phone).
LABEL_LINE = 16


def wrap_label(text: str, width: int = LABEL_LINE) -> str:
    """A row label broken into lines of about ``width`` characters ("\n" between them), which
    the axes below draw as separate lines."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _row_axis() -> alt.Axis:
    return alt.Axis(
        labelLimit=160,
        labelFontSize=13,
        labelPadding=6,
        ticks=False,
        labelExpr="split(datum.label, '\\n')",
    )


def _tonne_axis(title: str) -> alt.Axis:
    return alt.Axis(
        title=title,
        format=",.1~f",
        tickMinStep=0.5,
        tickCount=5,
        labelFontSize=12,
        labelFlush=True,
        grid=True,
    )


@st.cache_data(show_spinner=False, max_entries=256)
def footprint_categories_spec(
    _data: pd.DataFrame, key: tuple, *, x_title: str, lang: str, description: str
) -> dict:
    """The resident and the average resident side by side in each category: one row per
    category, two labelled bars in it. ``_data`` has category, who, tonnes, label; ``key``
    names it (see trend_spec)."""
    data = _data
    top = float(data["tonnes"].max() or 1) * 1.3
    categories = list(dict.fromkeys(data["category"]))
    people = list(dict.fromkeys(data["who"]))
    base = alt.Chart(data, description=description).encode(
        y=alt.Y("category:N", sort=categories, title=None, axis=_row_axis()),
        yOffset=alt.YOffset("who:N", sort=people),
        x=alt.X("tonnes:Q", axis=_tonne_axis(x_title), scale=alt.Scale(domain=[0, top])),
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        color=alt.Color(
            "who:N",
            sort=people,
            scale=alt.Scale(domain=people, range=[GREEN, GREY]),
            legend=alt.Legend(
                title=None, orient="top", direction="vertical", labelFontSize=13, labelLimit=400
            ),
        ),
        tooltip=[
            alt.Tooltip("category:N", title=" "),
            alt.Tooltip("who:N", title=" "),
            alt.Tooltip("label:N", title=x_title),
        ],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#1f1f1f").encode(text="label:N")
    return (
        alt.layer(bars, labels)
        .properties(height=alt.Step(24, **{"for": "offset"}))
        .configure(locale=number_locale(lang))
        .configure_view(stroke=None)
        .to_dict()
    )


@st.cache_data(show_spinner=False, max_entries=256)
def footprint_totals_spec(
    _data: pd.DataFrame, key: tuple, *, x_title: str, lang: str, description: str
) -> dict:
    """The resident's total beside the average resident's and the 1.5-degree targets: one
    labelled bar each. ``_data`` has name, tonnes, label, kind (you, average, target)."""
    data = _data
    top = float(data["tonnes"].max() or 1) * 1.3
    names = list(data["name"])
    base = alt.Chart(data, description=description).encode(
        y=alt.Y("name:N", sort=names, title=None, axis=_row_axis()),
        x=alt.X("tonnes:Q", axis=_tonne_axis(x_title), scale=alt.Scale(domain=[0, top])),
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=["you", "average", "target"], range=[GREEN, GREY, TARGET_RED]),
            legend=None,
        ),
        stroke=alt.condition("datum.kind == 'target'", alt.value(RED), alt.value(None)),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("label:N", title=x_title)],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#1f1f1f").encode(text="label:N")
    return (
        alt.layer(bars, labels)
        .properties(height=alt.Step(30))
        .configure(locale=number_locale(lang))
        .configure_view(stroke=None)
        .to_dict()
    )


@st.cache_data(show_spinner=False, max_entries=512)
def share_bars_spec(_data: pd.DataFrame, key: tuple, *, x_title: str) -> dict:
    """Horizontal bars of one survey question's answers, in the order given."""
    return (
        alt.Chart(_data)
        .mark_bar(color=GREEN)
        .encode(
            x=alt.X("value:Q", title=x_title),
            y=alt.Y("name:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("label:N", title=x_title)],
        )
        .properties(height=alt.Step(28))
        .to_dict()
    )


@st.cache_data(show_spinner=False, max_entries=512)
def sparkline_spec(_data: pd.DataFrame, key: tuple, *, description: str) -> dict:
    """A small line of a KPI's monthly values (month, value, label), for a KPI card.

    Drawn here rather than with st.metric's own sparkline, whose points carry no text
    alternative (axe-core: svg-img-alt); ``description`` is the chart's text alternative.
    """
    return (
        alt.Chart(_data, description=description)
        .mark_line(point=True, color=GREEN)
        .encode(
            x=alt.X(
                "month:O", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelFontSize=10)
            ),
            y=alt.Y("value:Q", title=None, axis=None, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("month:O", title=" "), alt.Tooltip("label:N", title=" ")],
        )
        .properties(height=70)
        .configure_view(stroke=None)
        .to_dict()
    )
