"""The footprint page's questions: number fields that read and show numbers the way the
visitor's language writes them, choices, and the messages under each field.

The answers live in ``st.session_state["fp_answers"]`` (parsed values, language-neutral); every
widget writes to it the moment it changes, so switching the language or the city keeps what the
resident entered. A number field is a text field: Streamlit's number input reads "1,5" as 15 in
a German or Finnish browser and shows "1.0" on every page; here "1,5", "12.000" and "12 000" are
read as the resident meant them (``Translator.parse_number``) and shown back in their language.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from sparcs_engage.i18n import N_, Translator, translator

MSG_NUMBER_EXAMPLE = N_("Enter a number, for example {example}.")
# Numbers shown in the messages under a field are rounded to this many decimals.
MESSAGE_DIGITS = 1


def state() -> MutableMapping[str, Any]:
    return st.session_state


def answers() -> dict:
    return st.session_state["fp_answers"]


def touched() -> set:
    return st.session_state.setdefault("fp_touched", set())


def raw_text() -> dict[str, str]:
    """Number fields whose text could not be read, by field: shown as typed until fixed."""
    return st.session_state.setdefault("fp_raw", {})


def shown() -> dict[str, str]:
    """The text each number field was last drawn with: a field still showing it is unchanged."""
    return st.session_state.setdefault("fp_shown", {})


def widget_key(name: str) -> str:
    return f"fp_{name}"


def message(t: Translator, msgid: str, params: dict[str, Any] | None = None) -> str:
    """A core message in the visitor's language, its numbers written the locale's way."""
    values = {}
    for key, value in (params or {}).items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = t.typed_number(round(value, MESSAGE_DIGITS))
        values[key] = value
    return t(msgid, **values)


def read_number(name: str, lang: str) -> None:
    """A number field changed: read it in the page's language, or keep the text to fix."""
    text = state().get(widget_key(name))
    state().setdefault("fp_errors", {}).pop(name, None)
    state().setdefault("fp_hints", {}).pop(name, None)
    touched().add(name)
    if text is None or not str(text).strip():
        raw_text().pop(name, None)
        answers()[name] = None
        return
    try:
        value = translator(lang).parse_number(str(text))
    except ValueError:
        raw_text()[name] = str(text)
        return
    raw_text().pop(name, None)
    answers()[name] = value


def read_choice(name: str) -> None:
    """A choice changed: it is an answer at once (no car clears the car's kilometres)."""
    value = state().get(widget_key(name))
    answers()[name] = value
    touched().add(name)
    state().setdefault("fp_errors", {}).pop(name, None)
    if name == "car_fuel" and value == "none":
        answers()["car_km_per_year"] = 0.0
        raw_text().pop("car_km_per_year", None)


def raw_errors(fields: tuple[str, ...]) -> dict[str, tuple[str, dict]]:
    """The number fields among ``fields`` whose text is not a number."""
    return {name: (MSG_NUMBER_EXAMPLE, {"example": 1.5}) for name in fields if name in raw_text()}


@dataclass
class StepForm:
    """Draws the questions of one step, each with its message under it. A field's help is a
    caption under it rather than Streamlit's help icon, whose label is English ("Help for")
    and which a phone hides behind a tap."""

    t: Translator
    errors: dict[str, tuple[str, dict]]
    hints: dict[str, tuple[str, dict]]

    def notes(self, name: str) -> None:
        if name in self.errors:
            msgid, params = self.errors[name]
            st.error(message(self.t, msgid, params), icon=":material/error:")
        elif name in self.hints:
            msgid, params = self.hints[name]
            st.warning(message(self.t, msgid, params), icon=":material/help:")

    def number(
        self,
        name: str,
        label: str,
        *,
        help_text: str | None = None,
        shown_when_empty: float | None = None,
        placeholder: str | None = None,
    ) -> None:
        """A number field. ``shown_when_empty``: the value that counts when the resident
        leaves it empty (the country's average), shown so they can see and change it."""
        key = widget_key(name)
        if name not in raw_text():
            value = answers().get(name)
            if value is None:
                value = shown_when_empty
            state()[key] = "" if value is None else self.t.typed_number(value)
            shown()[name] = state()[key]
        st.text_input(
            label,
            key=key,
            max_chars=30,
            placeholder=placeholder,
            on_change=read_number,
            args=(name, self.t.lang),
        )
        if help_text:
            st.caption(help_text)
        self.notes(name)

    def choice(
        self,
        name: str,
        label: str,
        labels: dict[str, str],
        options: tuple[str, ...],
        *,
        horizontal: bool = False,
        select: bool = False,
        help_text: str | None = None,
    ) -> str:
        """Radio buttons (or a drop-down list) of language-neutral option ids."""
        key = widget_key(name)
        current = answers().get(name)
        state()[key] = current if current in options else options[0]
        widget = st.selectbox if select else st.radio
        extra = {} if select else {"horizontal": horizontal}
        widget(
            label,
            options,
            format_func=lambda option: self.t(labels[option]),
            key=key,
            on_change=read_choice,
            args=(name,),
            **extra,
        )
        if help_text:
            st.caption(help_text)
        self.notes(name)
        return state()[key]

    def toggle(self, name: str, label: str) -> None:
        key = widget_key(name)
        state()[key] = bool(answers().get(name))
        st.toggle(label, key=key, on_change=read_choice, args=(name,))
        self.notes(name)
