"""The district energy map page (/map) under AppTest, for each city in each of its languages."""

import pytest

from .conftest import CITY_LANGUAGES, assert_no_english, open_page

MAP = "views/public/map.py"


@pytest.mark.parametrize(("lang", "city"), CITY_LANGUAGES)
def test_map_page_runs_for_each_city_in_each_of_its_languages(city, lang):
    at = open_page(MAP, lang=lang, city=city)
    assert at.selectbox(key="indicator").value == "ghg_per_resident"
    assert len(at.dataframe) == 1  # the comparison table is always there
    kinds = [getattr(e, "type", "") for e in at.get("component_instance")]
    assert kinds, "the map frame is on the page"
    if lang != "en":
        assert_no_english(at, lang)


def test_the_approximate_boundaries_are_flagged():
    at = open_page(MAP, lang="de", city="leipzig")
    assert any("ungefähr" in i.value or "nicht die amtlichen" in i.value for i in at.info)


def test_choosing_alt_west_opens_its_card_with_sources():
    at = open_page(MAP, lang="de", city="leipzig")
    at.selectbox(key="district").set_value("alt-west").run()
    assert not at.exception
    assert at.header[0].value == "Alt-West"
    metric = at.metric[0]
    assert metric.label.startswith("Treibhausgase pro Kopf")
    assert "t CO₂e" in metric.value and "," in metric.value
    card = at.dataframe[0].value
    assert len(card) == 8  # every indicator
    assert card.iloc[:, -1].str.len().min() > 0  # every figure names its source
    assert any("Baumwollspinnerei" in m.value for m in at.markdown)


def test_the_card_compares_with_the_city_average_in_finnish_format():
    at = open_page(MAP, lang="fi", city="espoo")
    at.selectbox(key="district").set_value("suur-leppavaara").run()
    card = at.dataframe[0].value
    population = card.iloc[0]
    assert population.iloc[1].endswith("asukasta")
    assert "\xa0" in population.iloc[1] or " " in population.iloc[1]


def test_the_swedish_map_names_the_districts_in_swedish():
    at = open_page(MAP, lang="sv", city="espoo")
    at.selectbox(key="district").set_value("suur-leppavaara").run()
    assert at.header[0].value == "Stor-Alberga"
    card = at.dataframe[0].value
    assert card.iloc[0].iloc[1].endswith("invånare")
    assert any("Sello" in m.value for m in at.markdown)


def test_changing_the_figure_keeps_the_chosen_district():
    at = open_page(MAP, lang="en", city="leipzig")
    at.selectbox(key="district").set_value("alt-west").run()
    at.selectbox(key="indicator").set_value("renewable_share").run()
    assert at.header[0].value == "Alt-West"
    assert at.metric[0].value.endswith("%")


def test_demo_estimates_are_called_demo_estimates_on_the_page():
    at = open_page(MAP, lang="fi", city="espoo")
    table = at.dataframe[-1].value
    assert table.iloc[:, -1].str.contains("demoarvio").any()


def test_the_csv_download_is_offered():
    at = open_page(MAP, lang="de", city="leipzig")
    assert at.get("download_button")


def test_broken_indicator_file_gives_a_friendly_message(tmp_path, monkeypatch):
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    csv = tmp_path / "data" / "cities" / "leipzig" / "indicators.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("mitte", "atlantis", 1)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path / "data"))
    at = open_page(MAP, lang="de", city="leipzig")
    assert at.error and "Energiedaten" in at.error[0].value
    details = [t.value for t in at.text]
    assert any("indicators.csv" in d and "line 4" in d for d in details)


def test_a_rerun_neither_builds_nor_renders_an_unchanged_map(monkeypatch):
    """st_folium turns the folium figure into Leaflet code once per map; later reruns hand the
    kept arguments to its component, and folium renders nothing."""
    import folium

    from sparcs_engage.ui import maps

    at = open_page(MAP, lang="de", city="leipzig")
    calls = {"st_folium": 0, "render": 0, "component": 0}
    original_st_folium, original_component = maps.st_folium, maps.FOLIUM_COMPONENT
    original_render = folium.Map.render

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(maps, "st_folium", counted("st_folium", original_st_folium))
    monkeypatch.setattr(maps, "FOLIUM_COMPONENT", counted("component", original_component))
    monkeypatch.setattr(folium.Map, "render", counted("render", original_render))
    at.run()
    at.selectbox(key="district").set_value("alt-west").run()
    at.selectbox(key="district").set_value("mitte").run()
    assert not at.exception
    assert calls == {"st_folium": 0, "render": 0, "component": 3}


def test_choosing_a_district_reruns_only_its_fragment_not_the_map(monkeypatch):
    """The server reruns only the fragment a widget is in. AppTest always reruns the whole
    script, so the rerun is scoped here as the browser's request would scope it."""
    import dataclasses

    from streamlit.testing.v1 import local_script_runner

    from sparcs_engage.ui import maps

    at = open_page(MAP, lang="de", city="leipzig")
    fragments = list(at._fragment_storage._fragments)
    assert len(fragments) == 1
    drawn = []
    original_component = maps.FOLIUM_COMPONENT
    monkeypatch.setattr(
        maps, "FOLIUM_COMPONENT", lambda **kwargs: drawn.append(1) or original_component(**kwargs)
    )

    def scoped(self, rerun_data):
        # A new runner starts with a pending full rerun, which any request joins: replaced.
        self._requests._rerun_data = dataclasses.replace(
            rerun_data, fragment_id_queue=fragments, is_fragment_scoped_rerun=True
        )
        return True

    monkeypatch.setattr(local_script_runner.LocalScriptRunner, "request_rerun", scoped)
    at.selectbox(key="district").set_value("alt-west").run()
    assert not at.exception
    assert at.header[0].value == "Alt-West"  # the card is drawn ...
    assert drawn == []  # ... and the map is not even asked for


def _indicator(digits: int = 1, unit: str = "t"):
    from sparcs_engage.settings import load_settings
    from sparcs_engage.ui.maps import registry_for

    indicator = registry_for(load_settings().data_dir)["ghg_per_resident"]
    return indicator if indicator.digits == digits else None


def test_the_legend_never_has_a_class_that_reads_the_same_at_both_ends():
    from sparcs_engage.i18n import translator
    from sparcs_engage.ui.maps import legend_for, map_classes

    indicator = _indicator()
    t = translator("de")
    # Values that differ, but not at the figure's one digit: once "2,0 – 2,0".
    close = [1.96, 1.98, 2.0, 2.02, 2.04, 2.4, 3.1]
    legend = legend_for(t, indicator, close)
    for label in legend.labels:
        low, high = label.split(" – ")
        assert low != high, legend.labels
    assert len(legend.colours) == len(legend.labels)
    breaks, colours = map_classes(indicator, close)
    assert breaks == sorted(set(breaks)) and len(colours) == len(breaks) - 1
    single = legend_for(t, indicator, [2.0, 2.0, 2.0])
    assert single.labels == ["2,0"] and len(single.colours) == 1


def test_map_charts_label_every_district_in_the_visitors_number_format():
    import pandas as pd

    from sparcs_engage.ui.charts import bars_spec, trend_spec

    data = pd.DataFrame(
        {"name": [f"D{n}" for n in range(40)], "value": range(40), "label": "x", "chosen": False}
    )
    spec = bars_spec(data, ("t", 40), lang="fi", x_title="t", name_title="n", value_title="v")
    assert spec["height"] == {"step": 22}  # a band per district, however many
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "\xa0"
    trend = pd.DataFrame({"year": [2020, 2021], "value": [1.5, 2.5], "series": "A", "label": "x"})
    lines = trend_spec(
        trend,
        ("t", "trend"),
        lang="de",
        x_title="Jahr",
        y_title="t",
        series_title="s",
        value_title="v",
        start_year=2020,
        target_year=2040,
        target_label="Ziel",
    )
    assert lines["config"]["locale"]["number"]["decimal"] == ","
    assert lines["config"]["locale"]["number"]["thousands"] == "."
    assert lines["layer"][0]["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_the_comparison_chart_names_its_figure_above_and_its_unit_on_the_axis():
    at = open_page(MAP, lang="de", city="leipzig")
    import json

    chart = at.get("vega_lite_chart")[-1]
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["x"]["title"] == "t CO₂e pro Kopf"
    assert any("Treibhausgase pro Kopf (t CO₂e pro Kopf), 20" in c.value for c in at.caption)


@pytest.mark.parametrize(("lang", "city"), [("fi", "espoo"), ("sv", "espoo"), ("de", "leipzig")])
def test_under_the_map_a_note_says_where_its_content_is_if_it_does_not_show(lang, city):
    """A map that cannot be drawn (its script blocked or not loaded) leaves a blank box: the
    caption under it says, in the visitor's language, where the same information is."""
    from sparcs_engage.i18n import translator
    from sparcs_engage.ui.maps import MAP_NOTE

    at = open_page(MAP, lang=lang, city=city)
    note = translator(lang)(MAP_NOTE)
    assert note != MAP_NOTE
    assert note in [c.value for c in at.caption]
