"""The city registry: one folder per city under data/cities/, read from its city.toml.

Adding a city is adding a folder; nothing in the code names a city.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sparcs_engage.i18n import LANGUAGES, SOURCE_LANGUAGE

CITY_ID = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class CityDataError(ValueError):
    """A city file that cannot be used, with the file and the field at fault."""

    def __init__(self, path: Path, field_name: str, problem: str) -> None:
        self.path = path
        self.field = field_name
        self.problem = problem
        super().__init__(f"{path}: field '{field_name}': {problem}")


@dataclass(frozen=True)
class Target:
    """A climate target of the city, as the city itself states it."""

    id: str
    year: int  # the year the target is set for
    source: str
    source_year: int  # the year the source was published
    text: dict[str, str]


@dataclass(frozen=True)
class Privacy:
    """What the city's privacy notice must name (GDPR Art. 13): the controller and its contact,
    the data-protection officer, the hosting provider, the supervisory authority and how long
    answers are kept. Texts per language; addresses as the city writes them."""

    controller: dict[str, str]
    address: str
    email: str
    dpo_email: str
    hosting: dict[str, str]
    authority: dict[str, str]
    retention_days: int


@dataclass(frozen=True)
class Accessibility:
    """What the city's accessibility statement must name (EU Web Accessibility Directive,
    model statement of Implementing Decision (EU) 2018/1523): the law, the feedback contact and
    the enforcement procedure."""

    law: dict[str, str]
    feedback_email: str
    enforcement: dict[str, str]


@dataclass(frozen=True)
class City:
    """A city taking part: its names, map view, population and climate targets."""

    id: str
    country: str
    languages: tuple[str, ...]  # the languages it speaks to residents, its default first
    timezone: str
    names: dict[str, str]
    center: tuple[float, float]
    zoom: int
    population: int
    population_year: int
    population_source: str
    targets: tuple[Target, ...]
    folder: Path = field(repr=False)
    # A tile server the city chose (URL template and its attribution); none: no tiles, the
    # map draws its districts on a plain background and needs no other host.
    tiles: str = ""
    tiles_attribution: str = ""
    privacy: Privacy | None = None
    accessibility: Accessibility | None = None

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def name(self, lang: str) -> str:
        """Its name in a language; in its own language when it has none in that one."""
        return self.names.get(lang) or self.names[self.languages[0]]


@dataclass(frozen=True)
class CityRegistry:
    """The cities that loaded, and the problems of those that did not."""

    cities: dict[str, City]
    errors: tuple[CityDataError, ...] = ()

    def __contains__(self, city_id: object) -> bool:
        return city_id in self.cities

    def __getitem__(self, city_id: str) -> City:
        return self.cities[city_id]

    def get(self, city_id: object) -> City | None:
        return self.cities.get(city_id) if isinstance(city_id, str) else None

    def ids(self) -> list[str]:
        return sorted(self.cities)

    def resolve(self, value: object, default: str) -> str | None:
        """A known city id from a URL value; anything else falls back to the default."""
        if isinstance(value, str) and value in self.cities:
            return value
        if default in self.cities:
            return default
        return self.ids()[0] if self.cities else None


def _require(data: dict, key: str, kind: type | tuple[type, ...], path: Path, name: str):
    if key not in data:
        raise CityDataError(path, name, "missing")
    value = data[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise CityDataError(path, name, f"has the wrong type ({type(value).__name__})")
    return value


def _texts(
    data: dict, key: str, path: Path, name: str, languages: tuple[str, ...]
) -> dict[str, str]:
    """A text in each of the city's languages (its default first); texts in other languages
    of the app are kept, but none is needed."""
    table = _require(data, key, dict, path, name)
    texts = {}
    for lang in (*languages, *(lang for lang in LANGUAGES if lang not in languages)):
        text = table.get(lang)
        if isinstance(text, str) and text.strip():
            texts[lang] = text.strip()
        elif lang in languages:
            raise CityDataError(path, f"{name}.{lang}", "missing or empty")
    return texts


def _languages(data: dict, path: Path) -> tuple[str, ...]:
    if "default_language" in data:
        raise CityDataError(
            path, "default_language", 'replaced by languages = ["..."] (the first is the default)'
        )
    raw = _require(data, "languages", list, path, "languages")
    known = ", ".join(LANGUAGES)
    if not raw or not all(isinstance(v, str) for v in raw):
        raise CityDataError(path, "languages", f"must list the city's languages among {known}")
    unknown = [v for v in raw if v not in LANGUAGES]
    if unknown:
        raise CityDataError(
            path,
            "languages",
            f"{', '.join(map(repr, unknown))}: no content/<code>/ folder ({known})",
        )
    if len(set(raw)) != len(raw):
        raise CityDataError(path, "languages", "lists a language twice")
    return tuple(raw)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def _email(table: dict, key: str, path: Path, name: str) -> str:
    value = _require(table, key, str, path, name)
    if not _EMAIL.match(value):
        raise CityDataError(path, name, "is not an e-mail address")
    return value


def _privacy(data: dict, path: Path, languages: tuple[str, ...]) -> Privacy:
    table = _require(data, "privacy", dict, path, "privacy")
    retention = _require(table, "retention_days", int, path, "privacy.retention_days")
    if not 1 <= retention <= 3650:
        raise CityDataError(path, "privacy.retention_days", "must be between 1 and 3650 days")
    address = _require(table, "address", str, path, "privacy.address")
    if not address.strip():
        raise CityDataError(path, "privacy.address", "missing or empty")
    return Privacy(
        controller=_texts(table, "controller", path, "privacy.controller", languages),
        address=address.strip(),
        email=_email(table, "email", path, "privacy.email"),
        dpo_email=_email(table, "dpo_email", path, "privacy.dpo_email"),
        hosting=_texts(table, "hosting", path, "privacy.hosting", languages),
        authority=_texts(table, "authority", path, "privacy.authority", languages),
        retention_days=retention,
    )


def _accessibility(data: dict, path: Path, languages: tuple[str, ...]) -> Accessibility:
    table = _require(data, "accessibility", dict, path, "accessibility")
    return Accessibility(
        law=_texts(table, "law", path, "accessibility.law", languages),
        feedback_email=_email(table, "feedback_email", path, "accessibility.feedback_email"),
        enforcement=_texts(table, "enforcement", path, "accessibility.enforcement", languages),
    )


def load_city(folder: Path) -> City:
    """Read and check one city's city.toml; raise CityDataError naming file and field."""
    path = folder / "city.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CityDataError(path, "-", "the file is missing") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CityDataError(path, "-", f"not valid TOML ({exc})") from exc

    city_id = _require(data, "id", str, path, "id")
    if not CITY_ID.match(city_id) or city_id != folder.name:
        raise CityDataError(path, "id", f"must be the folder name '{folder.name}'")
    country = _require(data, "country", str, path, "country")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise CityDataError(path, "country", "must be a two-letter code such as FI")
    languages = _languages(data, path)
    timezone = _require(data, "timezone", str, path, "timezone")

    map_table = _require(data, "map", dict, path, "map")
    center = _require(map_table, "center", list, path, "map.center")
    if len(center) != 2 or not all(isinstance(v, int | float) for v in center):
        raise CityDataError(path, "map.center", "must be [latitude, longitude]")
    lat, lon = float(center[0]), float(center[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CityDataError(path, "map.center", "is not a latitude and longitude")
    zoom = _require(map_table, "zoom", int, path, "map.zoom")
    if not 1 <= zoom <= 18:
        raise CityDataError(path, "map.zoom", "must be between 1 and 18")
    tiles = map_table.get("tiles", "")
    attribution = map_table.get("tiles_attribution", "")
    if not isinstance(tiles, str) or (tiles and not tiles.startswith("https://")):
        raise CityDataError(path, "map.tiles", "must be an https:// URL template")
    if tiles and (not isinstance(attribution, str) or not attribution.strip()):
        raise CityDataError(path, "map.tiles_attribution", "is needed with map.tiles")

    population = _require(data, "population", dict, path, "population")
    pop_value = _require(population, "value", int, path, "population.value")
    if pop_value <= 0:
        raise CityDataError(path, "population.value", "must be positive")
    pop_year = _require(population, "year", int, path, "population.year")
    pop_source = _require(population, "source", str, path, "population.source")
    if not pop_source.strip():
        raise CityDataError(path, "population.source", "missing or empty")

    targets = []
    for i, raw in enumerate(_require(data, "targets", list, path, "targets")):
        name = f"targets[{i}]"
        if not isinstance(raw, dict):
            raise CityDataError(path, name, "must be a table")
        source = _require(raw, "source", str, path, f"{name}.source")
        if not source.strip():
            raise CityDataError(path, f"{name}.source", "missing or empty")
        targets.append(
            Target(
                id=_require(raw, "id", str, path, f"{name}.id"),
                year=_require(raw, "year", int, path, f"{name}.year"),
                source=source,
                source_year=_require(raw, "source_year", int, path, f"{name}.source_year"),
                text=_texts(raw, "text", path, f"{name}.text", languages),
            )
        )

    return City(
        id=city_id,
        country=country,
        languages=languages,
        timezone=timezone,
        names=_texts(data, "name", path, "name", languages),
        center=(lat, lon),
        zoom=zoom,
        population=pop_value,
        population_year=pop_year,
        population_source=pop_source,
        targets=tuple(targets),
        folder=folder,
        tiles=tiles,
        tiles_attribution=attribution if tiles else "",
        privacy=_privacy(data, path, languages),
        accessibility=_accessibility(data, path, languages),
    )


def declared_languages(folder: Path) -> tuple[str, ...]:
    """The languages a city folder's city.toml lists, for the loaders of its other files;
    empty when it cannot say (a file in another place, a broken city.toml)."""
    try:
        return load_city(Path(folder)).languages
    except CityDataError:
        return ()


def all_languages(data_dir: Path) -> tuple[str, ...]:
    """Every language some city speaks: what a file shared by all cities must be written in."""
    root = Path(data_dir) / "cities"
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    spoken = {lang for folder in folders for lang in declared_languages(folder)}
    return tuple(lang for lang in LANGUAGES if lang in spoken) or (SOURCE_LANGUAGE,)


def load_cities(data_dir: Path) -> CityRegistry:
    """Every city under data_dir/cities; a broken one is reported, the others still load."""
    cities: dict[str, City] = {}
    errors: list[CityDataError] = []
    root = data_dir / "cities"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            city = load_city(folder)
        except CityDataError as exc:
            errors.append(exc)
            continue
        cities[city.id] = city
    return CityRegistry(cities=cities, errors=tuple(errors))
