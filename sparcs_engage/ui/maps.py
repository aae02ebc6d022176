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
from sparcs_engage.i18n import Translator, translator

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


@st.cache_data(show_spinner=False, max_entries=512)
def table_view(source: EnergySource, indicator_id: str, year: int, lang: str) -> pd.DataFrame:
    energy = source.load()
    return district_table(energy.indicators, indicator_id, year, lang, energy.districts)


@st.cache_data(show_spinner=False, max_entries=512)
def average_view(source: EnergySource, indicator_id: str, year: int) -> float | None:
    return city_average(source.load().indicators, indicator_id, year)


# streamlit-folium turns the map into Leaflet JavaScript on every call (about 0.1 s for ten
# districts). Our maps are built once and never changed afterwards, so the string is kept per
# map object; a new map (other figure, year or language) gets its own.
_map_strings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_render_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_original_map_string = streamlit_folium._get_map_string


def _cached_map_string(fig):
    try:
        return _map_strings[fig]
    except KeyError:
        _map_strings[fig] = text = _original_map_string(fig)
        return text


streamlit_folium._get_map_string = _cached_map_string


@dataclass(frozen=True)
class Legend:
    """The classes of the choropleth: colour and value range, in the visitor's language."""

    colours: list[str]
    labels: list[str]


def legend_for(t: Translator, indicator: Indicator, values: list[float]) -> Legend:
    breaks = class_breaks(values, classes=len(ramp(indicator)))
    colours = ramp(indicator)[: max(len(breaks) - 1, 1)]
    labels = []
    for low, high in itertools.pairwise(breaks):
        low_text = format_value(t, indicator, low, with_unit=False)
        labels.append(f"{low_text} – {format_value(t, indicator, high, with_unit=False)}")
    return Legend(colours=colours, labels=labels or [format_value(t, indicator, values[0])])


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
    breaks = class_breaks(list(values.values()), classes=len(ramp(_indicator)))
    colours = ramp(_indicator)
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
    fmap.get_root().render()  # once here, so st_folium need not render it on every rerun
    _render_locks[fmap] = threading.Lock()
    return fmap


def render_lock(fmap: folium.Map) -> threading.Lock:
    """The lock of a map shared by every visitor (cache_resource): st_folium writes into the
    map while it renders it, so one visitor at a time."""
    return _render_locks.setdefault(fmap, threading.Lock())


def show_map(fmap: folium.Map, districts: list[District], key: str) -> str | None:
    """Draw the map; return the district id of a new click on it, else None.

    Only clicks come back (returned_objects), so panning and zooming never rerun the page.
    """
    # The map object is shared by every visitor (cache_resource) and st_folium renders it on
    # each call, which writes into it: one visitor at a time.
    with _render_locks.setdefault(fmap, threading.Lock()):
        returned = st_folium(
            fmap,
            key=key,
            height=440,
            use_container_width=True,
            returned_objects=["last_clicked"],
            render=False,
        )
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
    _render_locks[fmap] = threading.Lock()
    return fmap


def show_static_map(fmap: folium.Map, key: str) -> None:
    """A map to look at: nothing comes back, so it never reruns the page."""
    with _render_locks.setdefault(fmap, threading.Lock()):
        st_folium(
            fmap, key=key, height=380, use_container_width=True, returned_objects=[], render=False
        )
