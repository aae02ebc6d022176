"""The district energy map page: everything /map draws, as one function.

The page script in views/ only calls render(): Streamlit compiles a page script on every run
under AppTest, while a module is compiled once.
"""

import html

import pandas as pd
import streamlit as st

from sparcs_engage.energy import DEMO_NOTE, EnergyDataError
from sparcs_engage.ui.charts import bars_spec, trend_spec
from sparcs_engage.ui.maps import (
    EnergySource,
    average_view,
    build_map,
    card_view,
    energy_source,
    format_value,
    indicator_years,
    legend_for,
    map_note,
    registry_for,
    show_map,
    table_csv,
    table_view,
    trend_view,
    value_labels,
)


def render(visitor) -> None:
    """Draw /map for this visitor."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city

    st.title(t("Energy and emissions by district"))
    st.write(
        t(
            "How much energy do the districts of your city use, and how much greenhouse gas do "
            "they emit? Choose a figure, then tap a district on the map or pick it from the list."
        )
    )

    if city is None:
        st.warning(t("No city data could be read, so city facts cannot be shown right now."))
        st.stop()

    try:
        source = energy_source(city.folder)
        energy = source.load()
        registry = registry_for(visitor.settings.data_dir)
    except (EnergyDataError, OSError) as error:
        st.error(
            t(
                "The energy data of {city} could not be read, so the map cannot be shown "
                "right now. The details below help the city's data team to fix it.",
                city=city.name(lang),
            ),
            icon=":material/error:",
        )
        with st.expander(t("Details for the data team")):
            st.text(str(error))
        st.stop()

    available = indicator_years(source)
    indicator_ids = [i for i in registry if i in available]

    if any(d.approximate for d in energy.districts):
        st.info(
            t(
                "The district boundaries on this map are approximate: SPARCS Engage drew them "
                "around the district centres. They are not the official boundaries."
            ),
            icon=":material/info:",
        )

    controls = st.columns([3, 2])
    with controls[0]:
        indicator_id = st.selectbox(
            t("Figure"),
            indicator_ids,
            index=indicator_ids.index("ghg_per_resident")
            if "ghg_per_resident" in indicator_ids
            else 0,
            format_func=lambda i: registry[i].name(lang),
            key="indicator",
        )
    indicator = registry[indicator_id]
    years = list(available[indicator_id])
    with controls[1]:
        year = st.selectbox(t("Year"), years, index=len(years) - 1, key=f"year_{indicator_id}")
    st.caption(indicator.explanation(lang))

    table = table_view(source, indicator_id, year, lang)
    values = [v for v in table["value"] if pd.notna(v)]
    labels = value_labels(source, indicator_id, year, lang)

    # The map: built once per city, figure, year and language, and only clicks come back.
    fmap = build_map(
        city.id,
        lang,
        indicator_id,
        year,
        city.center,
        city.zoom,
        _energy=energy,
        _indicator=indicator,
    )
    clicked = show_map(fmap, energy.districts, key=f"map_{city.id}")
    map_note(t)
    if clicked:
        st.session_state["district"] = clicked

    legend = legend_for(t, indicator, values)
    legend_title = t("Legend")
    st.markdown(
        f"**{legend_title}:** {indicator.name(lang)} ({indicator.unit_label(lang)}), {year}"
    )
    if legend.labels:
        # One element that wraps on a phone, rather than a column per class.
        st.html(
            '<div class="sparcs-legend">'
            + "".join(
                f'<span><span class="sparcs-swatch" style="background:{colour}" '
                f'aria-hidden="true"></span>{html.escape(label)}</span>'
                for colour, label in zip(legend.colours, legend.labels, strict=True)
            )
            + "</div>"
        )
    st.caption(t("Markers show the SPARCS demonstration sites. Tap one to read about it."))

    _district_part(visitor, source, indicator_id, year, labels)
    _comparison_table(visitor, source, indicator_id, year, labels)


def _source_text(t, source: str, note: str) -> str:
    """Demo rows say so in the visitor's language; real rows name their source."""
    if note == DEMO_NOTE:
        return t("SPARCS Engage demo estimate, not an official figure")
    return source


@st.fragment
def _district_part(
    visitor, source: EnergySource, indicator_id: str, year: int, labels: tuple[str, ...]
) -> None:
    """The district chooser, its card and the bars of every district with it marked: a
    fragment, so choosing a district reruns only this part, never the map above it."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city
    energy = source.load()
    registry = registry_for(visitor.settings.data_dir)
    indicator = registry[indicator_id]
    districts = {d.id: d for d in energy.districts}
    table = table_view(source, indicator_id, year, lang)

    # The district card.
    district_ids = list(districts)
    if st.session_state.get("district") not in districts:
        st.session_state.pop("district", None)
    chosen = st.selectbox(
        t("District"),
        district_ids,
        index=None,
        placeholder=t("Choose a district"),
        format_func=lambda d: districts[d].name(lang),
        key="district",
    )

    if chosen:
        district = districts[chosen]
        st.header(district.name(lang))
        card = card_view(source, chosen)
        own = (
            card.set_index("indicator").loc[indicator_id]
            if indicator_id in set(card["indicator"])
            else None
        )
        if own is not None:
            average = own["city_average"]
            delta = None
            if average and indicator.aggregation != "sum":
                share = round((own["value"] - average) / average, 2)
                delta = t("{share} compared with the city", share=t.percent(share, digits=0))
                if share > 0:
                    delta = "+" + delta
                elif share == 0:
                    delta = None  # "+0 %" in red, with an arrow, said nothing true
            st.metric(
                f"{indicator.name(lang)}, {int(own['year'])}",
                format_value(t, indicator, own["value"]),
                delta=delta,
                delta_color="off"
                if indicator.neutral
                else ("normal" if indicator.higher_is_better else "inverse"),
            )
        rows = []
        for record in card.itertuples():
            item = registry[record.indicator]
            rows.append(
                {
                    t("Figure"): item.name(lang),
                    t("District"): format_value(t, item, record.value),
                    t("City"): format_value(t, item, record.city_average),
                    t("Year"): str(record.year),
                    t("Source"): _source_text(t, record.source, record.note),
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(
            t("City: the whole city's figure for the same year, computed from its districts.")
        )

        # Trend over the years, with the city's target year marked.
        history = trend_view(source, chosen, indicator_id)
        if not history.empty:
            target = city.targets[0] if city.targets else None
            long = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "year": history["year"],
                            "value": history["value"],
                            "series": district.name(lang),
                        }
                    ),
                    pd.DataFrame(
                        {
                            "year": history["year"],
                            "value": history["city_average"],
                            "series": t("City"),
                        }
                    ),
                ]
            )
            long["label"] = [format_value(t, indicator, v) for v in long["value"]]
            spec = trend_spec(
                long,
                (tuple(source), chosen, indicator_id, lang),
                lang=lang,
                x_title=t("Year"),
                y_title=indicator.unit_label(lang),
                series_title=t("Series"),
                value_title=indicator.name(lang),
                start_year=int(history["year"].min()),
                target_year=target.year if target else None,
                target_label=t("Target year {year}", year=target.year) if target else None,
            )
            st.subheader(t("Over the years"))
            st.caption(f"{indicator.name(lang)} ({indicator.unit_label(lang)})")
            st.vega_lite_chart(spec, width="stretch")
            if target:
                st.caption(target.text[lang])

        sites = [s for s in energy.sites if s.district == chosen]
        if sites:
            st.subheader(t("SPARCS sites in this district"))
            for site in sites:
                with st.container(border=True):
                    st.markdown(f"**{site.name(lang)}**")
                    st.text(site.text(lang))
                    st.caption(t("Source: {source}", source=site.source))

    # Compare every district, as a chart (in the fragment: the chosen one is marked).
    st.header(t("All districts compared"))
    st.caption(f"{indicator.name(lang)} ({indicator.unit_label(lang)}), {year}")
    chart_data = table.assign(
        label=list(labels), chosen=table["district"] == (chosen or "")
    ).dropna(subset=["value"])
    spec = bars_spec(
        chart_data,
        (tuple(source), indicator_id, year, lang, chosen),
        lang=lang,
        x_title=indicator.unit_label(lang),
        name_title=t("District"),
        value_title=indicator.name(lang),
    )
    st.vega_lite_chart(spec, width="stretch")


def _comparison_table(
    visitor, source: EnergySource, indicator_id: str, year: int, labels: tuple[str, ...]
) -> None:
    """Every district's figure as a table, the city's, and the CSV of them."""
    t = visitor.t
    lang = visitor.lang
    city = visitor.city
    indicator = registry_for(visitor.settings.data_dir)[indicator_id]
    table = table_view(source, indicator_id, year, lang)
    average = average_view(source, indicator_id, year)
    shown = pd.DataFrame(
        {
            t("District"): table["name"],
            indicator.name(lang): list(labels),
            t("Year"): table["year"].astype(str),
            t("Source"): [
                _source_text(t, s, n) for s, n in zip(table["source"], table["note"], strict=True)
            ],
        }
    )
    with st.expander(t("The figures as a table")):
        st.dataframe(shown, hide_index=True, width="stretch")
    label = t("Whole city") if indicator.aggregation == "sum" else t("City average")
    st.write(f"{label}: **{format_value(t, indicator, average)}** ({year})")
    if (table["note"] == DEMO_NOTE).any():
        st.caption(
            t(
                "Figures marked as demo estimates are plausible values made for this demo, not "
                "official statistics. The city replaces them with its own data."
            )
        )

    st.download_button(
        t("Download as CSV"),
        data=table_csv(source, indicator_id, year, lang),
        file_name=f"sparcs-{city.id}-{indicator_id}-{year}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_csv",
    )
