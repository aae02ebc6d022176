"""Generate approximate district boundaries for the SPARCS lighthouse cities.

    python scripts/make_districts.py            # (re)write data/cities/<city>/districts.geojson
    python scripts/make_districts.py --check    # exit 1 if the files are not what this writes

No official boundary file is shipped yet, so each city gets placeholder districts: Voronoi
cells around hand-placed district centres, clipped to a hand-drawn outline of the city (about
20-25 vertices, EPSG:4326). Every feature says ``approximate: true`` and where it comes from.
Replace them with official boundaries through ``import_districts`` (sparcs_engage.energy).

The Voronoi diagram is computed in a locally equidistant plane (longitude scaled by the cosine
of the city's latitude), so cell borders lie halfway between centres in metres, not degrees.
The output is deterministic: same input, same bytes. Before writing, the script checks that
every SPARCS site in data/cities/<city>/sites.toml lies in the district the site names.
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from sparcs_engage.energy import District, districts_geojson, load_districts, write_districts

REPO_ROOT = Path(__file__).resolve().parent.parent
CITIES_DIR = REPO_ROOT / "data" / "cities"
DECIMALS = 5
SOURCE = (
    "Approximate boundary drawn by SPARCS Engage (Voronoi cells around district centres, "
    "clipped to an approximate city outline); not an official boundary"
)
KM_PER_DEGREE = 111.2


@dataclass(frozen=True)
class Centre:
    """A district and the hand-placed point its Voronoi cell grows from."""

    id: str
    lat: float
    lon: float
    names: dict[str, str]  # in the city's languages (its city.toml), its default first


@dataclass(frozen=True)
class CityOutline:
    """A city: its approximate outline (lon, lat), enclaves cut out, and district centres."""

    outline: tuple[tuple[float, float], ...]
    holes: tuple[tuple[tuple[float, float], ...], ...]
    centres: tuple[Centre, ...]


def _city_languages(city_id: str) -> tuple[str, ...]:
    data = tomllib.loads((CITIES_DIR / city_id / "city.toml").read_text(encoding="utf-8"))
    return tuple(data["languages"])


def _named(city_id: str, id_: str, lat: float, lon: float, name: str, **own: str) -> Centre:
    """A district: its official name in each of the city's languages, unless the language has
    an official name of its own (Espoo's Swedish names)."""
    return Centre(id_, lat, lon, {lang: own.get(lang, name) for lang in _city_languages(city_id)})


# Proper names of districts are not translated: residents, signs and statistics use the
# official names, Finnish and Swedish in bilingual Espoo (as esbo.fi writes them), German in
# Leipzig.
CITIES: dict[str, CityOutline] = {
    "espoo": CityOutline(
        # Clockwise from the northern tip (Nuuksio/Vihti border) round to the coast and back.
        outline=(
            (24.620, 60.365),
            (24.700, 60.355),
            (24.760, 60.330),
            (24.790, 60.300),
            (24.820, 60.270),
            (24.850, 60.250),
            (24.852, 60.220),
            (24.842, 60.190),
            (24.830, 60.166),
            (24.800, 60.155),
            (24.770, 60.146),
            (24.730, 60.141),
            (24.690, 60.134),
            (24.655, 60.122),
            (24.605, 60.104),
            (24.560, 60.118),
            (24.540, 60.145),
            (24.520, 60.180),
            (24.500, 60.220),
            (24.502, 60.270),
            (24.520, 60.310),
            (24.560, 60.345),
        ),
        # Kauniainen (Grankulla), a separate town enclosed by Espoo.
        holes=(
            (
                (24.706, 60.206),
                (24.716, 60.200),
                (24.731, 60.199),
                (24.744, 60.203),
                (24.748, 60.211),
                (24.742, 60.218),
                (24.727, 60.220),
                (24.712, 60.217),
            ),
        ),
        centres=(
            _named(
                "espoo", "suur-leppavaara", 60.228, 24.812, "Suur-Leppävaara", sv="Stor-Alberga"
            ),
            _named("espoo", "suur-tapiola", 60.180, 24.800, "Suur-Tapiola", sv="Stor-Hagalund"),
            _named("espoo", "suur-matinkyla", 60.163, 24.728, "Suur-Matinkylä", sv="Stor-Mattby"),
            _named(
                "espoo", "suur-espoonlahti", 60.143, 24.640, "Suur-Espoonlahti", sv="Stor-Esboviken"
            ),
            _named("espoo", "suur-kauklahti", 60.186, 24.565, "Suur-Kauklahti", sv="Stor-Köklax"),
            _named("espoo", "vanha-espoo", 60.232, 24.645, "Vanha-Espoo", sv="Gamla Esbo"),
            _named("espoo", "pohjois-espoo", 60.305, 24.675, "Pohjois-Espoo", sv="Norra Esbo"),
        ),
    ),
    "leipzig": CityOutline(
        # Clockwise from Seehausen in the north.
        outline=(
            (12.385, 51.448),
            (12.420, 51.435),
            (12.450, 51.415),
            (12.480, 51.395),
            (12.505, 51.370),
            (12.540, 51.345),
            (12.535, 51.318),
            (12.505, 51.300),
            (12.490, 51.275),
            (12.455, 51.262),
            (12.415, 51.275),
            (12.385, 51.282),
            (12.355, 51.285),
            (12.330, 51.265),
            (12.300, 51.240),
            (12.265, 51.255),
            (12.255, 51.285),
            (12.245, 51.310),
            (12.240, 51.335),
            (12.250, 51.360),
            (12.240, 51.385),
            (12.265, 51.405),
            (12.300, 51.410),
            (12.330, 51.425),
            (12.355, 51.445),
        ),
        holes=(),
        centres=(
            _named("leipzig", "mitte", 51.340, 12.378, "Mitte"),
            _named("leipzig", "nordost", 51.373, 12.435, "Nordost"),
            _named("leipzig", "ost", 51.340, 12.462, "Ost"),
            _named("leipzig", "suedost", 51.302, 12.440, "Südost"),
            _named("leipzig", "sued", 51.312, 12.380, "Süd"),
            _named("leipzig", "suedwest", 51.290, 12.330, "Südwest"),
            _named("leipzig", "west", 51.308, 12.280, "West"),
            _named("leipzig", "alt-west", 51.343, 12.300, "Alt-West"),
            _named("leipzig", "nordwest", 51.385, 12.310, "Nordwest"),
            _named("leipzig", "nord", 51.385, 12.372, "Nord"),
        ),
    ),
}


def _polygons_only(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """The polygonal part of a geometry (clipping can add stray lines or points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def build_districts(city: CityOutline) -> list[District]:
    """The city's districts: Voronoi cells around the centres, clipped to the outline."""
    outline = Polygon(city.outline, holes=list(city.holes))
    if not outline.is_valid:
        raise SystemExit(f"the outline is not valid: {explain_validity(outline)}")
    # A locally equidistant plane: x = lon * cos(lat0), y = lat.
    k = math.cos(math.radians(outline.centroid.y))
    project = {"xfact": k, "yfact": 1.0, "origin": (0, 0)}
    unproject = {"xfact": 1.0 / k, "yfact": 1.0, "origin": (0, 0)}
    plane_outline = affinity.scale(outline, **project)
    seeds = MultiPoint([(c.lon * k, c.lat) for c in city.centres])
    cells = shapely.voronoi_polygons(
        seeds, extend_to=plane_outline.envelope.buffer(1.0), ordered=True
    )
    districts = []
    for centre, cell in zip(city.centres, cells.geoms, strict=True):
        clipped = _polygons_only(cell.intersection(plane_outline))
        geom = affinity.scale(clipped, **unproject)
        geom = shapely.orient_polygons(shapely.set_precision(geom, 10.0**-DECIMALS))
        if geom.is_empty or not geom.is_valid:
            raise SystemExit(f"{centre.id}: the district polygon is empty or not valid")
        districts.append(
            District(
                id=centre.id,
                names=dict(centre.names),
                geometry=geom,
                approximate=True,
                source=SOURCE,
            )
        )
    return districts


def check_districts(city_id: str, districts: list[District]) -> list[str]:
    """Problems with the generated districts: overlaps, and sites outside their district."""
    problems = []
    for i, a in enumerate(districts):
        for b in districts[i + 1 :]:
            overlap = a.geometry.intersection(b.geometry).area
            if overlap > 1e-9:
                problems.append(f"{a.id} and {b.id} overlap ({overlap:.2e} deg²)")
    sites_path = CITIES_DIR / city_id / "sites.toml"
    if sites_path.exists():
        by_id = {d.id: d for d in districts}
        for site in tomllib.loads(sites_path.read_text(encoding="utf-8")).get("site", []):
            point = Point(site["lon"], site["lat"])
            district = by_id.get(site["district"])
            if district is None or not district.geometry.covers(point):
                found = [d.id for d in districts if d.geometry.covers(point)]
                problems.append(
                    f"site {site['id']} should be in {site['district']}, is in {found or 'none'}"
                )
    return problems


def area_km2(geom: BaseGeometry) -> float:
    """Approximate area in km² (good enough to compare with official district areas)."""
    k = math.cos(math.radians(geom.centroid.y))
    return affinity.scale(geom, xfact=k, yfact=1.0, origin=(0, 0)).area * KM_PER_DEGREE**2


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every city's districts.geojson."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if a file differs from what would be written",
    )
    args = parser.parse_args(argv)
    status = 0
    for city_id, city in CITIES.items():
        districts = build_districts(city)
        problems = check_districts(city_id, districts)
        for problem in problems:
            print(f"{city_id}: {problem}", file=sys.stderr)
        if problems:
            status = 1
            continue
        target = CITIES_DIR / city_id / "districts.geojson"
        total = sum(area_km2(d.geometry) for d in districts)
        summary = ", ".join(f"{d.id} {area_km2(d.geometry):.0f}" for d in districts)
        if args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != districts_geojson(districts, DECIMALS):
                print(f"{city_id}: {target} is out of date", file=sys.stderr)
                status = 1
            continue
        write_districts(districts, target, decimals=DECIMALS)
        load_districts(target)
        print(f"{city_id}: wrote {len(districts)} districts, {total:.0f} km² ({summary})")
    return status


if __name__ == "__main__":
    sys.exit(main())
