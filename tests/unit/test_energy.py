"""District energy data: the shipped files, the validation rules and the map helpers."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from sparcs_engage import energy
from sparcs_engage.energy import (
    District,
    EnergyDataError,
    city_average,
    district_at,
    district_card,
    district_table,
    import_districts,
    latest_year,
    load_districts,
    load_indicator_registry,
    load_indicators,
    load_sites,
    trend,
)

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
LANGS = ("fi", "de", "en")  # the languages of the files these tests write
# Each shipped city's files need texts in its own languages (its city.toml), and only those.
CITY_LANGS = {"espoo": ("fi", "sv", "en"), "leipzig": ("de", "en")}
YEARS = range(2019, 2025)
CITY_DISTRICTS = {
    "espoo": {
        "suur-leppavaara",
        "suur-tapiola",
        "suur-matinkyla",
        "suur-espoonlahti",
        "suur-kauklahti",
        "vanha-espoo",
        "pohjois-espoo",
    },
    "leipzig": {
        "mitte",
        "nordost",
        "ost",
        "suedost",
        "sued",
        "suedwest",
        "west",
        "alt-west",
        "nordwest",
        "nord",
    },
}
CITY_SITES = {
    "espoo": {
        "sello": "suur-leppavaara",
        "kera": "suur-leppavaara",
        "lippulaiva": "suur-espoonlahti",
    },
    "leipzig": {
        "baumwollspinnerei": "alt-west",
        "dunckerviertel": "alt-west",
        "lausen-solar-thermal": "west",
    },
}
REQUIRED_INDICATORS = {
    "population",
    "heat_per_resident",
    "electricity_per_resident",
    "ghg_per_resident",
    "renewable_share",
    "district_heating_coverage",
    "rooftop_solar_per_1000",
    "ev_charging_per_1000",
}
HEADER = "district,indicator,year,value,unit,source,note\n"


@pytest.fixture(scope="module")
def registry() -> dict[str, energy.Indicator]:
    return load_indicator_registry(DATA / "indicators.toml")


def city_dir(city: str) -> Path:
    return DATA / "cities" / city


# ---------------------------------------------------------------------------------------------
# The shipped data
# ---------------------------------------------------------------------------------------------


def test_registry_defines_every_indicator_with_texts_in_every_language(registry):
    assert REQUIRED_INDICATORS.issubset(registry)
    for indicator in registry.values():
        for lang in LANGS:
            assert indicator.names[lang].strip(), (indicator.id, lang)
            assert len(indicator.explanations[lang]) > 40, (indicator.id, lang)
            assert indicator.unit_labels[lang].strip(), (indicator.id, lang)
        assert indicator.unit.strip()
        # Finnish and German are written, not copied from English.
        assert indicator.explanations["fi"] != indicator.explanations["en"]
        assert indicator.explanations["de"] != indicator.explanations["en"]


def test_registry_marks_population_as_a_count_and_emissions_as_lower_is_better(registry):
    assert registry["population"].aggregation == "sum"
    assert registry["population"].neutral
    assert registry["ghg_per_resident"].higher_is_better is False
    assert registry["renewable_share"].higher_is_better is True
    assert registry["renewable_share"].maximum == 100


@pytest.mark.parametrize("city", sorted(CITY_DISTRICTS))
def test_shipped_districts_load_and_are_marked_approximate(city):
    districts = load_districts(city_dir(city) / "districts.geojson")
    assert {d.id for d in districts} == CITY_DISTRICTS[city]
    for district in districts:
        assert district.geometry.is_valid and not district.geometry.is_empty
        assert district.approximate is True
        assert "not an official boundary" in district.source
        assert list(district.names) == list(CITY_LANGS[city])
        assert all(district.names[lang] for lang in CITY_LANGS[city])
        minx, miny, maxx, maxy = district.geometry.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


@pytest.mark.parametrize("city", sorted(CITY_DISTRICTS))
def test_shipped_districts_do_not_overlap(city):
    districts = load_districts(city_dir(city) / "districts.geojson")
    for i, a in enumerate(districts):
        for b in districts[i + 1 :]:
            assert a.geometry.intersection(b.geometry).area < 1e-8, (a.id, b.id)


def test_district_names_stay_official_in_every_language():
    espoo = {d.id: d for d in load_districts(city_dir("espoo") / "districts.geojson")}
    leipzig = {d.id: d for d in load_districts(city_dir("leipzig") / "districts.geojson")}
    assert {espoo["suur-leppavaara"].name(lang) for lang in LANGS} == {"Suur-Leppävaara"}
    assert {leipzig["alt-west"].name(lang) for lang in LANGS} == {"Alt-West"}
    assert leipzig["suedost"].name("en") == "Südost"


@pytest.mark.parametrize("city", sorted(CITY_DISTRICTS))
def test_shipped_indicators_cover_every_district_indicator_and_year(city, registry):
    df = load_indicators(city_dir(city) / "indicators.csv", registry, CITY_DISTRICTS[city])
    assert energy.missing_rows(df, CITY_DISTRICTS[city], registry, YEARS) == []
    for (_district, _indicator), years in df.groupby(["district", "indicator"])["year"]:
        assert years.nunique() >= 4
    assert (df["source"].str.strip() != "").all()


@pytest.mark.parametrize("city", sorted(CITY_DISTRICTS))
def test_every_demo_figure_says_demo_estimate_and_every_real_one_names_its_publisher(
    city, registry
):
    df = load_indicators(city_dir(city) / "indicators.csv", registry, CITY_DISTRICTS[city])
    demo = df["source"].str.contains("demo estimate")
    assert (df.loc[demo, "note"] == "demo estimate").all()
    assert (df.loc[~demo, "note"] == "").all()
    assert (~demo).any(), "some figures should be real"
    assert df.loc[~demo, "source"].str.len().gt(20).all()


def test_real_population_figures_match_the_published_ones(registry):
    espoo = load_indicators(city_dir("espoo") / "indicators.csv", registry, CITY_DISTRICTS["espoo"])
    leipzig = load_indicators(
        city_dir("leipzig") / "indicators.csv", registry, CITY_DISTRICTS["leipzig"]
    )

    def value(df: pd.DataFrame, district: str, indicator: str, year: int) -> float:
        row = df[(df.district == district) & (df.indicator == indicator) & (df.year == year)]
        return float(row["value"].iloc[0])

    assert value(espoo, "suur-leppavaara", "population", 2023) == 78475
    assert value(espoo, "suur-leppavaara", "population", 2021) == 74624
    assert value(leipzig, "alt-west", "population", 2023) == 61832
    assert value(leipzig, "ost", "population", 2023) == 88544
    # The districts add up to the city totals in city.toml (31 Dec 2023).
    assert city_average(espoo, "population", 2023) == 314024
    assert city_average(leipzig, "population", 2023) == 628718


def test_demo_emissions_reproduce_the_cities_reported_per_resident_figures(registry):
    espoo = load_indicators(city_dir("espoo") / "indicators.csv", registry, CITY_DISTRICTS["espoo"])
    leipzig = load_indicators(
        city_dir("leipzig") / "indicators.csv", registry, CITY_DISTRICTS["leipzig"]
    )
    assert city_average(espoo, "ghg_per_resident", 2023) == pytest.approx(2.4, abs=0.01)
    assert city_average(leipzig, "ghg_per_resident", 2021) == pytest.approx(5.02, abs=0.01)


@pytest.mark.parametrize("city", sorted(CITY_SITES))
def test_every_site_lies_in_the_district_it_names(city):
    districts = load_districts(city_dir(city) / "districts.geojson")
    sites = load_sites(city_dir(city) / "sites.toml", [d.id for d in districts])
    assert {s.id: s.district for s in sites} == CITY_SITES[city]
    by_id = {d.id: d for d in districts}
    for site in sites:
        assert by_id[site.district].geometry.covers(Point(site.lon, site.lat)), site.id
        assert district_at(districts, site.lat, site.lon) == site.district
        assert site.coordinates_approximate is True
        assert site.source.startswith(("https://", "http://"))
        assert list(site.names) == list(site.texts) == list(CITY_LANGS[city])
        for lang in CITY_LANGS[city]:
            assert site.names[lang] and site.texts[lang]
            assert site.texts[lang].count(".") <= 4  # 1-3 short sentences


def test_the_district_files_are_exactly_what_the_generator_writes(capsys, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "make_districts", REPO / "scripts" / "make_districts.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_districts", module)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, capsys.readouterr().err


def test_shipped_geojson_rounds_coordinates_to_five_decimals():
    data = json.loads((city_dir("leipzig") / "districts.geojson").read_text(encoding="utf-8"))
    ring = data["features"][0]["geometry"]["coordinates"][0]
    for lon, lat in ring:
        assert round(lon, 5) == lon and round(lat, 5) == lat


# ---------------------------------------------------------------------------------------------
# Indicator CSV validation
# ---------------------------------------------------------------------------------------------

GOOD_ROW = "a,population,2023,100,residents,Stadt X statistics,\n"


def write_csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "indicators.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad_row", "field", "code"),
    [
        ("zz,population,2023,100,residents,S,\n", "district", energy.E_UNKNOWN_DISTRICT),
        ("a,happiness,2023,100,residents,S,\n", "indicator", energy.E_UNKNOWN_INDICATOR),
        ("a,population,2023,lots,residents,S,\n", "value", energy.E_VALUE),
        ("a,population,2023,NaN,residents,S,\n", "value", energy.E_VALUE),
        ("a,population,2023,,residents,S,\n", "value", energy.E_VALUE),
        ('a,population,2023,"1,5",residents,S,\n', "value", energy.E_VALUE),
        ("a,population,2023.5,100,residents,S,\n", "year", energy.E_YEAR),
        ("a,population,twenty,100,residents,S,\n", "year", energy.E_YEAR),
        ("a,population,2023,100,people,S,\n", "unit", energy.E_UNIT),
        ("a,population,2023,100,residents,,\n", "source", energy.E_SOURCE_MISSING),
        ("a,population,2023,100,residents,   ,\n", "source", energy.E_SOURCE_MISSING),
        ("a,renewable_share,2023,140,%,S,\n", "value", energy.E_VALUE_RANGE),
        ("a,population,2023,-5,residents,S,\n", "value", energy.E_VALUE_RANGE),
        ("a,population,2023,100,residents,S\n", "-", energy.E_COLUMNS),
        (GOOD_ROW, "district,indicator,year", energy.E_DUPLICATE_ROW),
    ],
)
def test_a_bad_indicator_row_is_reported_with_file_line_and_field(
    tmp_path, registry, bad_row, field, code
):
    # Line 1 is the header, line 2 a good row, line 3 the bad one.
    path = write_csv(tmp_path, GOOD_ROW + bad_row)
    with pytest.raises(EnergyDataError) as caught:
        load_indicators(path, registry, ["a", "b"])
    error = caught.value
    assert error.path == path
    assert error.line == 3
    assert error.field == field
    assert error.code == code
    message = str(error)
    assert "indicators.csv" in message and "line 3" in message and repr(field) in message


def test_a_wrong_header_is_reported_on_line_one(tmp_path, registry):
    path = write_csv(tmp_path, GOOD_ROW, header="district,indicator,year,value\n")
    with pytest.raises(EnergyDataError) as caught:
        load_indicators(path, registry, ["a"])
    assert (caught.value.line, caught.value.field, caught.value.code) == (
        1,
        "header",
        energy.E_HEADER,
    )


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path, registry):
    body = (
        GOOD_ROW
        + "\n"
        + 'b,population,2023,100,residents,"Statistics\nof the city",\n'
        + "b,population,2024,oops,residents,S,\n"
    )
    path = write_csv(tmp_path, body)
    with pytest.raises(EnergyDataError) as caught:
        load_indicators(path, registry, ["a", "b"])
    assert caught.value.line == 6


def test_an_empty_or_missing_indicator_file_is_an_error(tmp_path, registry):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(EnergyDataError) as caught:
        load_indicators(empty, registry, ["a"])
    assert caught.value.code == energy.E_FILE_EMPTY
    with pytest.raises(EnergyDataError) as caught:
        load_indicators(tmp_path / "nope.csv", registry, ["a"])
    assert caught.value.code == energy.E_FILE_MISSING


def test_good_rows_load_with_numbers_years_and_the_registry_aggregation(tmp_path, registry):
    body = GOOD_ROW + "a,ghg_per_resident,2023,2.5,t CO2e/resident,City report,demo estimate\n"
    df = load_indicators(write_csv(tmp_path, body), registry, ["a"])
    assert list(df.columns) == list(energy.FRAME_COLUMNS)
    assert df["year"].dtype == "int64" and df["value"].dtype == "float64"
    ghg = df[df.indicator == "ghg_per_resident"].iloc[0]
    assert (ghg["value"], ghg["aggregation"], ghg["line"]) == (2.5, "population_weighted", 3)


# ---------------------------------------------------------------------------------------------
# District GeoJSON validation and import
# ---------------------------------------------------------------------------------------------

SQUARE = [[[12.30, 51.30], [12.40, 51.30], [12.40, 51.40], [12.30, 51.40], [12.30, 51.30]]]
SQUARE_EAST = [[[12.40, 51.30], [12.50, 51.30], [12.50, 51.40], [12.40, 51.40], [12.40, 51.30]]]
BOWTIE = [[[12.30, 51.30], [12.40, 51.40], [12.40, 51.30], [12.30, 51.40], [12.30, 51.30]]]


def feature(props: dict, coords: list = SQUARE, kind: str = "Polygon") -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": coords},
    }


def ours(district_id: str, coords: list = SQUARE, **extra) -> dict:
    props = {
        "id": district_id,
        "name_fi": "Keskusta",
        "name_de": "Mitte",
        "name_en": "Centre",
        "approximate": False,
        "source": "Test",
        **extra,
    }
    return feature(props, coords)


def write_geojson(path: Path, features: list, **top) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", **top, "features": features}), encoding="utf-8"
    )
    return path


def districts_error(path: Path) -> EnergyDataError:
    with pytest.raises(EnergyDataError) as caught:
        load_districts(path, LANGS)
    return caught.value


def test_valid_districts_load_with_names_per_language(tmp_path):
    path = write_geojson(tmp_path / "d.geojson", [ours("mitte"), ours("ost", SQUARE_EAST)])
    districts = load_districts(path)
    assert [d.id for d in districts] == ["mitte", "ost"]
    assert districts[0].name("de") == "Mitte" and districts[0].name("fi") == "Keskusta"


def test_a_single_name_property_is_used_for_every_language(tmp_path):
    feat = feature({"id": "x", "name": "Altstadt", "source": "Import"})
    path = write_geojson(tmp_path / "d.geojson", [feat])
    (district,) = load_districts(path, LANGS)
    assert district.names == {"fi": "Altstadt", "de": "Altstadt", "en": "Altstadt"}
    # Beside no city.toml, no language is required: the one name serves them all.
    (district,) = load_districts(path)
    assert district.name("sv") == district.name("de") == "Altstadt"


def test_district_names_are_needed_only_in_the_city_languages(tmp_path):
    shutil.copytree(DATA / "cities" / "leipzig", tmp_path / "leipzig")
    path = tmp_path / "leipzig" / "districts.geojson"
    districts = load_districts(path)  # Leipzig: de, en; its file has no fi or sv names
    assert all(list(d.names) == ["de", "en"] for d in districts)
    assert districts[0].name("sv") == districts[0].names["de"]  # its own name, not an error
    text = path.read_text(encoding="utf-8").replace('"name_en":"Mitte",', "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EnergyDataError) as caught:
        load_districts(path)
    assert (caught.value.field, caught.value.feature_id) == ("name_en", "mitte")


def test_espoo_districts_have_their_swedish_names():
    districts = {d.id: d for d in load_districts(city_dir("espoo") / "districts.geojson")}
    assert districts["suur-leppavaara"].name("sv") == "Stor-Alberga"
    assert districts["vanha-espoo"].name("sv") == "Gamla Esbo"
    assert districts["vanha-espoo"].name("fi") == "Vanha-Espoo"


@pytest.mark.parametrize(
    "crs_name",
    ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"],
)
def test_a_crs_member_naming_wgs84_is_accepted(tmp_path, crs_name):
    crs = {"type": "name", "properties": {"name": crs_name}}
    path = write_geojson(tmp_path / "d.geojson", [ours("a")], crs=crs)
    assert len(load_districts(path)) == 1


def test_another_crs_is_refused(tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    error = districts_error(write_geojson(tmp_path / "d.geojson", [ours("a")], crs=crs))
    assert (error.code, error.field) == (energy.E_CRS, "crs")
    assert "d.geojson" in str(error) and "25833" in str(error)


def test_projected_coordinates_without_a_crs_member_are_refused(tmp_path):
    metres = [[[317000, 5690000], [318000, 5690000], [318000, 5691000], [317000, 5690000]]]
    error = districts_error(write_geojson(tmp_path / "d.geojson", [ours("a", metres)]))
    assert (error.code, error.field, error.feature, error.feature_id) == (
        energy.E_COORDINATES,
        "geometry",
        0,
        "a",
    )


def test_a_self_intersecting_polygon_is_refused_naming_the_feature(tmp_path):
    path = write_geojson(tmp_path / "d.geojson", [ours("a"), ours("b", BOWTIE)])
    error = districts_error(path)
    assert (error.code, error.field, error.feature, error.feature_id) == (
        energy.E_GEOMETRY_INVALID,
        "geometry",
        1,
        "b",
    )
    assert "features[1]" in str(error) and "'b'" in str(error)


@pytest.mark.parametrize(
    ("features", "code", "field", "index"),
    [
        ([ours("a"), ours("a", SQUARE_EAST)], energy.E_DUPLICATE_ID, "id", 1),
        ([ours("a"), ours("", SQUARE_EAST)], energy.E_ID_MISSING, "id", 1),
        ([feature({"name": "X", "source": "S"})], energy.E_ID_MISSING, "id", 0),
        (
            [feature({"id": "a", "name_fi": "A", "source": "S"})],
            energy.E_NAME_MISSING,
            "name_de",
            0,
        ),
        ([feature({"id": "a", "name": "A"})], energy.E_SOURCE_MISSING, "source", 0),
        ([ours("a", approximate="yes")], energy.E_WRONG_TYPE, "approximate", 0),
        (
            [feature({"id": "a", "name": "A", "source": "S"}, [12.3, 51.3], "Point")],
            energy.E_GEOMETRY_TYPE,
            "geometry",
            0,
        ),
        ([ours("a", [[[12.3, 51.3], [12.4, 51.3]]])], energy.E_GEOMETRY_MALFORMED, "geometry", 0),
        (
            [ours("a", [[["12.3", 51.3], [12.4, 51.3], [12.4, 51.4], [12.3, 51.3]]])],
            energy.E_GEOMETRY_MALFORMED,
            "geometry",
            0,
        ),
    ],
)
def test_a_bad_district_feature_is_reported_with_its_index_and_field(
    tmp_path, features, code, field, index
):
    error = districts_error(write_geojson(tmp_path / "d.geojson", features))
    assert (error.code, error.field, error.feature) == (code, field, index)
    assert f"features[{index}]" in str(error) and repr(field) in str(error)


def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path):
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(ours("a")), encoding="utf-8")
    assert districts_error(path).code == energy.E_NOT_COLLECTION
    path.write_text("{not json", encoding="utf-8")
    assert districts_error(path).code == energy.E_NOT_JSON
    write_geojson(path, [])
    assert districts_error(path).code == energy.E_NO_FEATURES


def official(features: list, **top) -> dict:
    return {"type": "FeatureCollection", **top, "features": features}


def official_feature(key: object, name: object, coords: list = SQUARE) -> dict:
    return feature({"SBZ": key, "NAME": name, "AREA": 1.0}, coords)


def test_import_writes_our_format_and_reports_the_feature_count(tmp_path):
    source = tmp_path / "stadtbezirke.geojson"
    source.write_text(
        json.dumps(
            official(
                [
                    official_feature(0, "Mitte"),
                    official_feature(1, "Nordost", SQUARE_EAST),
                ]
            )
        ),
        encoding="utf-8",
    )
    target = tmp_path / "out" / "districts.geojson"
    assert import_districts(source, target, id_field="SBZ", name_field="NAME") == 2
    districts = load_districts(target)
    assert [d.id for d in districts] == ["0", "1"]
    # No city.toml beside the target: the name is written for the source language only.
    assert districts[1].names == {"en": "Nordost"}
    assert all(d.approximate is False for d in districts)
    assert districts[0].source == "Imported from stadtbezirke.geojson"
    assert districts[0].geometry.equals(load_districts(target)[0].geometry)
    assert district_at(districts, 51.35, 12.35) == "0"
    assert not list(target.parent.glob(".*"))  # no temporary files left behind


@pytest.mark.parametrize(
    ("collection", "code", "index", "feature_id"),
    [
        (
            official(
                [official_feature(0, "Mitte")],
                crs={"type": "name", "properties": {"name": "EPSG:25833"}},
            ),
            energy.E_CRS,
            None,
            None,
        ),
        (
            official([official_feature(0, "Mitte"), official_feature(7, "Alt-West", BOWTIE)]),
            energy.E_GEOMETRY_INVALID,
            1,
            "7",
        ),
        (
            official([official_feature(3, "Süd"), official_feature(3, "Süd", SQUARE_EAST)]),
            energy.E_DUPLICATE_ID,
            1,
            "3",
        ),
        (
            official([official_feature(0, "Mitte"), official_feature(None, "Ost", SQUARE_EAST)]),
            energy.E_ID_MISSING,
            1,
            None,
        ),
        (official([official_feature(0, "")]), energy.E_NAME_MISSING, 0, "0"),
    ],
)
def test_import_refuses_bad_input_and_leaves_the_target_untouched(
    tmp_path, collection, code, index, feature_id
):
    source = tmp_path / "official.geojson"
    source.write_text(json.dumps(collection), encoding="utf-8")
    target = tmp_path / "districts.geojson"
    target.write_text("previous content", encoding="utf-8")
    with pytest.raises(EnergyDataError) as caught:
        import_districts(source, target, id_field="SBZ", name_field="NAME")
    error = caught.value
    assert (error.code, error.feature, error.feature_id) == (code, index, feature_id)
    assert error.path == source and "official.geojson" in str(error)
    if index is not None:
        assert f"features[{index}]" in str(error)
    assert target.read_text(encoding="utf-8") == "previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["districts.geojson", "official.geojson"]


# ---------------------------------------------------------------------------------------------
# Registry and sites validation
# ---------------------------------------------------------------------------------------------


def test_an_indicator_without_a_german_name_is_reported_by_field(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text(
        '[[indicator]]\nid = "x"\nunit = "%"\nhigher_is_better = true\n'
        '[indicator.name]\nfi = "X"\nen = "X"\n'
        '[indicator.explanation]\nfi = "X"\nde = "X"\nen = "X"\n',
        encoding="utf-8",
    )
    with pytest.raises(EnergyDataError) as caught:
        load_indicator_registry(path, LANGS)
    assert caught.value.field == "indicator[0].name.de"
    assert caught.value.code == energy.E_TEXT_MISSING


def test_the_shared_indicator_file_needs_every_language_some_city_speaks(tmp_path):
    shutil.copytree(DATA / "cities", tmp_path / "cities")
    text = (DATA / "indicators.toml").read_text(encoding="utf-8")
    (tmp_path / "indicators.toml").write_text(text, encoding="utf-8")
    registry = load_indicator_registry(tmp_path / "indicators.toml")
    assert set(registry["population"].names) == {"fi", "sv", "de", "en"}
    # Without Espoo, nobody reads Swedish or Finnish: those texts may go.
    shutil.rmtree(tmp_path / "cities" / "espoo")
    lines = [line for line in text.splitlines() if not line.startswith(("sv = ", "fi = "))]
    (tmp_path / "indicators.toml").write_text("\n".join(lines), encoding="utf-8")
    assert set(load_indicator_registry(tmp_path / "indicators.toml")["population"].names) == {
        "de",
        "en",
    }
    # With Espoo, a missing Swedish text names its field.
    shutil.copytree(DATA / "cities" / "espoo", tmp_path / "cities" / "espoo")
    with pytest.raises(EnergyDataError) as caught:
        load_indicator_registry(tmp_path / "indicators.toml")
    assert caught.value.field == "indicator[0].name.fi"


def test_a_site_in_an_unknown_district_is_reported(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(
        '[[site]]\nid = "s"\nlat = 51.3\nlon = 12.3\ndistrict = "nowhere"\n'
        'coordinates_approximate = true\nsource = "https://example.org/"\n'
        '[site.name]\nfi = "S"\nde = "S"\nen = "S"\n'
        '[site.text]\nfi = "S"\nde = "S"\nen = "S"\n',
        encoding="utf-8",
    )
    with pytest.raises(EnergyDataError) as caught:
        load_sites(path, ["mitte"])
    assert (caught.value.field, caught.value.code) == (
        "site[0].district",
        energy.E_UNKNOWN_DISTRICT,
    )


# ---------------------------------------------------------------------------------------------
# Helpers for the map page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def tiny() -> pd.DataFrame:
    rows = [
        ("a", "population", 2022, 90.0),
        ("a", "population", 2023, 100.0),
        ("b", "population", 2022, 310.0),
        ("b", "population", 2023, 300.0),
        ("a", "heat_per_resident", 2022, 12.0),
        ("a", "heat_per_resident", 2023, 10.0),
        ("b", "heat_per_resident", 2022, 21.0),
        ("b", "heat_per_resident", 2023, 20.0),
        ("c", "heat_per_resident", 2023, 99.0),  # no population: left out of the average
    ]
    return pd.DataFrame(
        [
            {
                "district": d,
                "indicator": i,
                "year": y,
                "value": v,
                "unit": "residents" if i == "population" else "kWh/resident",
                "source": f"src {d} {y}",
                "note": "demo estimate",
            }
            for d, i, y, v in rows
        ]
    )


def test_city_average_weights_per_resident_figures_by_population(tiny):
    # (10 * 100 + 20 * 300) / (100 + 300) = 7000 / 400
    assert city_average(tiny, "heat_per_resident", 2023) == pytest.approx(17.5)
    # (12 * 90 + 21 * 310) / 400 = (1080 + 6510) / 400
    assert city_average(tiny, "heat_per_resident", 2022) == pytest.approx(18.975)


def test_city_average_of_population_is_the_city_total(tiny):
    assert city_average(tiny, "population", 2023) == 400
    assert city_average(tiny, "population", 2019) is None


def test_latest_year_is_the_most_recent_data_year(tiny):
    assert latest_year(tiny, "heat_per_resident") == 2023
    assert latest_year(tiny, "unknown") is None


def squares() -> list[District]:
    from shapely.geometry import shape

    names = {"a": "Aa", "b": "Bb", "c": "Cc", "d": "Dd"}
    coords = {"a": SQUARE, "b": SQUARE_EAST}
    return [
        District(
            id=k,
            names=dict.fromkeys(LANGS, v),
            geometry=shape({"type": "Polygon", "coordinates": coords.get(k, SQUARE)}),
        )
        for k, v in names.items()
    ]


def test_district_table_lists_every_district_largest_first_and_missing_data_last(tiny):
    table = district_table(tiny, "heat_per_resident", 2023, "de", squares())
    assert table["district"].tolist() == ["c", "b", "a", "d"]
    assert table["name"].tolist() == ["Cc", "Bb", "Aa", "Dd"]
    assert math.isnan(table["value"].iloc[-1])
    assert table.loc[1, "source"] == "src b 2023"
    latest = district_table(tiny, "heat_per_resident", None, "en", squares())
    assert set(latest["year"]) == {2023}


def test_district_card_shows_each_indicator_with_the_city_figure(tiny):
    card = district_card(tiny, "a").set_index("indicator")
    assert card.loc["heat_per_resident", "value"] == 10.0
    assert card.loc["heat_per_resident", "year"] == 2023
    assert card.loc["heat_per_resident", "city_average"] == pytest.approx(17.5)
    assert card.loc["population", "city_average"] == 400
    assert card.loc["population", "aggregation"] == "sum"
    assert card.loc["heat_per_resident", "source"] == "src a 2023"
    assert district_card(tiny, "nowhere").empty


def test_trend_lists_the_years_in_order_with_the_city_figure(tiny):
    rows = trend(tiny, "b", "heat_per_resident")
    assert rows["year"].tolist() == [2022, 2023]
    assert rows["value"].tolist() == [21.0, 20.0]
    assert rows["city_average"].tolist() == pytest.approx([18.975, 17.5])


def test_district_at_finds_the_district_under_a_point():
    districts = squares()[:2]
    assert district_at(districts, 51.35, 12.35) == "a"
    assert district_at(districts, 51.35, 12.45) == "b"
    assert district_at(districts, 60.0, 24.0) is None
    assert district_at(districts, float("nan"), 12.35) is None


# ---------------------------------------------------------------------------------------------
# Nothing crashes: any input either loads or is an EnergyDataError
# ---------------------------------------------------------------------------------------------

CELL = st.one_of(
    st.sampled_from(
        [
            "a",
            "b",
            "population",
            "heat_per_resident",
            "2023",
            "1e3",
            "nan",
            "",
            "residents",
            "kWh/resident",
            '=HYPERLINK("x")',
            "  ",
            "-1",
            "2023.0",
        ]
    ),
    st.text(max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=5))
def test_any_indicator_file_loads_or_raises_energy_data_error(tmp_path, registry, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = write_csv(tmp_path, buffer.getvalue())
    try:
        df = load_indicators(path, registry, ["a", "b"])
    except EnergyDataError as error:
        assert error.code and "indicators.csv" in str(error)
    else:
        assert df["value"].map(math.isfinite).all()


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


POSITION = st.lists(st.floats(-200, 200), min_size=1, max_size=4)
RINGS = st.lists(st.lists(POSITION, max_size=7), max_size=3)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    props=st.dictionaries(
        st.sampled_from(["id", "name", "name_fi", "source", "approximate"]), JSON, max_size=5
    ),
    geometry=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]), "coordinates": JSON}
        ),
        st.fixed_dictionaries({"type": st.just("Polygon"), "coordinates": RINGS}),
    ),
)
def test_any_district_feature_loads_or_raises_energy_data_error(tmp_path, props, geometry):
    path = tmp_path / "d.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": props, "geometry": geometry}],
            }
        ),
        encoding="utf-8",
    )
    try:
        districts = load_districts(path)
    except EnergyDataError as error:
        assert error.code and "d.geojson" in str(error)
    else:
        assert districts[0].geometry.is_valid
