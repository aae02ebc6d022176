"""Altair charts, turned into Vega-Lite specs once per input and cached: building and checking
a spec costs tens of milliseconds, more than the rest of a page's rerun."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

GREEN = "#0b5d3b"
LIGHT_GREEN = "#8fb9a4"
AMBER = "#8a6d00"
RED = "#b30000"


@st.cache_data(show_spinner=False, max_entries=256)
def trend_spec(
    _data: pd.DataFrame,
    key: tuple,
    *,
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
                axis=alt.Axis(format="d"),
                scale=alt.Scale(domain=[start_year, end_year]),
            ),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=[GREEN, AMBER])),
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
    return alt.layer(*layers).to_dict()


@st.cache_data(show_spinner=False, max_entries=256)
def bars_spec(
    _data: pd.DataFrame, key: tuple, *, x_title: str, name_title: str, value_title: str
) -> dict:
    """Every district as a bar, largest first; the chosen one in the strong colour.

    ``key`` names the data, as for trend_spec.
    """
    return (
        alt.Chart(_data)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=x_title),
            y=alt.Y("name:N", sort="-x", title=None),
            color=alt.condition("datum.chosen", alt.value(GREEN), alt.value(LIGHT_GREEN)),
            tooltip=[
                alt.Tooltip("name:N", title=name_title),
                alt.Tooltip("label:N", title=value_title),
            ],
        )
        .to_dict()
    )


CATEGORY_COLOURS = ["#0b5d3b", "#3f8f6b", "#8a6d00", "#5b6f8c"]


@st.cache_data(show_spinner=False, max_entries=256)
def footprint_spec(
    data: pd.DataFrame, targets: pd.DataFrame, *, x_title: str, category_title: str
) -> dict:
    """Stacked bars of the resident and the national average by category, target lines."""
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(tonnes):Q", title=x_title),
            y=alt.Y("who:N", title=None, sort=None),
            color=alt.Color(
                "category:N",
                title=category_title,
                sort=None,
                scale=alt.Scale(range=CATEGORY_COLOURS),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            order=alt.Order("category:N"),
            tooltip=[
                alt.Tooltip("who:N", title=" "),
                alt.Tooltip("category:N", title=category_title),
                alt.Tooltip("label:N", title=x_title),
            ],
        )
    )
    rules = alt.Chart(targets).mark_rule(strokeDash=[5, 3], color=RED).encode(x="tonnes:Q")
    labels = (
        alt.Chart(targets)
        .mark_text(align="left", dx=3, y=-6, color=RED, fontSize=11)
        .encode(x="tonnes:Q", text="label:N")
    )
    return alt.layer(bars, rules, labels).properties(height=170).to_dict()


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
