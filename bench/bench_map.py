"""The district map (/map): warm reruns under AppTest with the real data and with a generated
city of 300 districts (goal: under 100 ms); what an unchanged map costs in a rerun (a script that
only draws the cached map, against the empty script: goal under 2x); choosing a district, which
reruns only the district's fragment, as the server does; and building the folium map of that
city once."""

from __future__ import annotations

import csv
import dataclasses
import random
import shutil
from functools import cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, box
from streamlit.testing.v1 import AppTest, local_script_runner

from bench.run import Case
from bench.support import HELD, app_environment, scratch

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
MAP = "views/public/map.py"
BASELINE = "apptest: empty script (baseline)"  # measured in bench_shell
BIG_DISTRICTS = 300
BIG_YEARS = (2022, 2023, 2024)
# Around Leipzig (lon, lat), like the shipped city's map view.
BIG_BOX = (12.23, 51.24, 12.52, 51.45)
# Plausible values per indicator, so the choropleth classes look like real data.
PLAUSIBLE = {
    "population": (500, 9000),
    "heat_per_resident": (4000, 12000),
    "electricity_per_resident": (1000, 2600),
    "ghg_per_resident": (2.5, 9.5),
    "renewable_share": (8, 65),
    "district_heating_coverage": (10, 95),
    "rooftop_solar_per_1000": (2, 60),
    "ev_charging_per_1000": (0.2, 6),
}


@cache
def _big_city() -> Path:
    """A data dir with one city, "bigcity": 300 Voronoi districts around Leipzig and every
    district x indicator x year of the registry."""
    from sparcs_engage.energy import (
        District,
        load_city_energy,
        load_indicator_registry,
        write_districts,
    )

    data = scratch("bench-map-data-")
    shutil.copy(ROOT / "data" / "indicators.toml", data / "indicators.toml")
    folder = data / "cities" / "bigcity"
    folder.mkdir(parents=True)
    city_toml = (ROOT / "data" / "cities" / "leipzig" / "city.toml").read_text(encoding="utf-8")
    assert 'id = "leipzig"' in city_toml
    (folder / "city.toml").write_text(
        city_toml.replace('id = "leipzig"', 'id = "bigcity"', 1), encoding="utf-8"
    )

    rng = random.Random(2050)
    west, south, east, north = BIG_BOX
    points = MultiPoint(
        [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(BIG_DISTRICTS)]
    )
    frame = box(*BIG_BOX)
    cells = [cell.intersection(frame) for cell in shapely.voronoi_polygons(points).geoms]
    assert len(cells) == BIG_DISTRICTS
    districts = [
        District(
            id=f"d{n:03d}",
            names={
                "fi": f"Kaupunginosa {n}",
                "de": f"Ortsteil {n}",
                "en": f"District {n}",
            },
            geometry=cell,
            approximate=True,
            source="Generated for the benchmark (Voronoi cells of seeded random points)",
        )
        for n, cell in enumerate(cells, start=1)
    ]
    write_districts(districts, folder / "districts.geojson")  # checks they load

    registry = load_indicator_registry(data / "indicators.toml")
    with (folder / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["district", "indicator", "year", "value", "unit", "source", "note"])
        for district in districts:
            for indicator in registry.values():
                low, high = PLAUSIBLE.get(
                    indicator.id, (indicator.minimum or 0.0, indicator.maximum or 100.0)
                )
                for year in BIG_YEARS:
                    value = round(rng.uniform(low, high), indicator.digits)
                    writer.writerow(
                        [
                            district.id,
                            indicator.id,
                            year,
                            int(value) if indicator.digits == 0 else value,
                            indicator.unit,
                            "SPARCS Engage benchmark data",
                            "demo estimate",
                        ]
                    )
    energy = load_city_energy(folder, registry)  # the generated files pass the loaders
    assert len(energy.districts) == BIG_DISTRICTS
    assert len(energy.indicators) == BIG_DISTRICTS * len(registry) * len(BIG_YEARS)
    return data


def _map_rerun(data_dir, districts: int, district: str | None = None, **query: str):
    """make(): open /map with the query, optionally choose a district; time at.run()."""

    def make():
        data = data_dir() if callable(data_dir) else data_dir
        with app_environment(data):
            at = AppTest.from_file(APP, default_timeout=60)
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
            at.switch_page(MAP).run()
            if district is not None:
                at.selectbox(key="district").set_value(district).run()
        if at.exception or at.error:  # the page shows data errors instead of raising them
            raise RuntimeError([e.value for e in (*at.exception, *at.error)])
        chooser = at.selectbox(key="district")
        if len(chooser.options) != districts or chooser.value != district:
            raise RuntimeError(f"/map did not open as expected: {chooser.value!r}")

        def rerun():
            with app_environment(data):
                at.run()

        return rerun

    return make


# AppTest always reruns the whole script. The server reruns only the fragment a widget is in:
# for the district-choice case, the bench asks the runner for that (Streamlit's own RerunData
# fields, as the browser's request would set them).
_FRAGMENT_RERUN: list[str] = []
_request_rerun = local_script_runner.LocalScriptRunner.request_rerun


def _scoped_request(self, rerun_data):
    if not _FRAGMENT_RERUN:
        return _request_rerun(self, rerun_data)
    # A new runner starts with a pending full rerun, which any request joins: replaced here.
    self._requests._rerun_data = dataclasses.replace(
        rerun_data, fragment_id_queue=list(_FRAGMENT_RERUN), is_fragment_scoped_rerun=True
    )
    return True


local_script_runner.LocalScriptRunner.request_rerun = _scoped_request


def _district_fragment(data_dir, districts: int, first: str, second: str, **query: str):
    """make(): open /map with a district; time choosing another, a fragment-scoped rerun."""

    def make():
        data = data_dir() if callable(data_dir) else data_dir
        with app_environment(data):
            at = AppTest.from_file(APP, default_timeout=60)
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
            at.switch_page(MAP).run()
            at.selectbox(key="district").set_value(first).run()
        fragments = list(at._fragment_storage._fragments)
        if len(fragments) != 1:
            raise RuntimeError(f"/map should have one fragment, not {len(fragments)}")
        choices = [first, second]

        def choose():
            with app_environment(data):
                _FRAGMENT_RERUN[:] = fragments
                try:
                    at.selectbox(key="district").set_value(choices[-1]).run()
                finally:
                    _FRAGMENT_RERUN.clear()
            choices.reverse()
            if at.exception or at.header[0].value.split()[-1] == "":
                raise RuntimeError("the district card did not draw")

        return choose

    return make


MAP_ONLY = scratch("bench-map-only-") / "map_only.py"


def _unchanged_map():
    """make(): a script that only draws /map's cached map of 300 districts (what the map costs
    a rerun that does not change it); timed against the empty script."""

    def make():
        from sparcs_engage.cities import load_city
        from sparcs_engage.energy import load_city_energy, load_indicator_registry
        from sparcs_engage.ui.maps import build_map

        data = _big_city()
        city = load_city(data / "cities" / "bigcity")
        registry = load_indicator_registry(data / "indicators.toml")
        energy = load_city_energy(city.folder, registry)
        indicator = registry["ghg_per_resident"]
        with app_environment(data):
            HELD["map"] = build_map.__wrapped__(
                city.id,
                "en",
                indicator.id,
                BIG_YEARS[-1],
                city.center,
                city.zoom,
                _energy=energy,
                _indicator=indicator,
            )
        HELD["districts"] = energy.districts
        MAP_ONLY.write_text(
            "from bench.support import HELD\n"
            "from sparcs_engage.ui.maps import show_map\n"
            "show_map(HELD['map'], HELD['districts'], key='map_bigcity')\n",
            encoding="utf-8",
        )
        at = AppTest.from_file(str(MAP_ONLY), default_timeout=60)
        at.run()
        if at.exception or not at.get("component_instance"):
            raise RuntimeError(f"the map did not draw: {at.exception}")
        return at.run

    return make


def _build_big_map():
    from sparcs_engage.cities import load_city
    from sparcs_engage.energy import load_city_energy, load_indicator_registry
    from sparcs_engage.ui.maps import build_map

    build = getattr(build_map, "__wrapped__", None)
    if build is None:  # skip rather than time the cache look-up
        raise RuntimeError("build_map has no __wrapped__: cannot time the uncached build")
    data = _big_city()
    city = load_city(data / "cities" / "bigcity")
    registry = load_indicator_registry(data / "indicators.toml")
    energy = load_city_energy(city.folder, registry)
    indicator = registry["ghg_per_resident"]

    def once():
        return build(
            city.id,
            "en",
            indicator.id,
            BIG_YEARS[-1],
            city.center,
            city.zoom,
            _energy=energy,
            _indicator=indicator,
        )

    return once


def cases() -> list[Case]:
    return [
        Case(
            "apptest: /map warm rerun (leipzig, alt-west)",
            _map_rerun(ROOT / "data", 10, "alt-west", lang="de", city="leipzig"),
            baseline=BASELINE,
            goal_ms=100,
        ),
        Case(
            f"apptest: /map warm rerun ({BIG_DISTRICTS} districts, en)",
            _map_rerun(_big_city, BIG_DISTRICTS, lang="en", city="bigcity"),
            baseline=BASELINE,
            goal_ms=100,
        ),
        Case(
            f"apptest: an unchanged map in a rerun ({BIG_DISTRICTS} districts)",
            _unchanged_map(),
            baseline=BASELINE,
            goal_ratio=2,
        ),
        Case(
            "apptest: /map choosing a district, fragment rerun (leipzig)",
            _district_fragment(ROOT / "data", 10, "alt-west", "mitte", lang="de", city="leipzig"),
            baseline=BASELINE,
        ),
        Case(
            f"apptest: /map choosing a district, fragment rerun ({BIG_DISTRICTS} districts)",
            _district_fragment(_big_city, BIG_DISTRICTS, "d001", "d002", lang="en", city="bigcity"),
            baseline=BASELINE,
        ),
        Case(
            f"folium: build_map uncached ({BIG_DISTRICTS} districts)",
            _build_big_map,
            repeat=5,
            warmup=1,
        ),
    ]
