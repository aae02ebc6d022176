"""The translations are complete: every UI string and every long text in every language of the
app (the content/<lang>/ folders) and so in every language of every city, and the catalogs are
not behind the code. The glossary and spacing rules are in test_glossary.py."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sparcs_engage.cities import load_cities
from sparcs_engage.i18n import CONTENT_DIR, LANGUAGES, SOURCE_LANGUAGE
from sparcs_engage.settings import REPO_ROOT

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATED = sorted(set(LANGUAGES) - {SOURCE_LANGUAGE})


def test_every_language_of_every_city_is_a_language_of_the_app():
    registry = load_cities(REPO_ROOT / "data")
    assert registry.errors == ()
    spoken = {lang for city in registry.cities.values() for lang in city.languages}
    assert spoken <= set(LANGUAGES)
    assert spoken == {"fi", "sv", "de", "en"}
    for lang in spoken:
        assert (CONTENT_DIR / lang / "LC_MESSAGES" / "messages.po").is_file(), lang


def catalog(lang: str):
    with (CONTENT_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def messages(lang: str):
    return [m for m in catalog(lang) if m.id]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_ui_string_has_a_finished_translation(lang):
    missing = []
    for message in messages(lang):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            missing.append(message.id)
    assert missing == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder(lang):
    wrong = []
    for message in messages(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            # A singular form may spell out "one" instead of {n}.
            if set(PLACEHOLDER.findall(text)) - wanted or (wanted - {"n"}) - set(
                PLACEHOLDER.findall(text)
            ):
                wrong.append((message.id, text))
    assert wrong == []


def test_catalogs_are_not_behind_the_code(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "t",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in LANGUAGES:
        in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in messages(lang)}
        assert in_code - in_catalog == set(), f"{lang}: run `make i18n` and translate"


def content_files(lang: str) -> set[str]:
    return {
        p.relative_to(CONTENT_DIR / lang).as_posix()
        for p in (CONTENT_DIR / lang).rglob("*")
        if p.is_file() and p.suffix in {".md", ".toml"}
    }


def test_every_long_text_exists_in_every_language():
    names = {lang: content_files(lang) for lang in LANGUAGES}
    union = set().union(*names.values())
    assert union, "no content files found"
    for lang in LANGUAGES:
        assert union - names[lang] == set(), f"missing in {lang}"


def test_long_texts_are_not_left_in_english():
    for name in content_files(SOURCE_LANGUAGE):
        english = (CONTENT_DIR / SOURCE_LANGUAGE / name).read_text(encoding="utf-8")
        for lang in TRANSLATED:
            assert (CONTENT_DIR / lang / name).read_text(encoding="utf-8") != english, name


def test_no_translated_string_hides_inside_an_f_string():
    """pybabel does not look into f-strings: t("...") there would stay English elsewhere."""
    import ast

    found = []
    for folder in ("sparcs_engage", "views"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for inner in ast.walk(node):
                    if not isinstance(inner, ast.Call):
                        continue
                    name = getattr(inner.func, "id", None) or getattr(inner.func, "attr", None)
                    if name in ("t", "N_", "ngettext"):
                        found.append(f"{path.relative_to(REPO_ROOT)}:{inner.lineno}")
    assert found == []
