"""The carbon footprint page (/footprint): about twenty questions in three short steps, then the
result (``footprint_result.py``), and saving, looking up and deleting by code
(``footprint_saving.py``). The questions' widgets are in ``footprint_fields.py``, the labels in
``footprint_labels.py``."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import streamlit as st

from sparcs_engage.cities import City
from sparcs_engage.footprint import (
    AMOUNTS,
    BUILDING_AGES,
    CAR_FUELS,
    CAR_SIZES,
    COTTAGES,
    DIETS,
    HEATINGS,
    HOME_TYPES,
    LEVELS,
    FootprintInputError,
    average_profile,
    car_occupancy,
    default_electricity_kwh,
    default_heat_kwh,
    has_cottage_question,
    hints,
    validate_answers,
)
from sparcs_engage.i18n import N_, Translator
from sparcs_engage.ui import footprint_fields as fields
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.footprint_labels import (
    AMOUNT,
    BUILDING_AGE,
    CAR_FUEL,
    CAR_SIZE,
    COTTAGE,
    COUNTRY_AVERAGE,
    DIET,
    FOOD_WASTE,
    HEATING,
    HOME_TYPE,
    SPENDING,
)
from sparcs_engage.ui.footprint_result import result
from sparcs_engage.ui.footprint_saving import look_up

STEPS = (
    ("housing", N_("Your home")),
    ("mobility", N_("Getting around")),
    ("food", N_("Food and shopping")),
)
NUMBER_FIELDS = (
    "floor_area_m2",
    "household_size",
    "heat_kwh",
    "electricity_kwh",
    "car_km_per_year",
    "car_occupancy",
    "public_transport_km_per_week",
    "train_km_per_year",
    "coach_km_per_year",
    "flights_short_per_year",
    "flights_medium_per_year",
    "flights_long_per_year",
)
# The page's own style: Streamlit's English "Press Enter to apply" under the number fields is
# not needed (they apply when the resident leaves the field) and would be the only English.
STYLE = "<style>[class*='st-key-fp_'] [data-testid='InputInstructions']{display:none}</style>"
MSG_CHECK = N_("Please check the answers marked above.")
MSG_HINTS = N_(
    "Some answers are unusual. Please check them above: if they are right, press the button "
    "again to go on."
)


def step_fields(step_id: str, raw: dict, country: str) -> tuple[str, ...]:
    """The answers a step asks for, given the answers so far (no car: no car questions)."""
    if step_id == "housing":
        cottage = ("cottage",) if has_cottage_question(country) else ()
        return (
            "home_type",
            "floor_area_m2",
            "household_size",
            "building_age",
            "heating",
            "heat_kwh",
            "green_electricity",
            "electricity_kwh",
            *cottage,
        )
    if step_id == "mobility":
        car = () if raw.get("car_fuel") == "none" else ("car_size", "car_km_per_year")
        car += () if raw.get("car_fuel") == "none" else ("car_occupancy",)
        return (
            "car_fuel",
            *car,
            "public_transport_km_per_week",
            "train_km_per_year",
            "coach_km_per_year",
            "flights_short_per_year",
            "flights_medium_per_year",
            "flights_long_per_year",
        )
    dairy = () if raw.get("diet") == "vegan" else ("dairy", "cheese")
    return ("diet", *dairy, "food_waste", "spending")


def render(visitor: Visitor) -> None:
    """Draw /footprint for this visitor: the current step of questions, or the result."""
    t = visitor.t
    city = visitor.city
    st.html(STYLE)
    st.title(t("Your carbon footprint"))
    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    country = city.country if city.country in COUNTRY_AVERAGE else "FI"
    state = st.session_state
    _follow_city(state, city, country)
    step: int = state.get("fp_step", 0)
    if step < len(STEPS):
        _questions(t, city, country, state, step)
    else:
        result(visitor, city, country)
    look_up(visitor)


def _follow_city(state: MutableMapping[str, Any], city: City, country: str) -> None:
    """Start from the country's average resident; a new city keeps every answer the resident
    gave and takes the new country's average for the rest."""
    if state.get("fp_country") == country and "fp_answers" in state:
        if state.get("fp_city") != city.id:
            state["fp_city"] = city.id
            state.pop("fp_saved_code", None)
        return
    average = average_profile(country).model_dump()
    old = state.get("fp_answers") or {}
    mine = {name: old[name] for name in state.get("fp_touched", set()) if name in old}
    state["fp_answers"] = {**average, **mine, "country": country, "city": city.id}
    state["fp_country"] = country
    state["fp_city"] = city.id
    state.pop("fp_saved_code", None)


def checked(answers: dict, city: City, country: str):
    """The answers validated for this city and country (raises FootprintInputError)."""
    return validate_answers({**answers, "country": country, "city": city.id})


def _sync_numbers(names: tuple[str, ...], lang: str) -> None:
    """Read every number field of the step once more: a text typed just before pressing Next
    may reach the server with the press."""
    for name in names:
        key = fields.widget_key(name)
        if name in NUMBER_FIELDS and key in st.session_state:
            if st.session_state[key] == fields.shown().get(name):
                continue
            fields.read_number(name, lang)


def _go(step: int, lang: str, country: str, city_id: str, forward: bool) -> None:
    """Back goes back at once; Next checks this step's answers and unusual values first."""
    state = st.session_state
    step_id = STEPS[step][0]
    names = step_fields(step_id, fields.answers(), country)
    _sync_numbers(names, lang)
    state["fp_notice"] = None
    if not forward:
        state["fp_errors"], state["fp_hints"] = {}, {}
        state["fp_step"] = max(0, step - 1)
        return
    errors = fields.raw_errors(names)
    try:
        answers = validate_answers({**fields.answers(), "country": country, "city": city_id})
    except FootprintInputError as error:
        answers = None
        for name, msgid in error.errors.items():
            if name in names and name not in errors:
                errors[name] = (msgid, error.params.get(name, {}))
    if errors:
        state["fp_errors"], state["fp_hints"] = errors, {}
        state["fp_notice"] = MSG_CHECK
        return
    unusual = {h.field: (h.message, h.params) for h in hints(answers) if h.field in names}
    signature = repr(sorted((k, fields.answers().get(k)) for k in unusual))
    if unusual and state.get("fp_hints_seen") != signature:
        state["fp_errors"], state["fp_hints"] = {}, unusual
        state["fp_hints_seen"] = signature
        state["fp_notice"] = MSG_HINTS
        return
    state["fp_errors"], state["fp_hints"] = {}, {}
    state["fp_step"] = step + 1


def _questions(
    t: Translator, city: City, country: str, state: MutableMapping[str, Any], step: int
) -> None:
    """One step of questions, then Back and Next."""
    st.write(
        t(
            "About twenty questions in three short steps. We have filled in the answers of "
            "{average}: change what is different for you, and skip what you don't know.",
            average=t(COUNTRY_AVERAGE[country]),
        )
    )
    st.progress(step / len(STEPS), text=t("Step {n} of {total}", n=step + 1, total=len(STEPS)))
    step_id, step_title = STEPS[step]
    st.header(t(step_title))
    form = fields.StepForm(t, state.get("fp_errors", {}), state.get("fp_hints", {}))
    if step_id == "housing":
        _housing(t, form, country)
    elif step_id == "mobility":
        _mobility(t, form, country)
    else:
        _food(t, form)
    notice = state.get("fp_notice")
    if notice:
        st.warning(t(notice), icon=":material/info:")
    back_col, next_col = st.columns(2)
    args = (step, t.lang, country, city.id)
    back_col.button(
        t("Back"),
        disabled=step == 0,
        key="fp_back",
        width="stretch",
        on_click=_go,
        args=(*args, False),
    )
    next_col.button(
        t("See my result") if step == len(STEPS) - 1 else t("Next"),
        type="primary",
        key="fp_next",
        width="stretch",
        on_click=_go,
        args=(*args, True),
    )


def _estimate(t: Translator, kind: str, country: str, help_text: str) -> dict:
    """The help of an optional heat or electricity field with the estimate an empty field
    stands for (worked out from the other answers), and that estimate as its placeholder."""
    try:
        answers = validate_answers({**fields.answers(), "country": country})
    except FootprintInputError:
        return {"help_text": help_text}
    kwh = default_heat_kwh(answers) if kind == "heat" else default_electricity_kwh(answers)
    shown = t.typed_number(round(kwh, -2))
    return {
        "help_text": help_text + " " + t("Empty: we count about {kwh}\u00a0kWh a year.", kwh=shown),
        "placeholder": t("about {kwh}", kwh=shown),
    }


def _housing(t: Translator, form: fields.StepForm, country: str) -> None:
    form.choice("home_type", t("What kind of home do you live in?"), HOME_TYPE, HOME_TYPES)
    form.number("floor_area_m2", t("Floor area of your home (m²)"))
    form.number("household_size", t("How many people live in your home?"))
    form.choice(
        "building_age",
        t("When was your building built?"),
        BUILDING_AGE,
        BUILDING_AGES,
        select=True,
        help_text=t(
            "Newer buildings need less heat. It tells us your heat use if you leave it out."
        ),
    )
    form.choice("heating", t("How is your home heated?"), HEATING, HEATINGS, select=True)
    form.number(
        "heat_kwh",
        t("Heat use of your home, kWh a year (optional)"),
        **_estimate(
            t, "heat", country, t("It is on your heating bill, or your housing company knows it.")
        ),
    )
    form.toggle("green_electricity", t("I buy green electricity (from wind, sun or water)"))
    form.number(
        "electricity_kwh",
        t("Electricity use of your home, kWh a year (optional)"),
        **_estimate(
            t,
            "electricity",
            country,
            t("It is on your electricity bill. Leave out electric heating and charging a car."),
        ),
    )
    if has_cottage_question(country):
        form.choice(
            "cottage",
            t("Do you use a summer cottage?"),
            COTTAGE,
            COTTAGES,
            help_text=t("Its electricity and building are shared by the people of your household."),
        )


def _mobility(t: Translator, form: fields.StepForm, country: str) -> None:
    fuel = form.choice(
        "car_fuel",
        t("What kind of car do you travel in most?"),
        CAR_FUEL,
        CAR_FUELS,
        select=True,
    )
    if fuel != "none":
        form.choice("car_size", t("How big is the car?"), CAR_SIZE, CAR_SIZES, horizontal=True)
        form.number(
            "car_km_per_year",
            t("Kilometres you travel by car a year"),
            help_text=t("As a driver or a passenger, trips to the cottage and holidays included."),
        )
        average = average_profile(country)
        form.number(
            "car_occupancy",
            t("How many people are usually in the car, you included?"),
            help_text=t("The car's emissions are shared by the people in it."),
            shown_when_empty=car_occupancy(average),
        )
    form.number(
        "public_transport_km_per_week",
        t("Kilometres by local bus, tram, metro or train a week"),
    )
    form.number("train_km_per_year", t("Kilometres by long-distance train a year"))
    form.number("coach_km_per_year", t("Kilometres by long-distance coach a year"))
    st.subheader(t("Return flights a year"))
    st.caption(t("There and back counts as one. One trip every other year is 0.5."))
    form.number(
        "flights_short_per_year",
        t("Short: under 1,500\u00a0km one way"),
        help_text=t("For example Helsinki–Stockholm, Leipzig–Rome or Leipzig–London."),
    )
    form.number(
        "flights_medium_per_year",
        t("Medium: 1,500 to 4,000\u00a0km one way"),
        help_text=t("For example Helsinki–Málaga, Leipzig–Canary Islands or Leipzig–Cyprus."),
    )
    form.number(
        "flights_long_per_year",
        t("Long: over 4,000\u00a0km one way"),
        help_text=t("For example to America or Asia."),
    )


def _food(t: Translator, form: fields.StepForm) -> None:
    diet = form.choice("diet", t("What do you usually eat?"), DIET, DIETS)
    if diet != "vegan":
        form.choice(
            "dairy",
            t("How much milk, yoghurt and other dairy do you have?"),
            AMOUNT,
            AMOUNTS,
            horizontal=True,
        )
        form.choice("cheese", t("How much cheese do you eat?"), AMOUNT, AMOUNTS, horizontal=True)
    form.choice(
        "food_waste", t("How much food ends up in the bin?"), FOOD_WASTE, LEVELS, horizontal=True
    )
    form.choice("spending", t("How much do you buy and spend?"), SPENDING, LEVELS)
