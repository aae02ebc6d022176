"""Widgets for the survey's question types. Each returns the raw answer in the shape
surveys.validate_answer expects; the core validates and stores it."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import folium
import streamlit as st

from sparcs_engage.i18n import Translator
from sparcs_engage.surveys import Question, Survey, SurveyTexts
from sparcs_engage.ui.layout import cut_note, escape_markdown, keep_what_fits
from sparcs_engage.ui.maps import FOLIUM_COMPONENT, map_arguments, map_note


def render_question(
    *,
    q: Question,
    survey: Survey,
    texts: SurveyTexts,
    t: Translator,
    current: Any,
    error: str | None,
    place_map: folium.Map | None = None,
) -> Any:
    """Draw one question with its current answer; return what the resident has given."""
    label = texts.question(q.id)
    if q.required:
        label = t("{question} (required)", question=label)
    help_text = texts.help(q.id)
    options = list(q.options)

    def option_label(option: str) -> str:
        return texts.option(survey, q, option)

    key = f"sv_{q.id}"
    value: Any = None
    if q.type == "single":
        value = st.radio(
            label,
            options,
            index=options.index(current) if current in options else None,
            format_func=option_label,
            key=key,
            help=help_text,
        )
    elif q.type == "multiple":
        value = st.pills(
            label,
            options,
            selection_mode="multi",
            default=[o for o in (current or []) if o in options],
            format_func=option_label,
            key=key,
            help=help_text,
        )
    elif q.type == "likert":
        low, high = survey.scales[q.scale]
        scale = list(range(low, high + 1))
        value = st.radio(
            label,
            scale,
            index=scale.index(current) if current in scale else None,
            format_func=lambda v: texts.scale(q.scale, v),
            key=key,
            help=help_text,
        )
    elif q.type == "matrix":
        low, high = survey.scales[q.scale]
        scale = list(range(low, high + 1))
        st.markdown(f"**{label}**")
        if help_text:
            st.caption(help_text)
        value = {}
        current = current or {}
        for item in q.items:
            chosen = st.radio(
                texts.get(f"questions.{q.id}.items.{item}"),
                scale,
                index=scale.index(current[item]) if current.get(item) in scale else None,
                format_func=lambda v: texts.scale(q.scale, v),
                key=f"{key}__{item}",
                horizontal=True,
            )
            if chosen is not None:
                value[item] = chosen
        value = value or None
    elif q.type == "ranking":
        st.markdown(f"**{label}**")
        if help_text:
            st.caption(help_text)
        chosen_items: list[str] = []
        current = list(current or [])
        for place in range(q.max or len(options)):
            already = current[place] if place < len(current) else None
            pick = st.selectbox(
                t("Place {n}", n=place + 1),
                options,
                index=options.index(already) if already in options else None,
                format_func=option_label,
                placeholder=t("Choose"),
                key=f"{key}__{place}",
            )
            if pick is not None:
                chosen_items.append(pick)
        value = chosen_items or None
    elif q.type == "budget":
        st.markdown(f"**{label}**")
        if help_text:
            st.caption(help_text)
        total = q.total or 100
        current = current or {}
        points = {}
        for option in options:
            points[option] = st.number_input(
                option_label(option),
                min_value=0,
                max_value=total,
                value=int(current.get(option, 0)),
                step=5,
                key=f"{key}__{option}",
            )
        given = sum(points.values())
        if given == total:
            st.success(t("{given} of {total} points shared out.", given=given, total=total))
        else:
            st.info(t("{given} of {total} points shared out so far.", given=given, total=total))
        value = points if given else None
    elif q.type == "place":
        st.markdown(f"**{label}**")
        if help_text:
            st.caption(help_text)
        current = dict(current or {})
        if place_map is not None:
            # One map for every resident (cached): st_folium works it out once per map
            # (maps.map_arguments); every later draw hands the same arguments to the component.
            returned = FOLIUM_COMPONENT(
                **map_arguments(place_map, f"{key}__map", 360, ("last_clicked",))
            )
            map_note(t)
            clicked = (returned or {}).get("last_clicked")
            marker = (clicked or {}).get("lat"), (clicked or {}).get("lng")
            if clicked and st.session_state.get(f"{key}__handled") != marker:
                st.session_state[f"{key}__handled"] = marker
                current = {"lat": clicked["lat"], "lon": clicked["lng"], "district": None}
                st.session_state[f"{key}__point"] = current
            current = st.session_state.get(f"{key}__point", current)
        if current.get("lat") is not None:
            st.write(t("You marked a place on the map."))
            if st.button(t("Remove the mark"), key=f"{key}__clear"):
                st.session_state[f"{key}__point"] = {}
                st.session_state.pop(f"{key}__district", None)
                st.rerun()
        districts = list(survey.districts)
        district = st.selectbox(
            t("Or choose the district"),
            districts,
            index=districts.index(current["district"])
            if current.get("district") in districts
            else None,
            format_func=lambda d: survey.district_name(d, t.lang),
            placeholder=t("Choose a district"),
            key=f"{key}__district",
        )
        if current.get("lat") is not None:
            value = {"lat": current["lat"], "lon": current["lon"], "district": district}
        elif district:
            value = {"district": district}
    elif q.type == "text":
        # No limit in the field itself: a browser then refused a too long paste altogether
        # (the field stayed empty). What fits is kept, and the page says what was cut.
        value = st.text_area(
            label,
            value=current or "",
            key=key,
            help=help_text,
            on_change=keep_what_fits,
            args=(key, q.max_length),
        )
        cut_note(t, key, q.max_length)
    hint = texts.hint(q)
    if hint:
        st.caption(hint)
    if error:
        st.error(error, icon=":material/error:")
    return value


def widget_values(q: Question, value: Any) -> dict[str, Any]:
    """The session-state value of each widget render_question draws for an answer, so that
    the widgets can be set again when they are redrawn with new labels (a language switch
    makes the browser reset an option list whose labels changed)."""
    key = f"sv_{q.id}"
    if value in (None, [], {}, ""):
        return {}
    if q.type in ("single", "likert", "multiple", "text"):
        return {key: value}
    if q.type == "matrix":
        return {f"{key}__{item}": v for item, v in value.items()}
    if q.type == "ranking":
        return {f"{key}__{place}": option for place, option in enumerate(value)}
    if q.type == "budget":
        return {f"{key}__{option}": int(points) for option, points in value.items()}
    if q.type == "place" and value.get("district"):
        return {f"{key}__district": value["district"]}
    return {}


def theme_meanings(survey: Survey, q: Question, texts: SurveyTexts, t: Translator) -> None:
    """What each of the city's themes stands for, once above the questions about them."""
    with st.expander(t("What the themes mean")):
        for theme in q.options:
            st.markdown(
                f"**{escape_markdown(texts.option(survey, q, theme))}**: "
                f"{escape_markdown(texts.get(f'themes.{theme}.description'))}"
            )


def answer_text(q: Question, survey: Survey, texts: SurveyTexts, t: Translator, answer: Any) -> str:
    """A given answer as plain text for the review page."""
    if answer is None:
        return t("Not answered")
    label = lambda option: texts.option(survey, q, option)  # noqa: E731
    if q.type == "single":
        return label(answer)
    if q.type == "multiple":
        # One per line: an option may itself hold a comma.
        return "\n".join(f"• {label(o)}" for o in answer)
    if q.type == "likert":
        return texts.scale(q.scale, answer)
    if q.type == "matrix":
        return "\n".join(
            f"• {texts.get(f'questions.{q.id}.items.{item}')}: {texts.scale(q.scale, v)}"
            for item, v in answer.items()
        )
    if q.type == "ranking":
        return "\n".join(f"{i}. {label(o)}" for i, o in enumerate(answer, start=1))
    if q.type == "budget":
        return "\n".join(f"• {label(o)}: {t.number(p)}" for o, p in answer.items() if p)
    if q.type == "place":
        parts = []
        if answer.get("lat") is not None:
            parts.append(t("a place on the map"))
        if answer.get("district"):
            parts.append(survey.district_name(answer["district"], t.lang))
        return ", ".join(parts)
    return str(answer)


def place_map(survey: Survey, center: tuple[float, float], zoom: int, districts) -> folium.Map:
    """A plain map of the city's districts to mark a place on."""
    from sparcs_engage.ui.maps import base_map

    fmap = base_map(survey.city, center, zoom, districts)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": d.geometry.__geo_interface__,
                    "properties": {"name": html.escape(d.name("en"))},
                }
                for d in districts
            ],
        },
        style_function=lambda _f: {"fillOpacity": 0.05, "color": "#0b5d3b", "weight": 1},
    ).add_to(fmap)
    return fmap


def error_text(t: Translator, errors: Mapping[str, str], params: Mapping, question_id: str):
    if question_id not in errors:
        return None
    return t(errors[question_id], **dict(params.get(question_id, {})))
