"""The footprint result: the resident's footprint beside the average resident and the
1.5-degree targets, what they decide and what they don't, what their city's published plans
change by its target year, the actions that help most, and saving it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sparcs_engage.cities import City
from sparcs_engage.footprint import (
    LIFESTYLE_CATEGORIES,
    TARGETS_KG,
    Answers,
    FootprintInputError,
    FootprintResult,
    PlansOutlook,
    average_profile,
    calculate,
    city_plans,
    compare,
    outlook,
    parts,
    planned_factors,
    published_average,
    validate_answers,
    with_every_action,
)
from sparcs_engage.i18n import Translator
from sparcs_engage.ui import footprint_fields as fields
from sparcs_engage.ui.charts import (
    footprint_categories_spec,
    footprint_totals_spec,
    wrap_label,
)
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.footprint_labels import (
    AVERAGE_LABEL,
    CATEGORY,
    COUNTRY_AVERAGE,
    RELATION,
)
from sparcs_engage.ui.footprint_saving import pledges_and_save
from sparcs_engage.ui.layout import escape_markdown, page_link, tonnes

METHOD_PAGE = "views/public/method.py"


def _short(t: Translator, kg: float) -> str:
    return t("{amount}\u00a0t", amount=t.number(kg / 1000, digits=1))


def result(visitor: Visitor, city: City, country: str) -> None:
    """The result, compared and charted; the parts; the city's plans; actions and saving."""
    t = visitor.t
    try:
        answers = validate_answers({**fields.answers(), "country": country, "city": city.id})
    except FootprintInputError:
        st.session_state["fp_step"] = 0
        st.rerun()
    mine = calculate(answers)
    average = calculate(average_profile(country))
    st.progress(1.0, text=t("Your result"))
    st.metric(t("Your carbon footprint a year"), tonnes(t, mine.lifestyle_kg))
    comparison = compare(mine, average)
    relation = t(
        RELATION[comparison.relation],
        share=t.percent(abs(comparison.share_vs_average)),
        average=t(COUNTRY_AVERAGE[country]),
        amount=tonnes(t, comparison.average_kg),
    )
    st.write(
        t("Your footprint is {relation}.", relation=relation)
        + " "
        + t(
            "A lifestyle in line with the 1.5-degree goal means {target} a year by 2030.",
            target=tonnes(t, TARGETS_KG[2030]),
        )
    )
    _charts(t, country, mine, average)
    page_link(
        visitor,
        METHOD_PAGE,
        t("How we calculate: every factor with its source"),
        ":material/menu_book:",
    )
    _parts(t, answers, mine)
    plans = city_plans(str(city.folder), city.id, city.country)
    if plans is not None:
        _plans(t, visitor.lang, city, outlook(answers, plans))
    _how_far(t, city, answers)
    pledges_and_save(visitor, city, answers)


def _charts(t: Translator, country: str, mine: FootprintResult, average: FootprintResult) -> None:
    you, them = t("You"), t(AVERAGE_LABEL[country])
    rows = []
    for category in LIFESTYLE_CATEGORIES:
        for who, res in ((you, mine), (them, average)):
            kg = res.by_category[category]
            rows.append(
                {
                    "category": wrap_label(t(CATEGORY[category])),
                    "who": who,
                    "tonnes": round(kg / 1000, 2),
                    "label": _short(t, kg),
                }
            )
    data = pd.DataFrame(rows)
    axis = t("t CO₂e a year")
    st.subheader(t("By category"))
    key = (t.lang, country, tuple(round(r["tonnes"], 2) for r in rows))
    st.vega_lite_chart(
        footprint_categories_spec(
            data,
            key,
            x_title=axis,
            lang=t.lang,
            description=t("Your footprint and the average by category, in tonnes"),
        ),
        width="stretch",
    )
    totals = [
        {"name": wrap_label(you), "tonnes": mine.lifestyle_kg, "kind": "you"},
        {"name": t("Average"), "tonnes": average.lifestyle_kg, "kind": "average"},
        *(
            {"name": t("Target {year}", year=year), "tonnes": kg, "kind": "target"}
            for year, kg in TARGETS_KG.items()
        ),
    ]
    for row in totals:
        row["label"] = _short(t, row["tonnes"])
        row["tonnes"] = round(row["tonnes"] / 1000, 2)
    st.subheader(t("Compared with the 1.5-degree targets"))
    key = (t.lang, country, tuple(r["tonnes"] for r in totals))
    st.vega_lite_chart(
        footprint_totals_spec(
            pd.DataFrame(totals),
            key,
            x_title=axis,
            lang=t.lang,
            description=t("Your footprint, the average and the 1.5-degree targets, in tonnes"),
        ),
        width="stretch",
    )
    published = published_average(country)
    st.caption(
        t(
            "Average: {average}, worked out here with the same factors as yours. The published "
            "average is {published} ({year}); the method page explains the difference. "
            "Targets: IGES, Aalto University, D-mat and Sitra (2019).",
            average=t(COUNTRY_AVERAGE[country]),
            published=tonnes(t, published.total.kg),
            year=published.total.year,
        )
    )


def _parts(t: Translator, answers: Answers, mine: FootprintResult) -> None:
    split = parts(answers.heating, mine)
    st.subheader(t("What you decide, and what you don't"))
    columns = st.columns(3 if split.energy_system_kg else 2)
    columns[0].metric(t("Your own choices"), tonnes(t, split.personal_kg))
    if split.energy_system_kg:
        columns[1].metric(t("Your city's district heat"), tonnes(t, split.energy_system_kg))
    columns[-1].metric(t("Public services for everyone"), tonnes(t, split.public_kg))
    text = t(
        "Your own choices change {personal} of your footprint: your home's energy, how you "
        "travel, what you eat and buy.",
        personal=tonnes(t, split.personal_kg),
    )
    if split.energy_system_kg:
        text += " " + t(
            "The heat of your home comes from the district heating network: how clean it is, "
            "the city and its energy company decide ({system}).",
            system=tonnes(t, split.energy_system_kg),
        )
    text += " " + t(
        "Schools, health care, roads and the rest of public life add {public} for every "
        "resident, whatever they choose. With them, your whole footprint is {total}.",
        public=tonnes(t, split.public_kg),
        total=tonnes(t, mine.total_kg),
    )
    st.write(text)


def _plans(t: Translator, lang: str, city: City, view: PlansOutlook) -> None:
    st.subheader(t("What your city's plans change for you"))
    for target in city.targets:
        text = target.text.get(lang) or target.text.get("en")
        if text:
            st.write(text)
    for effect in view.effects:
        plan = effect.plan
        what = plan.what.get(lang) or plan.what.get("en", plan.id)
        kg = effect.saving_kg
        if abs(kg) < 5:
            change = t("No change for you.")
        elif abs(kg) < 50:
            change = t("A little less for you: under 0.1\u00a0t a year.")
        elif kg > 0:
            change = t("About {amount} less for you a year.", amount=_short(t, kg))
        else:
            change = t("About {amount} more for you a year.", amount=_short(t, -kg))
        st.markdown(f"- **{plan.year}** · {_escape(what)} **{_escape(change)}**")
    st.write(
        t(
            "With the same life as today, your footprint would be {planned} a year in {year}, "
            "instead of {now} today.",
            planned=tonnes(t, view.planned.lifestyle_kg),
            year=view.target_year,
            now=tonnes(t, view.now.lifestyle_kg),
        )
    )
    st.caption(
        t(
            "The plans are published; how much they lower each factor is our estimate, "
            "explained with its source on the method page."
        )
    )


def _how_far(t: Translator, city: City, answers: Answers) -> None:
    """How far personal choices can go, with the city's plans: the honest message."""
    plans = city_plans(str(city.folder), city.id, city.country)
    factors = planned_factors(answers, plans) if plans else None
    best = with_every_action(answers, factors)
    now = calculate(answers)
    saving = now.lifestyle_kg - with_every_action(answers).lifestyle_kg
    target = TARGETS_KG[2030]
    if best.lifestyle_kg > target:
        st.info(
            t(
                "Even if you took every step below, and with your city's plans, your footprint "
                "would still be about {best} a year: more than the 1.5-degree target of "
                "{target} for 2030. Nobody can reach it by personal choices alone. The food, "
                "goods and services we all buy have to be made with much less emissions too. "
                "Your steps still count: together they cut about {saving} a year.",
                best=tonnes(t, best.lifestyle_kg),
                target=tonnes(t, target),
                saving=tonnes(t, saving),
            ),
            icon=":material/balance:",
        )
    else:
        st.success(
            t(
                "With every step below and your city's plans, you could get to about {best} "
                "a year: under the 1.5-degree target of {target} for 2030.",
                best=tonnes(t, best.lifestyle_kg),
                target=tonnes(t, target),
            ),
            icon=":material/celebration:",
        )


def _escape(text: str) -> str:
    return escape_markdown(text)
