"""How the footprint is calculated (/method): the method in the visitor's language, then every
emission factor with its value, unit, year, scope and source, the average resident against the
published average, and the city's plans with their estimates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sparcs_engage.footprint import (
    CATEGORIES,
    COUNTRIES,
    TARGETS_KG,
    TARGETS_SOURCE,
    average_profile,
    calculate,
    city_plans,
    default_factors,
    published_average,
)
from sparcs_engage.i18n import Translator
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.footprint_labels import (
    CATEGORY,
    COUNTRY_NAME,
    FACTOR_GROUPS,
    FACTOR_LABEL,
    STATUS,
    UNIT,
)
from sparcs_engage.ui.layout import page_link, tonnes


def render(visitor: Visitor) -> None:
    """Draw /method for this visitor."""
    t = visitor.t
    st.title(t("How the footprint is calculated"))
    page_link(
        visitor, "views/public/footprint.py", t("Back to the calculator"), ":material/footprint:"
    )
    st.markdown(t.content("method"))
    mine = visitor.city.country if visitor.city and visitor.city.country in COUNTRIES else "FI"
    st.session_state.setdefault("method_country", mine)
    country = st.segmented_control(
        t("Country"),
        COUNTRIES,
        format_func=lambda c: t(COUNTRY_NAME[c]),
        key="method_country",
        required=True,
    )
    _averages(t, country)
    _factors(t, country)
    if visitor.city is not None and visitor.city.country == country:
        _plans(t, visitor)
    st.header(t("The 1.5-degree targets"))
    st.write(
        t(
            "Lifestyle footprint per person: {t2030} in 2030, {t2040} in 2040 and {t2050} in 2050.",
            t2030=tonnes(t, TARGETS_KG[2030]),
            t2040=tonnes(t, TARGETS_KG[2040]),
            t2050=tonnes(t, TARGETS_KG[2050]),
        )
    )
    st.text(TARGETS_SOURCE)


def _unit(t: Translator, unit: str) -> str:
    return t(UNIT[unit]) if unit in UNIT else unit


def _averages(t: Translator, country: str) -> None:
    st.header(t("The average resident in figures"))
    published = published_average(country)
    ours = calculate(average_profile(country))
    rows = []
    for category in CATEGORIES:
        figure = published.categories[category]
        kg = ours.by_category[category]
        rows.append(
            {
                t("Category"): t(CATEGORY[category]),
                t("Published"): tonnes(t, figure.kg),
                t("This calculator"): tonnes(t, kg),
                t("Difference"): t.percent((kg - figure.kg) / figure.kg),
                t("Year"): str(figure.year),
                t("Status"): t(STATUS[figure.status]),
                t("Source"): figure.source,
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    total = ours.lifestyle_kg if published.total_scope == "lifestyle" else ours.total_kg
    st.write(
        t(
            "Published total: {published} ({year}). This calculator, with the same average "
            "answers: {ours}.",
            published=tonnes(t, published.total.kg),
            year=published.total.year,
            ours=tonnes(t, total),
        )
    )
    st.text(published.total.source)


def _factors(t: Translator, country: str) -> None:
    st.header(t("Emission factors"))
    factors = default_factors()
    st.caption(
        t(
            "Every factor of {country}, in one scope: life-cycle CO₂e with the fuel supply "
            "(LC-CO2e-WTW). Factor set {version}.",
            country=t(COUNTRY_NAME[country]),
            version=factors.version,
        )
    )
    groups: dict[str, list[dict]] = {}
    for factor in factors.for_country(country):
        group, label = FACTOR_LABEL[factor.key]
        name = t(label)
        if factor.city:
            name = f"{name} ({factor.city.capitalize()})"
        groups.setdefault(group, []).append(
            {
                t("Factor"): name,
                t("Value"): f"{t.typed_number(factor.value)} {_unit(t, factor.unit)}",
                t("Year"): str(factor.year),
                t("Estimate"): t("yes") if factor.is_estimate else t("no"),
                t("Source"): factor.source,
                t("Note"): factor.note,
                t("Scope"): factor.scope,
            }
        )
    for group, rows in groups.items():
        st.subheader(t(FACTOR_GROUPS[group]))
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _plans(t: Translator, visitor: Visitor) -> None:
    city = visitor.city
    plans = city_plans(str(city.folder), city.id, city.country)
    if plans is None:
        return
    name = city.name(visitor.lang)
    st.header(t("The city's plans: {city}", city=name))
    st.write(
        t(
            "What each plan changes for a resident is worked out on the result page with these "
            "factors, up to {year}.",
            year=plans.target_year,
        )
    )
    rows = [
        {
            t("Year"): str(plan.year),
            t("Plan"): plan.what.get(visitor.lang) or plan.what.get("en", plan.id),
            t("Factor"): t(FACTOR_LABEL[plan.factor][1]),
            t("Value"): t.typed_number(plan.value),
            t("Unit"): _unit(t, default_factors().factor(city.country, plan.factor).unit),
            t("Status"): t(STATUS[plan.status]),
            t("Reasoning"): plan.reasoning,
            t("Source"): plan.source,
        }
        for plan in plans.plans
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
