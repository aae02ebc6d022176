"""The district map: data loading and the folium choropleth, cached, and the legend beside it."""

from __future__ import annotations

import html
import itertools
import math
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

from sparcs_engage.energy import (
    CityEnergy,
    District,
    Indicator,
    Site,
    city_average,
    class_breaks,
    district_at,
    district_card,
    district_table,
    load_city_energy,
    load_indicator_registry,
    trend,
)
from sparcs_engage.exports import csv_bytes
from sparcs_engage.i18n import N_, Translator, translator

# Leaflet is served by the app itself (ui/routes.py mounts ui/assets/): a map must draw in a
# venue without internet, and no visitor's browser may be sent to a CDN.
LEAFLET = "/_sparcs/assets/leaflet-1.9.3"
JQUERY = "/_sparcs/assets/jquery-3.7.1/jquery.min.js"  # folium's popups build their HTML with $()


def base_map(
    city_id: str | None,
    center: tuple[float, float],
    zoom: int,
    districts=(),
    **options,
) -> folium.Map:
    """An empty map of a city that loads nothing from another host: Leaflet from the app, and
    tiles only when the city configured a tile server (city.toml [map] tiles); otherwise the
    districts are drawn on a plain background."""
    from sparcs_engage.ui.context import city_registry

    city = city_registry().get(city_id)
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, **options)
    if city is not None and city.tiles:
        folium.TileLayer(city.tiles, attr=html.escape(city.tiles_attribution)).add_to(fmap)
    # Instance attributes: streamlit-folium collects each element's default_js/default_css and
    # would otherwise load folium's CDN list (jQuery, Bootstrap, Font Awesome, Leaflet).
    fmap.default_js = [("jquery", JQUERY), ("leaflet", f"{LEAFLET}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]
    if districts:
        # The whole city in view, on a phone as on a laptop (a fixed zoom cut it off).
        west, south, east, north = (
            f(values)
            for f, values in zip(
                (min, min, max, max),
                zip(*(d.geometry.bounds for d in districts), strict=True),
                strict=True,
            )
        )
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


# Sequential colour ramps (ColorBrewer, colour-blind safe), light to dark.
RAMPS = {
    "bad_high": ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],  # more is worse
    "good_high": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],  # more is better
    "neutral": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
}
NO_DATA = "#d9d9d9"


def ramp(indicator: Indicator) -> list[str]:
    if indicator.neutral:
        return RAMPS["neutral"]
    return RAMPS["good_high"] if indicator.higher_is_better else RAMPS["bad_high"]


def format_value(
    t: Translator, indicator: Indicator, value: float | None, with_unit: bool = True
) -> str:
    """A figure with its unit in the visitor's language; a dash when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if indicator.unit == "%":
        return t.percent(value / 100, digits=indicator.digits)
    number = t.number(value, indicator.digits)
    return f"{number} {indicator.unit_label(t.lang)}" if with_unit else number


@st.cache_resource(show_spinner=False)
def indicator_registry(path: str, _mtime: float) -> dict[str, Indicator]:
    return load_indicator_registry(Path(path))


@st.cache_resource(show_spinner=False)
def city_energy(folder: str, _mtimes: tuple[float, ...]) -> CityEnergy:
    """A city's checked map data; read again when one of its files changes."""
    return load_city_energy(Path(folder), registry_for(Path(folder).parent.parent))


def registry_for(data_dir: Path) -> dict[str, Indicator]:
    path = data_dir / "indicators.toml"
    return indicator_registry(str(path), path.stat().st_mtime if path.exists() else 0.0)


class EnergySource(tuple):
    """Where a city's map data is and when its files last changed: the key of every cache.

    A plain tuple (folder, mtimes), so that Streamlit's cache hashes it cheaply.
    """

    def load(self) -> CityEnergy:
        return city_energy(self[0], self[1])


def energy_source(folder: Path) -> EnergySource:
    files = ("districts.geojson", "indicators.csv", "sites.toml")
    mtimes = tuple((folder / f).stat().st_mtime if (folder / f).exists() else 0.0 for f in files)
    return EnergySource((str(folder), mtimes))


# The derived views, cached per input: pandas filtering costs more than drawing the page.
@st.cache_data(show_spinner=False, max_entries=512)
def card_view(source: EnergySource, district_id: str) -> pd.DataFrame:
    return district_card(source.load().indicators, district_id)


@st.cache_data(show_spinner=False, max_entries=512)
def trend_view(source: EnergySource, district_id: str, indicator_id: str) -> pd.DataFrame:
    return trend(source.load().indicators, district_id, indicator_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def indicator_years(source: EnergySource) -> dict[str, tuple[int, ...]]:
    """The years of each indicator the city has figures for (pandas on every rerun: 4 ms)."""
    frame = source.load().indicators
    return {
        indicator: tuple(sorted(int(y) for y in years.unique()))
        for indicator, years in frame.groupby("indicator")["year"]
    }


# A shared frame (cache_resource), not a copy per call: /map reads it three times a rerun and
# never changes it.
@st.cache_resource(show_spinner=False, max_entries=512)
def table_view(source: EnergySource, indicator_id: str, year: int, lang: str) -> pd.DataFrame:
    energy = source.load()
    return district_table(energy.indicators, indicator_id, year, lang, energy.districts)


@st.cache_data(show_spinner=False, max_entries=512)
def value_labels(source: EnergySource, indicator_id: str, year: int, lang: str) -> tuple[str, ...]:
    """Each district's figure of table_view as the visitor reads it (babel is slow: 300
    districts took 40 ms a rerun)."""
    indicator = registry_for(Path(source[0]).parent.parent)[indicator_id]
    t = translator(lang)
    table = table_view(source, indicator_id, year, lang)
    return tuple(format_value(t, indicator, v) for v in table["value"])


@st.cache_data(show_spinner=False, max_entries=128)
def table_csv(source: EnergySource, indicator_id: str, year: int, lang: str) -> bytes:
    """The CSV of every district's figure that /map offers for download."""
    table = table_view(source, indicator_id, year, lang)
    header = ["district_id", "district", "indicator", "year", "value", "unit", "source", "note"]
    return csv_bytes(
        header,
        (
            [
                r.district,
                r.name,
                indicator_id,
                r.year,
                None if pd.isna(r.value) else r.value,
                r.unit,
                r.source,
                r.note,
            ]
            for r in table.itertuples()
        ),
    )


@st.cache_data(show_spinner=False, max_entries=512)
def average_view(source: EnergySource, indicator_id: str, year: int) -> float | None:
    return city_average(source.load().indicators, indicator_id, year)


# st_folium turns the whole folium figure into Leaflet JavaScript, HTML and bounds on every call,
# even with render=False: 50-90 ms a rerun for a city of 300 districts. Our maps never change
# once built (build_map and places_map are cached per city, figure, year and language), so
# st_folium runs once per map and what it would hand its frontend is kept beside the map;
# later reruns hand the same arguments to streamlit-folium's own component (same frontend, same
# key: the browser keeps the map it has and the message is not sent again).
FOLIUM_COMPONENT = streamlit_folium._component_func
_payloads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_payload_lock = threading.Lock()


def map_arguments(fmap: folium.Map, key: str, height: int, returned: tuple[str, ...]) -> dict:
    """What st_folium hands its component for this map, worked out by st_folium itself once
    per map and drawing (``key``, ``height``, ``returned`` objects)."""
    drawing = (key, height, returned)
    with _payload_lock:
        payloads = _payloads.setdefault(fmap, {})
        if drawing not in payloads:
            captured: dict = {}

            def record(**arguments):
                captured.update(arguments)
                return arguments.get("default")

            # Only calls under this lock go through the module's attribute: show_map calls
            # the component it kept at import (FOLIUM_COMPONENT).
            streamlit_folium._component_func = record
            try:
                st_folium(
                    fmap,
                    key=key,
                    height=height,
                    use_container_width=True,
                    returned_objects=list(returned),
                    render=False,
                )
            finally:
                streamlit_folium._component_func = FOLIUM_COMPONENT
            captured.pop("on_change", None)  # mirrors the value into session state: unused
            payloads[drawing] = captured
        return payloads[drawing]


@dataclass(frozen=True)
class Legend:
    """The classes of the choropleth: colour and value range, in the visitor's language."""

    colours: list[str]
    labels: list[str]


def map_classes(indicator: Indicator, values: list[float]) -> tuple[list[float], list[str]]:
    """The choropleth's class limits and colours, the map's and the legend's alike.

    The limits are rounded to the figure's digits, as the legend prints them, and limits that
    round alike are one: a class never reads "2,0 – 2,0". Districts that all share one value
    make a single class.
    """
    breaks: list[float] = []
    for limit in class_breaks(values, classes=len(ramp(indicator))):
        rounded = round(limit, indicator.digits)
        if not breaks or rounded > breaks[-1]:
            breaks.append(rounded)
    return breaks, ramp(indicator)[: max(len(breaks) - 1, 1)]


def legend_for(t: Translator, indicator: Indicator, values: list[float]) -> Legend:
    breaks, colours = map_classes(indicator, values)
    labels = []
    for low, high in itertools.pairwise(breaks):
        low_text = format_value(t, indicator, low, with_unit=False)
        labels.append(f"{low_text} – {format_value(t, indicator, high, with_unit=False)}")
    if not labels and breaks:
        labels = [format_value(t, indicator, breaks[0], with_unit=False)]
    return Legend(colours=colours[: len(labels)], labels=labels)


def colour_of(value: float | None, breaks: list[float], colours: list[str]) -> str:
    if value is None or math.isnan(value):
        return NO_DATA
    for i, upper in enumerate(breaks[1:]):
        if value <= upper:
            return colours[min(i, len(colours) - 1)]
    return colours[-1]


def _style(feature: dict) -> dict:
    fill = feature["properties"]["fill"]
    return {"fillColor": fill, "color": "#37474f", "weight": 1.2, "fillOpacity": 0.72}


@st.cache_resource(show_spinner=False, max_entries=64)
def build_map(
    city_id: str,
    lang: str,
    indicator_id: str,
    year: int,
    center: tuple[float, float],
    zoom: int,
    _energy: CityEnergy,
    _indicator: Indicator,
) -> folium.Map:
    """The choropleth for one city, indicator, year and language; built once and reused."""
    t = translator(lang)
    frame = _energy.indicators
    rows = frame[(frame["indicator"] == indicator_id) & (frame["year"] == year)]
    values = dict(zip(rows["district"], rows["value"].astype(float), strict=True))
    breaks, colours = map_classes(_indicator, list(values.values()))
    fmap = base_map(city_id, center, zoom, _energy.districts, control_scale=True)
    # One GeoJSON layer for all districts: a layer per district would make every rerun
    # render hundreds of elements for a large city.
    features = []
    for district in _energy.districts:
        value = values.get(district.id)
        features.append(
            {
                "type": "Feature",
                "geometry": district.geometry.__geo_interface__,
                "properties": {
                    "id": district.id,
                    "label": html.escape(
                        f"{district.name(lang)}: {format_value(t, _indicator, value)}"
                    ),
                    "fill": colour_of(value, breaks, colours),
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="districts",
        style_function=_style,
        highlight_function=lambda _feature: {"weight": 3, "color": "#0b5d3b"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    for site in _energy.sites:
        # A circle, not a Marker with an Icon: folium adds a new SetIcon element on every
        # render of a Marker, and st_folium renders the cached map on every rerun.
        folium.CircleMarker(
            [site.lat, site.lon],
            radius=9,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color="#0b5d3b",
            fill_opacity=0.95,
            tooltip=html.escape(site.name(lang)),
            popup=folium.Popup(
                f"<b>{html.escape(site.name(lang))}</b><br>{html.escape(site.text(lang))}",
                max_width=280,
            ),
        ).add_to(fmap)
    fmap.get_root().render()  # once here; map_arguments hands st_folium the rendered map
    return fmap


# Under every map: a map that cannot be drawn (its script did not load on a venue's Wi-Fi, a
# blocked script) leaves a blank box, and the page must still say where its content is.
MAP_NOTE = N_(
    "If the map does not show, the same information is in the list or table on this page."
)


def map_note(t: Translator) -> None:
    st.caption(t(MAP_NOTE))


def show_map(fmap: folium.Map, districts: list[District], key: str) -> str | None:
    """Draw the map; return the district id of a new click on it, else None.

    Only clicks come back (returned_objects), so panning and zooming never rerun the page.
    """
    returned = FOLIUM_COMPONENT(**map_arguments(fmap, key, 440, ("last_clicked",)))
    clicked = (returned or {}).get("last_clicked")
    if not clicked:
        return None
    marker = (round(clicked["lat"], 6), round(clicked["lng"], 6))
    if st.session_state.get(f"{key}_handled") == marker:
        return None  # the same click, returned again on a later rerun
    st.session_state[f"{key}_handled"] = marker
    return district_at(districts, clicked["lat"], clicked["lng"])


def site_lines(t: Translator, sites: list[Site]) -> list[tuple[str, str, str]]:
    return [(site.name(t.lang), site.text(t.lang), site.source) for site in sites]


@st.cache_resource(show_spinner=False, max_entries=32)
def places_map(
    city_id: str,
    lang: str,
    center: tuple[float, float],
    zoom: int,
    counts: tuple[tuple[str, int], ...],
    _districts: tuple[District, ...],
) -> folium.Map:
    """The districts where residents most want change, darker where more chose them."""
    t = translator(lang)
    found = dict(counts)
    breaks = class_breaks([float(v) for v in found.values()], classes=5)
    colours = RAMPS["neutral"]
    fmap = base_map(city_id, center, zoom, _districts)
    features = []
    for district in _districts:
        count = found.get(district.id)
        features.append(
            {
                "type": "Feature",
                "geometry": district.geometry.__geo_interface__,
                "properties": {
                    "label": html.escape(
                        f"{district.name(lang)}: {t.number(count) if count else '–'}"
                    ),
                    "fill": colour_of(float(count) if count else None, breaks, colours),
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=_style,
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    fmap.get_root().render()
    return fmap


def show_static_map(fmap: folium.Map, key: str) -> None:
    """A map to look at: nothing comes back, so it never reruns the page."""
    FOLIUM_COMPONENT(**map_arguments(fmap, key, 380, ()))
