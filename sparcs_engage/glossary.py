"""One word per concept: each language's glossary (``content/<lang>/glossary.toml``) and the
check that no text of that language uses a variant the glossary rules out.

A glossary entry names the word to use and the words to avoid:

    [terms.district]
    use = ["Stadtbezirk"]            # masked before the check, so a longer use may contain an
    avoid = ["Stadtteil*", "Viertel"] # avoided word ("Einwohnerinnen und Einwohner")
    allow = ["Dunckerviertel"]        # optional: source names kept as their publishers write them

An avoided word matches case-insensitively as a whole word; a trailing ``*`` also matches its
longer forms ("Stadtteil*" finds "Stadtteile" and "Stadtteilkarte", but not "Teil"). A source
name written as its publisher writes it (a report's title, a place name) goes in ``allow``.

The same file lists the language's unit words (``[spacing] units``): between a number and a unit
the space must not break (U+00A0 or U+202F), and so must a space inside a number ("1 000").
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from sparcs_engage.i18n import CONTENT_DIR, SOURCE_LANGUAGE

# The concepts every language's glossary must define (issue 15).
CONCEPTS: tuple[str, ...] = (
    "footprint",
    "district",
    "workshop",
    "facilitator",
    "answer_reviewer",
    "dot",
    "pledge",
    "consent",
    "code",
    "respondent",
    "charging_point",
    "join",
)
# Units every language writes the same way.
SYMBOL_UNITS: tuple[str, ...] = ("t", "kg", "kWh", "MWh", "km", "m²", "ha", "%", "°C", "€")


@dataclass(frozen=True)
class Term:
    concept: str
    use: tuple[str, ...]
    avoid: tuple[str, ...]
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Glossary:
    lang: str
    terms: tuple[Term, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A text that breaks the glossary or the spacing rule: where, what, and the passage."""

    where: str
    rule: str
    passage: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: …{self.passage}…"


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a string or a list of strings, not {value!r}")


def load_glossary(lang: str, content_dir: Path = CONTENT_DIR) -> Glossary:
    """A language's glossary; ValueError names the file and the entry at fault."""
    path = content_dir / lang / "glossary.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for concept, entry in data.get("terms", {}).items():
        try:
            terms.append(
                Term(
                    concept=concept,
                    use=_strings(entry["use"]),
                    avoid=_strings(entry.get("avoid", [])),
                    allow=_strings(entry.get("allow", [])),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: terms.{concept}: {exc}") from exc
    units = _strings(data.get("spacing", {}).get("units", []))
    return Glossary(lang=lang, terms=tuple(terms), units=units)


def _pattern(word: str) -> re.Pattern[str]:
    stem = word[:-1] if word.endswith("*") else word
    body = re.escape(stem).replace(r"\ ", r"\s+")
    tail = r"\w*" if word.endswith("*") else r"(?!\w)"
    return re.compile(rf"(?<!\w){body}{tail}", re.IGNORECASE)


def _masked(text: str, phrases: Iterable[str]) -> str:
    for phrase in sorted(phrases, key=len, reverse=True):
        text = _pattern(phrase).sub(lambda m: " " * len(m.group(0)), text)
    return text


def _around(text: str, start: int, end: int) -> str:
    return text[max(0, start - 30) : end + 30].replace("\n", " ")


def term_findings(glossary: Glossary, where: str, text: str) -> Iterator[Finding]:
    """Every avoided variant in a text (after masking the words to use and allowed names)."""
    for term in glossary.terms:
        masked = _masked(text, (*term.use, *term.allow))
        for word in term.avoid:
            for match in _pattern(word).finditer(masked):
                yield Finding(
                    where,
                    f"{term.concept}: '{match.group(0)}' (use {' / '.join(term.use)})",
                    _around(text, match.start(), match.end()),
                )


def spacing_findings(glossary: Glossary, where: str, text: str) -> Iterator[Finding]:
    """A breaking space between a number (or a {placeholder}) and its unit, or inside a number."""
    units = sorted({*SYMBOL_UNITS, *glossary.units}, key=len, reverse=True)
    unit = "|".join(re.escape(u) for u in units)
    number = r"(?:\d|\{\w+\})"
    rules = (
        (re.compile(rf"{number} ((?:{unit})(?![\w²]))"), "breaking space before a unit"),
        (re.compile(r"(?<![\d.,])\d{1,3} \d{3}(?!\d)"), "breaking space inside a number"),
    )
    for pattern, rule in rules:
        for match in pattern.finditer(text):
            yield Finding(where, rule, _around(text, match.start(), match.end()))


# The texts of a language ----------------------------------------------------------------------
def catalog_texts(lang: str, content_dir: Path = CONTENT_DIR) -> Iterator[tuple[str, str]]:
    """(where, text) for every translation in the language's catalog (the msgids themselves for
    the source language, whose catalog is empty)."""
    po = content_dir / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts = ids if lang == SOURCE_LANGUAGE else strings
        for text in texts:
            if text:
                yield f"{po.relative_to(content_dir.parent)} [{ids[0][:50]}]", text


def _toml_strings(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _toml_strings(inner, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _toml_strings(inner, f"{key}[{i}]")
    elif isinstance(value, str):
        yield key, value


def content_texts(lang: str, content_dir: Path = CONTENT_DIR) -> Iterator[tuple[str, str]]:
    """(where, text) for every long text and content file of a language (but its glossary)."""
    folder = content_dir / lang
    for path in sorted(folder.rglob("*")):
        where = str(path.relative_to(content_dir.parent))
        if path.suffix == ".md":
            yield where, path.read_text(encoding="utf-8")
        elif path.suffix == ".toml" and path.name not in ("glossary.toml", "language.toml"):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            for key, text in _toml_strings(data):
                yield f"{where} [{key}]", text


def data_texts(lang: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of a language in the data files: the ``<lang> = "..."``
    entries of city.toml, sites.toml and indicators.toml, and the districts' ``name_<lang>``."""
    paths = [data_dir / "indicators.toml", *sorted((data_dir / "cities").glob("*/*.toml"))]
    for path in paths:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, text in _toml_strings(data):
            if key.rsplit(".", 1)[-1] == lang:
                yield f"{path.relative_to(data_dir.parent)} [{key}]", text
    for path in sorted((data_dir / "cities").glob("*/districts.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            name = feature.get("properties", {}).get(f"name_{lang}")
            if isinstance(name, str):
                yield f"{path.relative_to(data_dir.parent)} [name_{lang}]", name


def findings(lang: str, data_dir: Path, content_dir: Path = CONTENT_DIR) -> list[Finding]:
    """Every glossary and spacing finding in a language's catalog, content and data texts."""
    glossary = load_glossary(lang, content_dir)
    found: list[Finding] = []
    texts = [
        *catalog_texts(lang, content_dir),
        *content_texts(lang, content_dir),
        *data_texts(lang, data_dir),
    ]
    for where, text in texts:
        found.extend(term_findings(glossary, where, text))
        found.extend(spacing_findings(glossary, where, text))
    return found
