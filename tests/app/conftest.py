"""AppTest helpers: a migrated app database with demo data, and a page opener."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from sparcs_engage.cities import load_cities
from sparcs_engage.db import get_engine, upgrade
from sparcs_engage.demo import load_demo_data
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES
from sparcs_engage.settings import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def _city_languages() -> list[tuple[str, str]]:
    registry = load_cities(REPO_ROOT / "data")
    return [(lang, city.id) for city in registry.cities.values() for lang in city.languages]


# Every (language, city) a resident can choose: each city in each of its own languages.
CITY_LANGUAGES: list[tuple[str, str]] = _city_languages()
# Every language once, in the first city that speaks it (fi, sv, en in Espoo; de in Leipzig):
# for page tests whose city does not matter, so a new language adds one run, not one per city.
_first: dict[str, str] = {}
for _lang, _city in CITY_LANGUAGES:
    _first.setdefault(_lang, _city)
LANGUAGE_CITIES: list[tuple[str, str]] = [(lang, _first[lang]) for lang in LANGUAGES]


@pytest.fixture(scope="session", autouse=True)
def app_database(tmp_path_factory) -> Iterator[str]:
    """Every page test talks to one migrated SQLite database with the demo data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.db'}"
    upgrade(url)
    load_demo_data(get_engine(url))
    previous = os.environ.get("SPARCS_DATABASE_URL")
    os.environ["SPARCS_DATABASE_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("SPARCS_DATABASE_URL", None)
    else:
        os.environ["SPARCS_DATABASE_URL"] = previous


def open_page(
    script: str | None = None, *, lang: str | None = "en", locale: str | None = None, **query: str
) -> AppTest:
    """Run app.py like a browser opening the page's URL with ?lang= and other parameters.
    A language without a city opens in the first city that speaks it (German in Leipzig):
    a city offers only its own languages."""
    at = AppTest.from_file(APP, default_timeout=30)
    if lang is not None:
        at.query_params["lang"] = lang
        if "city" not in query and lang in _first:
            query = {**query, "city": _first[lang]}
    for key, value in query.items():
        at.query_params[key] = value
    if locale:
        at.context = {"locale": locale}
    at.run()
    if script:
        at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(username: str, script: str, *, lang: str = "en", **query: str) -> AppTest:
    """A page opened after signing in on /login in the same session, like a browser."""
    from sparcs_engage.demo import DEMO_PASSWORD

    at = open_page("views/account/login.py", lang=lang, **query)
    at.text_input(key="username").input(username)
    at.text_input(key="password").input(DEMO_PASSWORD)
    at.button(key="sign_in_submit").click().run()
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def visible_texts(at: AppTest) -> list[str]:
    """Every string the page shows: bodies, labels, help texts, options."""
    texts: list[str] = []

    def walk(node) -> None:
        # st.text carries user and data text (open answers, site descriptions), which may be
        # in any language: it is not checked.
        if type(node).__name__ == "Text":
            return
        for attr in ("value", "label", "body", "help", "placeholder"):
            try:
                value = getattr(node, attr, None)
            except Exception:
                value = None
            if isinstance(value, str) and value and not value.startswith("<style>"):
                texts.append(value)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return texts


def translated_msgids(lang: str) -> set[str]:
    """The English msgids whose translation in lang differs from the English."""
    with (CONTENT_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = message.string[0] if isinstance(message.string, tuple) else message.string
        if translated and translated != singular and "{" not in singular:
            ids.add(singular)
    return ids


ENGLISH_MARKERS = (" the ", " your ", " you ", " and ", " with ", " please ")


def assert_no_english(at: AppTest, lang: str) -> None:
    """No catalog string left in English, and no run of English words, on a page in another
    language than English."""
    texts = visible_texts(at)
    leftovers = translated_msgids(lang) & set(texts)
    assert leftovers == set()
    english = [t for t in texts if any(m in f" {t.lower()} " for m in ENGLISH_MARKERS)]
    assert english == []
