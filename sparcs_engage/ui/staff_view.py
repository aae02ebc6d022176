"""The staff page (/staff): the social KPIs with filters, exports of the answers, the moderation
list, deletion by code and the audit log. Nothing is shown without a staff login."""

from __future__ import annotations

import contextlib
import html
import time
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlmodel import select

from sparcs_engage import answer_export, downloads, kpis, staff_sessions
from sparcs_engage.cities import City
from sparcs_engage.db import session_scope
from sparcs_engage.energy import EnergyDataError
from sparcs_engage.i18n import N_, Translator
from sparcs_engage.models import AuditEvent, SurveySummary
from sparcs_engage.privacy import delete_by_code
from sparcs_engage.surveys import list_pending, load_survey, moderate, survey_texts
from sparcs_engage.ui.charts import share_bars_spec, sparkline_spec
from sparcs_engage.ui.database import require_database
from sparcs_engage.ui.layout import error_text, sign_in_required

PERIODS: dict[str, str] = {
    "last_quarter": N_("Last quarter"),
    "last_30_days": N_("Last 30 days"),
    "last_12_months": N_("Last 12 months"),
    "all": N_("All time"),
    "custom": N_("Choose dates"),
}
MEASURES: dict[str, str] = {
    "solar": N_("Solar power"),
    "heat_pumps": N_("Heat pumps"),
    "district_heat": N_("District heat"),
    "ev_charging": N_("EV charging"),
    "smart_heating": N_("Smart heating"),
}
AUDIT_ACTIONS: dict[str, str] = {
    "login": N_("Sign-in"),
    "login_failed": N_("Failed sign-in"),
    "login_locked": N_("Sign-in while locked"),
    "login_throttled": N_("Sign-in paused for a device"),
    "logout": N_("Sign-out"),
    "export": N_("Export"),
    "delete_respondent": N_("Deletion by code"),
    "purge": N_("Retention purge"),
    "moderate_open_answer": N_("Moderation"),
    "workshop_create": N_("Workshop created"),
    "workshop_phase": N_("Workshop phase changed"),
    "export_workshop": N_("Workshop export"),
}
FORMAT_TITLES: dict[str, str] = {
    "xlsx": N_("Excel workbook (XLSX): best for spreadsheets"),
    "csv_local": N_("CSV for spreadsheets (semicolons, decimal comma)"),
    "csv": N_("CSV for analysis tools (commas, decimal point)"),
    "json": N_("JSON with data dictionary"),
    "geojson": N_("GeoJSON (map answers)"),
}
SHAPE_TITLES: dict[str, str] = {
    "long": N_("Long: one row per answer"),
    "wide": N_("Wide: one row per respondent"),
}
AUDIT_ROWS = 200


# --------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def format_value(t: Translator, unit: str, value: float) -> str:
    if unit == "share":
        return t.percent(value, 0)
    if unit == "persons":
        return t.number(value)
    if unit in ("t_co2e", "t_co2e_year"):
        return t("{value}\u00a0t", value=t.number(value, 1))
    if unit == "rating":
        return t("{value} of 5", value=t.number(value, 1))
    if unit == "index":
        return t.number(value, 2)
    return t.number(value, 1)


def format_delta(t: Translator, unit: str, delta: float) -> str:
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    if unit == "share":
        return sign + t("{value}\u00a0percentage points", value=t.number(abs(delta) * 100, 1))
    return sign + format_value(t, unit, abs(delta))


def status_text(t: Translator, value: kpis.KpiValue) -> str:
    if value.status == kpis.SUPPRESSED:
        return t("Fewer than {n} people: not shown", n=kpis.MIN_GROUP)
    if value.status == kpis.NOT_APPLICABLE:
        return t("Not available for one district")
    if value.status == kpis.SMALL_GROUP:
        return t("Not shown: one of its groups has fewer than {n} people.", n=kpis.MIN_GROUP)
    return t("No data yet")


def district_names(city: City, lang: str) -> dict[str, str]:
    """The city's districts by id, named in a language (from the survey's cached copy)."""
    survey = load_survey(city.id)
    return {d: survey.district_name(d, lang) for d in survey.districts}


def key_label(t: Translator, city: City, kpi_id: str, key: str) -> str:
    """A breakdown key in the visitor's language."""
    if kpi_id == "participation_rate":
        return district_names(city, t.lang).get(key, key)
    if kpi_id == "acceptance":
        return t(MEASURES.get(key, key))
    if kpi_id == "vision_priorities":
        survey = load_survey(city.id)
        return survey_texts(t.lang).option(survey, survey.question("theme_budget"), key)
    if kpi_id in ("inclusiveness_age", "inclusiveness_gender"):
        survey = load_survey(city.id)
        question = "age_band" if kpi_id == "inclusiveness_age" else "gender"
        return survey_texts(t.lang).option(survey, survey.question(question), key)
    if kpi_id == "workshop_satisfaction":
        return t("{n} of 5", n=key)
    return key


def _kpi_card(t: Translator, city: City, value: kpis.KpiValue) -> None:
    definition = kpis.KPIS[value.id]
    texts = kpis.kpi_texts(t.lang)[value.id]
    with st.container(border=True, key=f"kpi_{value.id}"):
        trend = [v for _m, v in value.trend if v is not None]
        delta = value.delta
        if value.value is None:
            st.metric(texts["name"], "–", border=False)
            st.caption(status_text(t, value))
        else:
            shown = format_value(t, definition.unit, value.value)
            colour = (
                "off"
                if definition.higher_is_better is None
                else ("normal" if definition.higher_is_better else "inverse")
            )
            st.metric(
                texts["name"],
                shown,
                delta=format_delta(t, definition.unit, delta) if delta is not None else None,
                delta_color=colour,
                delta_description=t("on the month before") if delta is not None else None,
                border=False,
            )
            if value.top:
                st.write(t("Most points: {theme}", theme=key_label(t, city, value.id, value.top)))
            st.caption(t.ngettext("Based on {n} person", "Based on {n} people", value.n))
            if len(trend) >= 2:
                _sparkline(t, definition.unit, value, texts["name"])
        st.caption(texts["definition"])
        with st.expander(t("How it is measured")):
            st.write(texts["method"])
            st.caption(
                t(
                    "Framework: {framework}. Unit: {unit}.",
                    framework=t(kpis.FRAMEWORKS[definition.framework]),
                    unit=t(kpis.UNITS[definition.unit]),
                )
            )


def _sparkline(t: Translator, unit: str, value: kpis.KpiValue, name: str) -> None:
    points = [(m, v) for m, v in value.trend if v is not None]
    months = [t.date(date(int(m[:4]), int(m[5:7]), 1), "MMM yy") for m, _v in points]
    labels = [format_value(t, unit, v) for _m, v in points]
    frame = pd.DataFrame({"month": months, "value": [v for _m, v in points], "label": labels})
    description = t(
        "{name} by month: {values}",
        name=name,
        values=", ".join(f"{m} {v}" for m, v in zip(months, labels, strict=True)),
    )
    key = (value.id, t.lang, tuple(months), tuple(frame["value"]))
    st.vega_lite_chart(sparkline_spec(frame, key, description=description), width="stretch")


def _breakdown(t: Translator, city: City, value: kpis.KpiValue) -> None:
    definition = kpis.KPIS[value.id]
    texts = kpis.kpi_texts(t.lang)[value.id]
    if not value.breakdown:
        return
    st.subheader(texts["name"])
    rows = []
    for row in value.breakdown:
        label = key_label(t, city, value.id, row.key)
        shown = (
            format_value(t, definition.unit if definition.unit != "index" else "share", row.value)
            if row.value is not None
            else (t("not shown") if row.suppressed else "–")
        )
        rows.append(
            {
                "name": label,
                "value": row.value,
                "label": shown,
                "n": "" if row.n is None else t.number(row.n),
                "reference": row.reference,
            }
        )
    frame = pd.DataFrame(rows)
    shown_rows = frame[frame["value"].notna()]
    if definition.unit == "share" or definition.unit == "index":
        x_title = t("Share")
    elif definition.unit == "rating":
        x_title = t("Share of ratings")
    else:
        x_title = t(kpis.UNITS[definition.unit])
    if not shown_rows.empty:
        chart = shown_rows[["name", "value", "label"]]
        key = (value.id, t.lang, tuple(chart["name"]), tuple(chart["value"]))
        st.vega_lite_chart(share_bars_spec(chart, key, x_title=x_title), width="stretch")
    table = pd.DataFrame(
        {
            t("Group"): frame["name"],
            x_title: frame["label"],
            t("People"): frame["n"],
        }
    )
    if frame["reference"].notna().any():
        table[t("Residents")] = [t.percent(v, 0) if pd.notna(v) else "" for v in frame["reference"]]
    st.dataframe(table, hide_index=True, width="stretch")
    if any(row.suppressed for row in value.breakdown):
        st.caption(
            t(
                "“Not shown”: the group has fewer than {n} people, or showing it would let such "
                "a group be worked out from the total.",
                n=kpis.MIN_GROUP,
            )
        )


@st.cache_data(ttl=30, show_spinner=False)
def _report(_engine, url: str, flt: kpis.KpiFilter) -> kpis.KpiReport:
    with session_scope(_engine) as session:
        return kpis.compute(session, flt)


@st.cache_data(ttl=60, show_spinner=False)
def _has_demo(_engine, url: str, city_id: str) -> bool:
    with session_scope(_engine) as session:
        return bool(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(SurveySummary)
                .where(SurveySummary.city == city_id, SurveySummary.is_demo)
            )
        )


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


def _filters(visitor) -> kpis.KpiFilter | None:
    t = visitor.t
    cities = visitor.registry.cities
    ids = list(cities)
    default = visitor.city.id if visitor.city and visitor.city.id in cities else ids[0]
    with st.container(horizontal=True, key="staff_filters"):
        city_id = st.selectbox(
            t("City"),
            ids,
            index=ids.index(default),
            format_func=lambda c: cities[c].name(visitor.lang),
            key="staff_city",
        )
        city = cities[city_id]
        names = district_names(city, visitor.lang)
        district = st.selectbox(
            t("District"),
            ["", *sorted(names, key=names.get)],
            format_func=lambda d: names.get(d) or t("Whole city"),
            key=f"staff_district_{city_id}",
        )
        period = st.selectbox(
            t("Period"),
            list(PERIODS),
            index=list(PERIODS).index("last_12_months"),
            format_func=lambda p: t(PERIODS[p]),
            key="staff_period",
        )
        channels = st.pills(
            t("Channels"),
            list(kpis.CHANNELS),
            selection_mode="multi",
            default=list(kpis.CHANNELS),
            format_func=lambda c: t(kpis.CHANNEL_TITLES[c]),
            key="staff_channels",
        )
    today = kpis.city_today(city.timezone)  # the city's date, not the server's
    start = end = None
    if period == "last_quarter":
        start, end = kpis.last_quarter(today)
    elif period == "last_30_days":
        start, end = today - timedelta(days=29), today
    elif period == "last_12_months":
        start, end = today - timedelta(days=364), today
    elif period == "custom":
        chosen = st.date_input(
            t("From – to"),
            value=(today - timedelta(days=90), today),
            max_value=today,
            format=t.date_input_format,
            key="staff_dates",
        )
        if not isinstance(chosen, tuple | list) or len(chosen) != 2:
            st.info(t("Choose the first and the last day of the period."))
            return None
        start, end = chosen
    if not channels:
        st.info(t("Choose at least one channel."))
        return None
    try:
        return kpis.KpiFilter(city_id, district or None, start, end, tuple(channels))
    except kpis.KpiFilterError as exc:
        st.error(error_text(t, exc))
        return None


def _period_text(t: Translator, flt: kpis.KpiFilter) -> str:
    if flt.start and flt.end:
        return t("{start} – {end}", start=t.date(flt.start), end=t.date(flt.end))
    return t("All time")


# --------------------------------------------------------------------------------------------
# Tabs
# --------------------------------------------------------------------------------------------


def _indicators(visitor, engine, flt: kpis.KpiFilter) -> None:
    t = visitor.t
    city = visitor.registry.cities[flt.city]
    try:
        report = _report(engine, str(engine.url), flt)
    except kpis.KpiFilterError as exc:
        st.error(error_text(t, exc))
        return
    place = city.name(visitor.lang)
    if flt.district:
        place = district_names(city, visitor.lang).get(flt.district, flt.district)
    st.write(
        t(
            "{place}, {period}. Figures that rest on fewer than {n} people are not shown.",
            place=place,
            period=_period_text(t, flt),
            n=kpis.MIN_GROUP,
        )
    )
    if _has_demo(engine, str(engine.url), flt.city):
        st.caption(t("The database holds demo data: these figures include made-up answers."))
    mix = kpis.population_mix(city)
    if mix is not None:
        source = mix.source if not mix.demo else t("demo estimate")
        st.caption(
            t(
                "Residents' age and gender mix: {source}, {year}.",
                source=source,
                year=mix.year,
            )
        )
    # Row by row, so the page reads (and a screen reader speaks) in the registry's order.
    for first in range(0, len(report.values), 3):
        row = report.values[first : first + 3]
        for column, value in zip(st.columns(3), row, strict=False):
            with column:
                _kpi_card(t, city, value)
    for value in report.values:
        _breakdown(t, city, value)


def _export(visitor, engine, flt: kpis.KpiFilter) -> None:
    t = visitor.t
    st.write(
        t(
            "The answers of the survey for the filter above: pseudonymous respondent ids only, "
            "no IP addresses or account names. Text that a spreadsheet would run as a formula "
            "starts with an apostrophe."
        )
    )
    fmt = st.radio(
        t("Format"),
        list(FORMAT_TITLES),
        format_func=lambda f: t(FORMAT_TITLES[f]),
        key="export_format",
    )
    shape = st.radio(
        t("Shape"),
        list(answer_export.SHAPES),
        format_func=lambda s: t(SHAPE_TITLES[s]),
        key="export_shape",
        help=t("GeoJSON always has one point per map answer."),
    )
    with session_scope(engine) as session:
        try:
            respondents = answer_export.check_exportable(session, flt)
        except answer_export.ExportError as exc:
            st.error(error_text(t, exc))
            respondents = None
    if respondents is not None:
        st.caption(
            t.ngettext(
                "{n} respondent in this filter. The file is made when you click, so it is "
                "always up to date; a whole city can take a minute.",
                "{n} respondents in this filter. The file is made when you click, so it is "
                "always up to date; a whole city can take a minute.",
                respondents,
            )
        )
        download_link(
            visitor,
            "answers",
            {**downloads.filter_params(flt), "fmt": fmt, "shape": shape},
            t("Download {name}", name=answer_export.file_name(flt.city, fmt, shape)),
            key="export_download",
        )
    st.divider()
    st.write(t("The indicators themselves, as a table (small groups left out):"))
    download_link(
        visitor,
        "kpis",
        {**downloads.filter_params(flt), "lang": visitor.lang},
        t("Download the indicators (CSV)"),
        key="kpi_download",
    )


def download_link(visitor, kind: str, params: dict, label: str, *, key: str) -> None:
    """A link that makes the file on the server when clicked: valid only in this signed-in
    browser session, for a quarter of an hour (see sparcs_engage/downloads.py)."""
    ticket = staff_sessions.make_ticket(
        visitor.identity.session_id, kind, {**params, "lang": visitor.lang}, now=time.time()
    )
    with st.container(key=key):
        # Only URL-safe base64 and hex go into the link; the label is escaped.
        st.markdown(
            f'<a class="sparcs-download" href="/_sparcs/download/{ticket}" download>'
            f"{html.escape(label)}</a>",
            unsafe_allow_html=True,
        )


def _moderation(visitor, engine, city_id: str) -> None:
    t = visitor.t
    survey = load_survey(city_id)
    texts = survey_texts(visitor.lang)
    with session_scope(engine) as session:
        pending = list_pending(session=session, city=city_id, limit=50)
    if not pending:
        st.info(t("No open answers are waiting for moderation."))
        return
    st.write(
        t(
            "Open answers appear on the public results page only after approval. "
            "Approve what is on topic and free of personal data; reject the rest."
        )
    )
    for item in pending:
        with st.container(border=True, key=f"pending_{item.answer_id}"):
            question = survey.question(item.question_id) if item.question_id else None
            st.caption(
                t(
                    "{question} · {date} · language {lang}",
                    question=texts.question(question.id) if question else item.question_id,
                    date=t.date(item.submitted_at) if item.submitted_at else "",
                    lang=item.lang,
                )
            )
            st.text(item.text)
            with st.container(horizontal=True):
                if st.button(
                    t("Approve"), key=f"approve_{item.answer_id}", icon=":material/check:"
                ):
                    _decide(visitor, engine, item.answer_id, "approved")
                if st.button(t("Reject"), key=f"reject_{item.answer_id}", icon=":material/close:"):
                    _decide(visitor, engine, item.answer_id, "rejected")


def _decide(visitor, engine, answer_id: int, decision: str) -> None:
    with session_scope(engine) as session:
        moderate(
            session=session,
            answer_id=answer_id,
            decision=decision,
            moderator=visitor.identity.username,
        )
    st.rerun()


def _data_protection(visitor, engine) -> None:
    t = visitor.t
    st.write(
        t(
            "A resident can ask for everything they gave to be deleted. Ask for the code they "
            "got (for example K7QM-4TXA): it deletes their survey answers, footprint and "
            "chosen actions. The deletion is logged, the code is not."
        )
    )
    with st.form("delete_form", clear_on_submit=True):
        code = st.text_input(t("Resident's code"), max_chars=20, key="delete_code")
        sure = st.checkbox(t("I have checked the request. Delete for good."), key="delete_sure")
        go = st.form_submit_button(t("Delete the data"), icon=":material/delete:")
    if go:
        if not sure:
            st.warning(t("Please confirm first that you want to delete the data."))
        elif not (code or "").strip():
            st.warning(t("Please enter the resident's code."))
        else:
            with session_scope(engine) as session:
                deleted = delete_by_code(
                    session=session, code=code, actor=visitor.identity.username
                )
            if deleted is None:
                st.error(t("No data was found for this code. Please check it with the resident."))
            else:
                st.success(
                    t(
                        "Deleted: {surveys} survey response(s) and {footprints} footprint "
                        "result(s).",
                        surveys=deleted.survey_responses,
                        footprints=deleted.footprints,
                    )
                )
    st.caption(
        t(
            "Retention: `sparcs-engage purge --older-than DAYS` deletes everything older than "
            "the city's retention period."
        )
    )


def _audit_log(visitor, engine) -> None:
    t = visitor.t
    choice = st.selectbox(
        t("Show"),
        ["", *AUDIT_ACTIONS],
        format_func=lambda a: t(AUDIT_ACTIONS[a]) if a else t("All events"),
        key="audit_filter",
    )
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if choice:
        query = query.where(AuditEvent.action == choice)
    with session_scope(engine) as session:
        events = session.exec(query.limit(AUDIT_ROWS)).all()
        rows = [
            {
                t("When"): t.date(e.at, "short"),
                t("Who"): e.actor,
                t("What"): t(AUDIT_ACTIONS[e.action]) if e.action in AUDIT_ACTIONS else e.action,
                t("Details"): e.detail,
            }
            for e in events
        ]
    if not rows:
        st.info(t("Nothing has been logged yet."))
        return
    st.caption(t("The latest {n} events, newest first.", n=AUDIT_ROWS))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


@contextlib.contextmanager
def _city_data_problems(visitor, city_id: str):
    """A city's data files that cannot be read (a bad boundary import, say) are told plainly,
    with the file and field for the data team, never as an exception box."""
    t = visitor.t
    try:
        yield
    except (EnergyDataError, OSError) as error:
        city = visitor.registry.get(city_id)
        st.error(
            t(
                "The data files of {city} could not be read, so these figures cannot be shown "
                "right now. The details below help the city's data team to fix it.",
                city=city.name(visitor.lang) if city else city_id,
            ),
            icon=":material/error:",
        )
        with st.expander(t("Details for the data team")):
            st.text(str(error))


def render(visitor) -> None:
    if visitor.role != "staff":  # app.py already stops other roles; kept as a second lock
        sign_in_required(visitor, visitor.t("Indicators"))
        return
    t = visitor.t
    st.set_page_config(layout="wide")  # three columns of cards and wide tables
    st.title(t("Engagement indicators"))
    engine = require_database(t)
    flt = _filters(visitor)
    tabs = st.tabs(
        [t("Indicators"), t("Export"), t("Moderation"), t("Data protection"), t("Audit log")]
    )
    with tabs[0]:
        if flt is not None:
            with _city_data_problems(visitor, flt.city):
                _indicators(visitor, engine, flt)
    with tabs[1]:
        if flt is not None:
            with _city_data_problems(visitor, flt.city):
                _export(visitor, engine, flt)
    with tabs[2]:
        city_id = flt.city if flt is not None else st.session_state.get("staff_city")
        if city_id:
            _moderation(visitor, engine, city_id)
    with tabs[3]:
        _data_protection(visitor, engine)
    with tabs[4]:
        _audit_log(visitor, engine)
