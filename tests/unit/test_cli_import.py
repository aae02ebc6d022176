"""`sparcs-engage import-districts`: official boundaries into a city's districts.geojson."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shapely.geometry import mapping

from sparcs_engage.cli import main
from sparcs_engage.energy import EnergyDataError, load_districts
from sparcs_engage.settings import REPO_ROOT

SQUARE = [[12.30, 51.30], [12.40, 51.30], [12.40, 51.40], [12.30, 51.40], [12.30, 51.30]]
BOWTIE = [[12.30, 51.30], [12.40, 51.40], [12.40, 51.30], [12.30, 51.40], [12.30, 51.30]]
EPSG_3067 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    """A copy of data/ that the command may change, named by SPARCS_DATA_DIR."""
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    monkeypatch.setenv("SPARCS_DATA_DIR", str(data))
    return data


def leipzig(data: Path) -> Path:
    return data / "cities" / "leipzig" / "districts.geojson"


def official_file(tmp_path: Path, features: list[dict], **top) -> Path:
    path = tmp_path / "ortsteile.geojson"
    collection = {"type": "FeatureCollection", **top, "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def feature(key: object, name: object, geometry: dict, **extra) -> dict:
    return {
        "type": "Feature",
        "properties": {"OT_NR": key, "OT_NAME": name},
        "geometry": geometry,
        **extra,
    }


def polygon(ring: list, shift: float = 0.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x + shift, y] for x, y in ring]]}


def as_official(data: Path, ids=None) -> list[dict]:
    """Leipzig's shipped districts as an official file would have them (ids in OT_NR)."""
    districts = load_districts(leipzig(data))
    ids = ids or [d.id for d in districts]
    return [
        feature(key, d.names["de"], json.loads(json.dumps(mapping(d.geometry))))
        for key, d in zip(ids, districts, strict=True)
    ]


def run(*args: str) -> int:
    return main(["import-districts", *args, "--id-field", "OT_NR", "--name-field", "OT_NAME"])


def test_import_is_a_ready_command():
    with pytest.raises(SystemExit) as caught:
        main(["import-districts", "--help"])
    assert caught.value.code == 0
    assert issubclass(EnergyDataError, ValueError)  # main() turns it into one error line


def test_a_good_import_round_trips_ids_and_names(data_dir, tmp_path, capsys):
    before = load_districts(leipzig(data_dir))
    source = official_file(tmp_path, as_official(data_dir))
    assert run("leipzig", str(source)) == 0
    out, err = capsys.readouterr()
    assert f"imported {len(before)} districts" in out
    assert err == ""  # the same ids: indicators.csv and sites.toml still fit
    after = load_districts(leipzig(data_dir))
    assert [d.id for d in after] == [d.id for d in before]
    # The one imported name is written for each of Leipzig's languages (de, en) and no other.
    assert [d.names for d in after] == [dict.fromkeys(("de", "en"), d.names["de"]) for d in before]
    assert all(not d.approximate and d.source == "Imported from ortsteile.geojson" for d in after)
    assert all(a.geometry.equals(b.geometry) for a, b in zip(after, before, strict=True))
    assert (
        sorted(p.name for p in leipzig(data_dir).parent.iterdir() if p.name.startswith(".")) == []
    )


@pytest.mark.parametrize(
    ("features", "top", "expected"),
    [
        pytest.param(
            [feature("1", "Mitte", polygon(SQUARE))],
            {"crs": EPSG_3067},
            ["field 'crs'", "EPSG::3067", "not EPSG:4326"],
            id="crs-of-the-file",
        ),
        pytest.param(
            [
                feature("1", "Mitte", polygon(SQUARE)),
                feature("2", "Ost", polygon(SQUARE, 0.1), crs=EPSG_3067),
            ],
            {},
            ["features[1] (id '2')", "EPSG::3067", "not EPSG:4326"],
            id="crs-of-a-feature",
        ),
        pytest.param(
            [feature("1", "Mitte", polygon(SQUARE)), feature("7", "Alt-West", polygon(BOWTIE))],
            {},
            ["features[1] (id '7')", "field 'geometry'", "not valid", "Self-intersection"],
            id="bowtie",
        ),
        pytest.param(
            [feature("3", "Süd", polygon(SQUARE)), feature(3, "Süd", polygon(SQUARE, 0.1))],
            {},
            ["features[1] (id '3')", "used more than once", "also features[0]"],
            id="duplicate-id",
        ),
        pytest.param(
            [feature("1", "Mitte", polygon(SQUARE)), feature(None, "Ost", polygon(SQUARE, 0.1))],
            {},
            ["features[1]", "field 'OT_NR'", "the id is missing"],
            id="missing-id",
        ),
        pytest.param(
            [feature("1", "Mitte", polygon(SQUARE)), feature(" ", "Ost", polygon(SQUARE, 0.1))],
            {},
            ["features[1]", "field 'OT_NR'", "the id is missing"],
            id="blank-id",
        ),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_bad_boundaries_are_refused_in_one_line_and_nothing_is_written(
    data_dir, tmp_path, capsys, features, top, expected, dry_run
):
    target = leipzig(data_dir)
    before = target.read_bytes()
    source = official_file(tmp_path, features, **top)
    assert run("leipzig", str(source), *(["--dry-run"] if dry_run else [])) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("sparcs-engage: error: ") and err.count("\n") == 1
    assert "ortsteile.geojson" in err and "Traceback" not in err
    for text in expected:
        assert text in err
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "city.toml",
        "districts.geojson",
        "indicators.csv",
        "plans.toml",
        "population_structure.toml",
        "sites.toml",
    ]


@pytest.mark.parametrize("city", ["atlantis", "../leipzig", "Leipzig"])
def test_an_unknown_city_is_refused(data_dir, tmp_path, capsys, city):
    source = official_file(tmp_path, [feature("1", "Mitte", polygon(SQUARE))])
    assert run(city, str(source)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"sparcs-engage: error: unknown city {city!r}")
    assert "known: espoo, leipzig" in err
    assert not (data_dir / "cities" / city / "districts.geojson").exists()


def test_a_missing_source_file_is_one_error_line(data_dir, tmp_path, capsys):
    assert run("leipzig", str(tmp_path / "nowhere.geojson")) == 2
    err = capsys.readouterr().err
    assert err.startswith("sparcs-engage: error: ") and "the file is missing" in err


def test_new_ids_that_indicators_csv_does_not_know_are_refused_and_nothing_is_written(
    data_dir, tmp_path, capsys
):
    folder = data_dir / "cities" / "leipzig"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    count = len(load_districts(leipzig(data_dir)))
    numbered = [f"{n:02d}" for n in range(count)]
    source = official_file(tmp_path, as_official(data_dir, ids=numbered))
    assert run("leipzig", str(source)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "indicators.csv, line 2, field 'district': unknown district id ('mitte')" in err
    assert "nothing was written" in err and "--indicators" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_new_ids_import_together_with_data_files_that_fit_them(data_dir, tmp_path, capsys):
    folder = data_dir / "cities" / "leipzig"
    old_ids = [d.id for d in load_districts(leipzig(data_dir))]
    numbered = {old: f"{n:02d}" for n, old in enumerate(old_ids)}
    source = official_file(tmp_path, as_official(data_dir, ids=list(numbered.values())))
    indicators = tmp_path / "indicators.csv"
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    indicators.write_text(
        "\n".join(
            [lines[0]]
            + [numbered[row.split(",", 1)[0]] + "," + row.split(",", 1)[1] for row in lines[1:]]
        )
        + "\n",
        encoding="utf-8",
    )
    sites = tmp_path / "sites.toml"
    text = (folder / "sites.toml").read_text(encoding="utf-8")
    for old, new in numbered.items():
        text = text.replace(f'district = "{old}"', f'district = "{new}"')
    sites.write_text(text, encoding="utf-8")
    args = ("leipzig", str(source), "--indicators", str(indicators), "--sites", str(sites))
    assert run(*args) == 0
    assert f"imported {len(old_ids)} districts" in capsys.readouterr().out
    assert [d.id for d in load_districts(leipzig(data_dir))] == list(numbered.values())
    assert (folder / "indicators.csv").read_text(encoding="utf-8") == indicators.read_text(
        encoding="utf-8"
    )
    assert main(["cities"]) == 0


def test_boundaries_with_latitude_and_longitude_swapped_are_refused(data_dir, tmp_path, capsys):
    swapped = []
    for raw in as_official(data_dir):
        rings = raw["geometry"]["coordinates"]

        def flip(ring):
            return [[y, x] for x, y in ring]

        if raw["geometry"]["type"] == "Polygon":
            raw["geometry"]["coordinates"] = [flip(r) for r in rings]
        else:
            raw["geometry"]["coordinates"] = [[flip(r) for r in poly] for poly in rings]
        swapped.append(raw)
    target = leipzig(data_dir)
    before = target.read_bytes()
    assert run("leipzig", str(official_file(tmp_path, swapped))) == 2
    err = capsys.readouterr().err
    assert "swapped" in err and err.count("\n") == 1
    assert target.read_bytes() == before


@pytest.mark.parametrize("bad", ["../../etc", "a/b", "mitte west", "ä-ost"])
def test_an_id_that_is_not_a_plain_identifier_is_refused(data_dir, tmp_path, capsys, bad):
    features = as_official(data_dir)
    features[0]["properties"]["OT_NR"] = bad
    assert run("leipzig", str(official_file(tmp_path, features))) == 2
    err = capsys.readouterr().err
    assert "not a valid identifier" in err and "letters, digits" in err


def test_cities_fails_on_a_city_whose_boundaries_are_elsewhere(data_dir, capsys):
    path = leipzig(data_dir)
    data = json.loads(path.read_text(encoding="utf-8"))
    for feat in data["features"]:
        geometry = feat["geometry"]

        def move(ring):
            return [[x + 5.0, y] for x, y in ring]

        if geometry["type"] == "Polygon":
            geometry["coordinates"] = [move(r) for r in geometry["coordinates"]]
        else:
            geometry["coordinates"] = [[move(r) for r in p] for p in geometry["coordinates"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["cities"]) == 2
    err = capsys.readouterr().err
    assert "leipzig" in err and "swapped" in err


def test_a_district_without_indicator_rows_is_warned_about(data_dir, tmp_path, capsys):
    features = [
        *as_official(data_dir),
        feature("neuland", "Neuland", polygon(SQUARE, 1.0)),
    ]
    assert run("leipzig", str(official_file(tmp_path, features))) == 0
    err = capsys.readouterr().err
    assert "no rows for district 'neuland'" in err and err.count("\n") == 1


def test_a_site_in_a_vanished_district_is_refused(data_dir, tmp_path, capsys):
    folder = data_dir / "cities" / "leipzig"
    (folder / "indicators.csv").write_text(
        "district,indicator,year,value,unit,source,note\n", encoding="utf-8"
    )  # only sites.toml is left to disagree
    numbered = [f"{n:02d}" for n in range(len(load_districts(leipzig(data_dir))))]
    source = official_file(tmp_path, as_official(data_dir, ids=numbered))
    assert run("leipzig", str(source)) == 2
    err = capsys.readouterr().err
    assert "sites.toml" in err and "unknown district id" in err and "--sites" in err


def test_dry_run_validates_and_reports_without_writing(data_dir, tmp_path, capsys):
    target = leipzig(data_dir)
    before, mtime = target.read_bytes(), target.stat().st_mtime_ns
    count = len(load_districts(target))
    features = [*as_official(data_dir), feature("neuland", "Neuland", polygon(SQUARE, 0.2))]
    source = official_file(tmp_path, features)
    assert run("leipzig", str(source), "--dry-run") == 0
    out, err = capsys.readouterr()
    assert f"dry run: {count + 1} districts would be imported" in out and "nothing written" in out
    assert "no rows for district 'neuland'" in err  # the same check as a real import
    assert target.read_bytes() == before and target.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "city.toml",
        "districts.geojson",
        "indicators.csv",
        "plans.toml",
        "population_structure.toml",
        "sites.toml",
    ]
