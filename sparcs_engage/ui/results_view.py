"""The survey results page (/results): every closed question as counts and shares, the most
wanted places, approved open answers, the workshops' visions; deletion by code."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from sparcs_engage.cities import City
from sparcs_engage.db import session_scope
from sparcs_engage.energy import load_districts
from sparcs_engage.i18n import Translator
from sparcs_engage.respondents import CodeAttemptsExceeded
from sparcs_engage.surveys import (
    MIN_GROUP,
    Question,
    QuestionResult,
    Survey,
    SurveyResults,
    SurveyTexts,
    delete_response,
    load_survey,
    results,
    survey_texts,
)
from sparcs_engage.ui import client
from sparcs_engage.ui.charts import bars_html
from sparcs_engage.ui.context import Visitor, current_visitor
from sparcs_engage.ui.database import require_database
from sparcs_engage.ui.layout import error_text, escape_markdown
from sparcs_engage.ui.maps import map_note, places_map, show_static_map
from sparcs_engage.workshops import top_visions_of_city

# Open answers per question shown on the page; the others are behind an expander.
OPEN_ANSWERS_SHOWN = 5


@st.cache_data(ttl=60, show_spinner=False)
def _results(city_id: str, _engine: Engine) -> SurveyResults | None:
    """The results from the running totals (surveys/totals.py): a few hundred rows."""
    with session_scope(_engine) as session:
        return results(session=session, city=city_id)


@st.cache_data(ttl=60, show_spinner=False)
def _workshop_visions(city_id: str, lang: str, _engine: Engine):
    with session_scope(_engine) as session:
        return top_visions_of_city(session=session, city=city_id, lang=lang)


def render(visitor: Visitor) -> None:
    """Draw /results for this visitor."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city

    st.title(t("What residents want for 2050"))
    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        return
    engine = require_database(t)
    survey = load_survey(city.id)
    texts = survey_texts(lang)

    found = _results(city.id, engine)
    if found is None:
        st.info(
            t(
                "Results are shown once at least {n} residents of {city} have answered, so that "
                "no one can be recognised.",
                n=MIN_GROUP,
                city=city.name(lang),
            )
        )
    else:
        _survey_results(t, lang, city, survey, texts, found)
    _visions(t, lang, city, engine)
    _delete_by_code(t, engine)


def _survey_results(
    t: Translator,
    lang: str,
    city: City,
    survey: Survey,
    texts: SurveyTexts,
    found: SurveyResults,
) -> None:
    st.write(
        t.ngettext(
            "{n} resident of {city} has answered so far.",
            "{n} residents of {city} have answered so far.",
            found.respondents,
            city=city.name(lang),
        )
    )
    if found.demo:
        st.caption(t("Some answers here are demo data, made to show how the results look."))

    if found.top_places:
        st.header(t("Where residents most want change"))
        names = [survey.district_name(d, lang) for d, _, _ in found.top_places]
        st.caption(t("Share of respondents (%)"))
        st.html(
            bars_html(
                [
                    (name, share, f"{t.percent(share)} ({t.number(n)})")
                    for name, (_d, n, share) in zip(names, found.top_places, strict=True)
                ],
                t("Where residents most want change"),
            )
        )
        places = pd.DataFrame(
            {
                t("District"): names,
                t("Residents"): [t.number(n) for _, n, _ in found.top_places],
                t("Share"): [t.percent(share) for _, _, share in found.top_places],
            }
        )
        districts = tuple(load_districts(city.folder / "districts.geojson", city.languages))
        show_static_map(
            places_map(
                city.id,
                lang,
                city.center,
                city.zoom,
                tuple((d, n) for d, n, _ in found.top_places),
                _districts=districts,
            ),
            key="places_map",
        )
        map_note(t)
        with st.expander(t("The figures as a table")):
            st.dataframe(places, hide_index=True, width="stretch")

    with st.container(key="results_questions"):  # its headings are smaller on a phone
        for section in survey.sections:
            shown = [q for q in section.questions if q.id in found.questions]
            if not shown:
                continue
            st.header(texts.section(section.id))
            for q in shown:
                _question(t, lang, city, survey, texts, q, found.questions[q.id])

    if any(found.open_answers.values()):
        st.header(t("In residents' own words"))
        st.caption(t("Written answers appear here after a moderator has read them."))
        for question_id, answers in found.open_answers.items():
            if not answers:
                continue
            st.subheader(texts.question(question_id))
            # The newest few on the page, the rest a tap away: fifty cards made a phone's page
            # thousands of pixels longer.
            for text in answers[:OPEN_ANSWERS_SHOWN]:
                with st.container(border=True):
                    st.text(text)
            more = answers[OPEN_ANSWERS_SHOWN:]
            if more:
                with st.expander(t.ngettext("{n} more answer", "{n} more answers", len(more))):
                    for text in more:
                        with st.container(border=True):
                            st.text(text)


def _question(
    t: Translator,
    lang: str,
    city: City,
    survey: Survey,
    texts: SurveyTexts,
    q: Question,
    result: QuestionResult,
) -> None:
    """One closed question: its chart and table, or why it is not shown."""
    st.subheader(texts.question(q.id))
    if result.suppressed:
        st.caption(
            t(
                "Fewer than {n} answers: not shown, so that no one can be recognised.",
                n=MIN_GROUP,
            )
        )
        return
    rows = []
    if q.type in ("single", "multiple", "likert", "place"):
        for option, count in result.counts.items():
            if q.type == "likert":
                name = texts.scale(q.scale, int(option))
            else:
                name = texts.option(survey, q, option)
            share = result.shares.get(option, 0.0)
            rows.append(
                {
                    "name": name,
                    "value": share * 100,
                    "label": f"{t.percent(share)} ({t.number(count)})",
                }
            )
        unit = t("Share of respondents (%)")
    elif q.type in ("ranking", "budget"):
        for option, mean in result.means.items():
            rows.append(
                {
                    "name": texts.option(survey, q, option),
                    "value": mean,
                    "label": t.number(mean, 1),
                }
            )
        unit = t("Average points") if q.type == "budget" else t("Average place (1 = first)")
    elif q.type == "matrix":
        for item, row in result.rows.items():
            if row.suppressed or row.mean is None:
                continue
            rows.append(
                {
                    "name": texts.get(f"questions.{q.id}.items.{item}"),
                    "value": row.mean,
                    "label": t.number(row.mean, 1),
                }
            )
        unit = t("Average agreement (1 to 5)")
    if rows:
        # Bars with their figures as text (readable on a phone); the same figures as a table
        # behind an expander, for those who want to copy them or read them as a table.
        answered = t.ngettext("{n} answer", "{n} answers", result.respondents or 0)
        st.caption(f"{unit} · {answered}")
        st.html(bars_html([(r["name"], r["value"], r["label"]) for r in rows], unit))
        data = pd.DataFrame(rows)
        with st.expander(t("The figures as a table")):
            st.dataframe(
                data.rename(columns={"name": t("Answer"), "label": unit})[[t("Answer"), unit]],
                hide_index=True,
                width="stretch",
            )


def _visions(t: Translator, lang: str, city: City, engine: Engine) -> None:
    """The cards with the most dots from the city's closed workshops."""
    visions = _workshop_visions(city.id, lang, engine)
    if not visions.themes:
        return
    st.header(t("Visions from the workshops"))
    st.write(
        t.ngettext(
            "The ideas with the most dots from {n} workshop in {city}.",
            "The ideas with the most dots from {n} workshops in {city}.",
            visions.workshops,
            city=city.name(lang),
        )
    )
    if visions.demo:
        st.caption(t("Some workshops here are demo data, made to show how the results look."))
    for theme in visions.themes:
        st.subheader(escape_markdown(theme.label))
        for card in theme.cards:
            with st.container(border=True):
                st.text(card.text)
                st.caption(t.ngettext("{n} dot", "{n} dots", card.dots))


def _delete_by_code(t: Translator, engine: Engine) -> None:
    st.divider()
    with st.expander(t("Delete my survey answers")):
        code = st.text_input(t("Your code"), max_chars=20, key="rs_code", placeholder="ABCD-EFGH")
        if st.button(t("Delete my answers"), key="rs_delete"):
            try:
                with session_scope(engine) as session:
                    deleted = delete_response(
                        session=session,
                        code=code,
                        client=client.client_address(current_visitor().settings),
                    )
            except CodeAttemptsExceeded as exc:
                st.error(error_text(t, exc))
                return
            if deleted:
                _results.clear()
                st.success(t("Your survey answers are deleted."))
            else:
                st.warning(t("We found no survey answers with this code. Please check it."))
