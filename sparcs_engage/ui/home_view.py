"""The home page (/): what SPARCS Engage is for, the chosen city, and the way to the activities."""

from __future__ import annotations

import streamlit as st

from sparcs_engage.navigation import activities
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.layout import page_link, source_note


def render(visitor: Visitor) -> None:
    """Draw / for this visitor."""
    t = visitor.t

    st.title(t("Shape your city's energy future"))
    # The activities first, so that a phone's first screen shows the way in (#11.9).
    pages = activities(visitor.role)
    if pages:
        st.header(t("What you can do here"))
        for spec in pages:
            with st.container(border=True):
                page_link(visitor, spec.script, t(spec.title), spec.icon)
                st.write(t(spec.activity))
    st.markdown(t.content("home"))

    city = visitor.city
    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
    else:
        st.header(city.name(visitor.lang))
        st.metric(t("Residents"), t.number(city.population))
        source_note(t, city.population_source, city.population_year)
        for target in city.targets:
            st.info(
                target.text.get(visitor.lang) or target.text[city.default_language],
                icon=":material/flag:",
            )
            source_note(t, target.source, target.source_year)

    if visitor.registry.errors:
        st.warning(
            t.ngettext(
                "The data of {n} city could not be read, so it is not shown.",
                "The data of {n} cities could not be read, so they are not shown.",
                len(visitor.registry.errors),
            )
        )
