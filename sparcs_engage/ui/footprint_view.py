"""The carbon footprint page (/footprint): about fifteen questions in three short steps, the
result beside the national average and the 1.5-degree targets, the actions that help most, and
an anonymous save with a code to look at or delete it later. The labels are in
``footprint_labels.py`` beside this module."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from sparcs_engage.cities import City
from sparcs_engage.db import session_scope
from sparcs_engage.footprint import (
    BOUNDS,
    CAR_FUELS,
    CATEGORIES,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    NATIONAL_AVERAGE_KG,
    REFERENCE_SOURCES,
    TARGETS_KG,
    FootprintInputError,
    TooManySaves,
    actions,
    average_profile,
    calculate,
    compare,
    load_footprint,
    save_footprint,
    validate_answers,
)
from sparcs_engage.i18n import N_, Translator
from sparcs_engage.respondents import CodeAttemptsExceeded, delete_respondent, normalize_code
from sparcs_engage.ui import client
from sparcs_engage.ui.charts import footprint_spec
from sparcs_engage.ui.context import Visitor, current_visitor
from sparcs_engage.ui.database import require_database
from sparcs_engage.ui.footprint_labels import (
    ACTION,
    AVERAGE_LABEL,
    CAR_FUEL,
    CATEGORY,
    COUNTRY_AVERAGE,
    DIET,
    FOOD_WASTE,
    HEATING,
    HOME_TYPE,
    RELATION,
    SPENDING,
)
from sparcs_engage.ui.layout import error_text, page_link

STEPS = (
    ("housing", N_("Your home")),
    ("mobility", N_("Getting around")),
    ("food", N_("Food and shopping")),
)
# The answers each step asks for: a step shows only its own fields' errors.
FIELDS = {
    "housing": (
        "home_type",
        "floor_area_m2",
        "household_size",
        "heating",
        "green_electricity",
        "electricity_kwh",
        "heat_kwh",
    ),
    "mobility": (
        "car_fuel",
        "car_km_per_year",
        "public_transport_km_per_week",
        "flights_short_per_year",
        "flights_long_per_year",
    ),
    "food": ("diet", "food_waste", "spending"),
}


def tonnes(t: Translator, kg: float) -> str:
    """Kilograms as tonnes of CO₂e with one decimal, in the visitor's language."""
    return t("{amount}\u00a0t CO₂e", amount=t.number(kg / 1000, digits=1))


def render(visitor: Visitor) -> None:
    """Draw /footprint for this visitor: the current step of questions, or the result."""
    t = visitor.t
    city = visitor.city

    st.title(t("Your carbon footprint"))
    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    country = city.country if city.country in COUNTRY_AVERAGE else "FI"

    state = st.session_state
    if state.get("fp_country") != country:
        # A new city in another country starts again from that country's average resident.
        state["fp_answers"] = average_profile(country).model_dump()
        state["fp_country"] = country
        state["fp_step"] = 0
        state.pop("fp_saved_code", None)
    answers: dict = state["fp_answers"]
    step: int = state.get("fp_step", 0)

    if step < len(STEPS):
        _questions(t, city, country, state, answers, step)
    else:
        _result(visitor, city, country, state, answers)
    _look_up(t, state)


@dataclass
class _StepForm:
    """The inputs of one step, each with its stored answer and its error under it."""

    t: Translator
    answers: dict
    errors: dict[str, str]
    params: dict

    def field_error(self, name: str) -> None:
        if name in self.errors:
            st.error(
                self.t(self.errors[name], **self.params.get(name, {})), icon=":material/error:"
            )

    def number(
        self,
        name: str,
        label: str,
        *,
        step_size: float,
        optional: bool = False,
        help_text: str | None = None,
    ) -> float | None:
        low, high = BOUNDS[name]
        value = self.answers.get(name)
        given_value = st.number_input(
            label,
            min_value=float(low),
            max_value=float(high),
            value=None if value is None else float(value),
            step=float(step_size),
            format="%.0f" if step_size >= 1 else "%.1f",
            key=f"fp_{name}",
            placeholder=self.t("Leave empty if you don't know") if optional else None,
            help=help_text,
        )
        self.field_error(name)
        return given_value

    def choice(
        self,
        name: str,
        label: str,
        labels: dict[str, str],
        options: tuple[str, ...],
        *,
        horizontal: bool = False,
    ) -> str:
        current = self.answers.get(name)
        chosen = st.radio(
            label,
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda option: self.t(labels[option]),
            key=f"fp_{name}",
            horizontal=horizontal,
        )
        self.field_error(name)
        return chosen


def _questions(
    t: Translator,
    city: City,
    country: str,
    state: MutableMapping[str, Any],
    answers: dict,
    step: int,
) -> None:
    """One step of questions; Next checks this step's answers, Back never does."""
    st.write(
        t(
            "About fifteen questions in three short steps. We have filled in the answers of "
            "{average}: change what is different for you.",
            average=t(COUNTRY_AVERAGE[country]),
        )
    )
    st.progress(
        (step + 1) / (len(STEPS) + 1), text=t("Step {n} of {total}", n=step + 1, total=len(STEPS))
    )
    step_id, step_title = STEPS[step]
    st.header(t(step_title))
    errors, params = state.get("fp_errors", ({}, {}))
    form = _StepForm(t, answers, errors, params)
    given: dict = {}
    with st.form(f"fp_step_{step_id}", border=False, enter_to_submit=False):
        if step_id == "housing":
            _housing(t, form, answers, given)
        elif step_id == "mobility":
            _mobility(t, form, answers, given)
        else:
            given["diet"] = form.choice("diet", t("What do you usually eat?"), DIET, DIETS)
            given["food_waste"] = form.choice(
                "food_waste",
                t("How much food ends up in the bin?"),
                FOOD_WASTE,
                LEVELS,
                horizontal=True,
            )
            given["spending"] = form.choice(
                "spending", t("How much do you buy and spend?"), SPENDING, LEVELS
            )
        back_col, next_col = st.columns(2)
        back = back_col.form_submit_button(
            t("Back"), disabled=step == 0, key="fp_back", width="stretch"
        )
        forward = next_col.form_submit_button(
            t("See my result") if step == len(STEPS) - 1 else t("Next"),
            type="primary",
            key="fp_next",
            width="stretch",
        )
    if back or forward:
        merged = {**answers, **given, "country": country, "city": city.id}
        state["fp_answers"] = merged
        if back:
            state["fp_errors"] = ({}, {})
            state["fp_step"] = step - 1
            st.rerun()
        try:
            validate_answers(merged)
        except FootprintInputError as error:
            mine = {k: v for k, v in error.errors.items() if k in FIELDS[step_id]}
            if mine:
                state["fp_errors"] = (mine, error.params)
                st.rerun()
        state["fp_errors"] = ({}, {})
        state["fp_step"] = step + 1
        st.rerun()


def _housing(t: Translator, form: _StepForm, answers: dict, given: dict) -> None:
    given["home_type"] = form.choice(
        "home_type", t("What kind of home do you live in?"), HOME_TYPE, HOME_TYPES
    )
    given["floor_area_m2"] = form.number("floor_area_m2", t("Floor area (m²)"), step_size=5)
    given["household_size"] = form.number(
        "household_size", t("How many people live in your home?"), step_size=1
    )
    heating = answers.get("heating")
    given["heating"] = st.selectbox(
        t("How is your home heated?"),
        HEATINGS,
        index=HEATINGS.index(heating) if heating in HEATINGS else 0,
        format_func=lambda option: t(HEATING[option]),
        key="fp_heating",
    )
    form.field_error("heating")
    given["green_electricity"] = st.toggle(
        t("I buy green electricity (from wind, sun or water)"),
        value=bool(answers.get("green_electricity")),
        key="fp_green_electricity",
    )
    given["electricity_kwh"] = form.number(
        "electricity_kwh",
        t("Electricity use of your home, kWh a year (optional)"),
        step_size=100,
        optional=True,
        help_text=t(
            "It is on your electricity bill. Without it, we estimate it from the size of your home."
        ),
    )
    given["heat_kwh"] = form.number(
        "heat_kwh",
        t("Heat use of your home, kWh a year (optional)"),
        step_size=100,
        optional=True,
        help_text=t("Without it, we estimate it from the type and size of your home."),
    )


def _mobility(t: Translator, form: _StepForm, answers: dict, given: dict) -> None:
    fuel = answers.get("car_fuel")
    given["car_fuel"] = st.selectbox(
        t("What kind of car do you drive most?"),
        CAR_FUELS,
        index=CAR_FUELS.index(fuel) if fuel in CAR_FUELS else 0,
        format_func=lambda option: t(CAR_FUEL[option]),
        key="fp_car_fuel",
    )
    form.field_error("car_fuel")
    given["car_km_per_year"] = form.number(
        "car_km_per_year",
        t("Kilometres you drive a year"),
        step_size=500,
        help_text=t("Only your own share: a car shared by two counts half for each."),
    )
    given["public_transport_km_per_week"] = form.number(
        "public_transport_km_per_week",
        t("Kilometres by bus, tram, metro or train a week"),
        step_size=5,
    )
    given["flights_short_per_year"] = form.number(
        "flights_short_per_year",
        t("Return flights within Europe a year"),
        step_size=0.5,
    )
    given["flights_long_per_year"] = form.number(
        "flights_long_per_year",
        t("Return flights to other continents a year"),
        step_size=0.5,
        help_text=t("One trip every other year is 0.5."),
    )


def _result(
    visitor: Visitor, city: City, country: str, state: MutableMapping[str, Any], answers: dict
) -> None:
    """The result, compared and charted; the actions that help most; saving it."""
    t = visitor.t
    try:
        checked = validate_answers({**answers, "country": country, "city": city.id})
    except FootprintInputError:
        state["fp_step"] = 0
        st.rerun()
    result = calculate(checked)
    reference = calculate(average_profile(country))
    comparison = compare(result, reference.total_kg)
    st.progress(1.0, text=t("Your result"))
    st.metric(t("Your carbon footprint a year"), tonnes(t, result.total_kg))
    relation = t(
        RELATION[comparison.relation],
        share=t.percent(abs(comparison.share_vs_average)),
        average=t(COUNTRY_AVERAGE[country]),
        amount=tonnes(t, comparison.average_kg),
    )
    if comparison.gap_to_2030_kg > 0:
        target_sentence = t(
            "A lifestyle in line with the 1.5-degree goal means {target} a year by 2030, so "
            "about {gap} still needs to go. The actions below show where you can start.",
            target=tonnes(t, TARGETS_KG[2030]),
            gap=tonnes(t, comparison.gap_to_2030_kg),
        )
    else:
        target_sentence = t(
            "You are already under the 1.5-degree lifestyle target for 2030 ({target} a year). "
            "Well done: the next milestones are {t2040} by 2040 and {t2050} by 2050.",
            target=tonnes(t, TARGETS_KG[2030]),
            t2040=tonnes(t, TARGETS_KG[2040]),
            t2050=tonnes(t, TARGETS_KG[2050]),
        )
    st.write(t("Your footprint is {relation}.", relation=relation) + " " + target_sentence)

    rows = []
    for who, res in ((t("You"), result), (t(AVERAGE_LABEL[country]), reference)):
        for category in CATEGORIES:
            kg = res.by_category[category]
            rows.append(
                {
                    "who": who,
                    "category": t(CATEGORY[category]),
                    "tonnes": round(kg / 1000, 2),
                    "label": tonnes(t, kg),
                }
            )
    targets = pd.DataFrame(
        {
            "tonnes": [kg / 1000 for kg in TARGETS_KG.values()],
            "label": [t("Target {year}", year=year) for year in TARGETS_KG],
        }
    )
    st.vega_lite_chart(
        footprint_spec(
            pd.DataFrame(rows), targets, x_title=t("t CO₂e a year"), category_title=t("Category")
        ),
        width="stretch",
    )
    st.caption(
        t(
            "The average is our calculation for a typical resident; the published national "
            "average is {published} ({source}). Targets: {targets}.",
            published=tonnes(t, NATIONAL_AVERAGE_KG[country]),
            source=REFERENCE_SOURCES[country],
            targets=REFERENCE_SOURCES["targets"],
        )
        + " "
        + t("Emission factors: version {version}.", version=result.factor_version)
    )

    st.header(t("What would help most"))
    top = actions(checked)[:5]
    if not top:
        st.write(t("We found no bigger step for you: your footprint is already low."))
    pledged = []
    for action in top:
        label = t(
            "{action}: about {amount} less a year",
            action=t(ACTION[action.id]),
            amount=tonnes(t, action.saving_kg),
        )
        if st.checkbox(
            label, key=f"fp_pledge_{action.id}", disabled=bool(state.get("fp_saved_code"))
        ):
            pledged.append(action.id)
    if top:
        st.caption(
            t(
                "Tick the actions you want to take. The savings are worked out from "
                "your own answers."
            )
        )

    st.header(t("Save your result"))
    if state.get("fp_saved_code"):
        st.success(t("Saved. Thank you! Keep this code to look at or delete your result later:"))
        st.code(state["fp_saved_code"], language=None)
    else:
        st.write(
            t(
                "If you like, save your result and the actions you chose. It is saved "
                "without your name, and counts in your city's figures."
            )
        )
        consent = st.checkbox(
            t(
                "I agree that my answers, result and chosen actions are saved anonymously as "
                "described in the privacy notice."
            ),
            key="fp_consent",
        )
        page_link(
            visitor, "views/public/privacy.py", t("Read the privacy notice"), ":material/shield:"
        )
        if st.button(t("Save my result"), type="primary", disabled=not consent, key="fp_save"):
            engine = require_database(t)
            try:
                with session_scope(engine) as session:
                    code = save_footprint(
                        session=session,
                        city=city.id,
                        answers=checked,
                        pledged=pledged,
                        consent=consent,
                        client=client.resident(visitor.settings),
                    )
            except TooManySaves as exc:
                st.error(error_text(t, exc))
            else:
                state["fp_saved_code"] = code
                st.rerun()
    if st.button(t("Change my answers"), key="fp_restart"):
        state["fp_step"] = 0
        state.pop("fp_saved_code", None)
        st.rerun()


def _look_up(t: Translator, state: MutableMapping[str, Any]) -> None:
    """Look at or delete a result saved earlier, by its code."""
    st.divider()
    with st.expander(t("Look at or delete a saved result")):
        code = st.text_input(
            t("Your code"), max_chars=20, key="fp_lookup_code", placeholder="ABCD-EFGH"
        )
        show_col, delete_col = st.columns(2)
        show = show_col.button(t("Show"), key="fp_lookup", width="stretch")
        delete = delete_col.button(t("Delete my result"), key="fp_delete", width="stretch")
        if show or delete:
            engine = require_database(t)
            try:
                with session_scope(engine) as session:
                    saved = load_footprint(
                        session=session,
                        code=code,
                        client=client.client_address(current_visitor().settings),
                    )
            except CodeAttemptsExceeded as exc:
                st.error(error_text(t, exc))
                return
            with session_scope(engine) as session:
                if saved is None:
                    st.warning(t("We found no saved result with this code. Please check it."))
                elif delete:
                    delete_respondent(session=session, code=code)
                    st.success(t("Your result and your chosen actions are deleted."))
                    if normalize_code(state.get("fp_saved_code")) == normalize_code(code):
                        state.pop("fp_saved_code", None)
                else:
                    st.metric(t("Your carbon footprint a year"), tonnes(t, saved.total_kg))
                    st.write(t("Saved on {date}", date=t.date(saved.saved_at.date(), "long")))
                    for action_id in saved.pledges:
                        st.write("✓ " + t(ACTION.get(action_id, action_id)))
