"""The city registry: cities are data, and a broken file names its file and field."""

import shutil
from pathlib import Path

import pytest

from sparcs_engage.cities import CityDataError, load_cities, load_city
from sparcs_engage.settings import REPO_ROOT

DATA = REPO_ROOT / "data"


def test_espoo_and_leipzig_load_with_their_targets():
    registry = load_cities(DATA)
    assert registry.errors == ()
    assert registry["espoo"].targets[0].year == 2030
    assert registry["leipzig"].targets[0].year == 2040
    assert registry["leipzig"].default_language == "de"
    assert registry["espoo"].languages == ("fi", "sv", "en")
    assert registry["leipzig"].languages == ("de", "en")
    assert registry["espoo"].population_source and registry["espoo"].population_year


def test_a_city_needs_its_texts_only_in_its_own_languages():
    espoo, leipzig = load_cities(DATA)["espoo"], load_cities(DATA)["leipzig"]
    assert espoo.name("sv") == "Esbo" and "sv" in espoo.targets[0].text
    assert "sv" not in leipzig.names and "sv" not in leipzig.targets[0].text
    # A language the city does not speak: its name in its own language.
    assert leipzig.name("sv") == "Leipzig" and espoo.name("de") == "Espoo"


def test_leipzig_data_files_carry_no_swedish_text():
    import json
    import tomllib

    folder = DATA / "cities" / "leipzig"
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
        assert "\nsv = " not in text, path
    for feature in json.loads((folder / "districts.geojson").read_text())["features"]:
        assert "name_sv" not in feature["properties"]


def test_every_city_figure_carries_a_source():
    for city in load_cities(DATA).cities.values():
        assert city.population_source.strip()
        assert all(target.source.strip() for target in city.targets)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "cities", tmp_path / "cities")
    return tmp_path


def test_a_new_city_is_a_new_folder(data_dir: Path):
    folder = data_dir / "cities" / "kladno"
    folder.mkdir()
    text = (data_dir / "cities" / "espoo" / "city.toml").read_text(encoding="utf-8")
    (folder / "city.toml").write_text(
        text.replace('id = "espoo"', 'id = "kladno"').replace('country = "FI"', 'country = "CZ"'),
        encoding="utf-8",
    )
    assert load_cities(data_dir).ids() == ["espoo", "kladno", "leipzig"]


def rewrite(data_dir: Path, old: str, new: str) -> Path:
    path = data_dir / "cities" / "espoo" / "city.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("zoom = 11", 'zoom = "eleven"', "map.zoom"),
        ("zoom = 11", "zoom = 40", "map.zoom"),
        ('languages = ["fi", "sv", "en"]', 'languages = ["fi", "xx"]', "languages"),
        ('languages = ["fi", "sv", "en"]', "languages = []", "languages"),
        ('languages = ["fi", "sv", "en"]', 'languages = ["fi", "fi"]', "languages"),
        ('languages = ["fi", "sv", "en"]', 'default_language = "fi"', "default_language"),
        ("value = 314024", "value = -3", "population.value"),
        (
            'source = "Tilastokeskus (Statistics Finland)"',
            'source = ""',
            "population.source",
        ),
        ('sv = "Esbo"\n', "", "name.sv"),
        ('id = "espoo"', 'id = "tapiola"', "id"),
        ("center = [60.205, 24.700]", "center = [600.0, 24.7]", "map.center"),
    ],
)
def test_a_malformed_city_file_names_file_and_field(data_dir, old, new, field):
    path = rewrite(data_dir, old, new)
    with pytest.raises(CityDataError) as caught:
        load_city(path.parent)
    assert caught.value.field == field
    assert str(path) in str(caught.value)


def test_broken_toml_is_reported_and_the_other_cities_still_load(data_dir):
    (data_dir / "cities" / "espoo" / "city.toml").write_text("id = [unclosed", encoding="utf-8")
    registry = load_cities(data_dir)
    assert registry.ids() == ["leipzig"]
    assert len(registry.errors) == 1
    assert "espoo" in str(registry.errors[0].path)


def test_a_folder_without_city_toml_is_reported(data_dir):
    (data_dir / "cities" / "empty").mkdir()
    registry = load_cities(data_dir)
    assert [e.path.parent.name for e in registry.errors] == ["empty"]
    assert "missing" in str(registry.errors[0])


@pytest.mark.parametrize("value", ["../../etc", "espoo/../leipzig", "", None, "ESPOO", 7])
def test_a_forged_city_parameter_falls_back_to_the_default(value):
    assert load_cities(DATA).resolve(value, "leipzig") == "leipzig"


def test_no_cities_at_all_is_not_an_error(tmp_path):
    registry = load_cities(tmp_path)
    assert registry.ids() == [] and registry.resolve("espoo", "espoo") is None
