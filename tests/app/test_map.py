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
