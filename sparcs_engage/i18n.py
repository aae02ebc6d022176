"""Translators per language, language negotiation and locale-aware formatting.

Every visitor's script runs as a thread in one process, so nothing here sets a process-wide
language: a page asks for ``translator(lang)`` and uses that object for every string and number.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError, numbers, units
from babel.dates import format_date, format_datetime, get_date_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from sparcs_engage.settings import REPO_ROOT

CONTENT_DIR: Path = REPO_ROOT / "content"
# The language the msgids and the code are written in: what a text falls back to.
SOURCE_LANGUAGE = "en"
_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    """A language of the app, as its folder content/<code>/language.toml describes it."""

    code: str
    name: str  # its own name, as the switcher shows it ("Svenska")
    locale: str  # the CLDR locale babel formats its numbers and dates with ("sv_FI")
    word: str  # its word for "Language", so the switcher's label names it in every language
    participant_names: tuple[str, ...]  # friendly names for workshop participants who give none


def _read_language(folder: Path) -> Language:
    """One language folder's language.toml, checked; ValueError names the file and field."""
    path = folder / "language.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = {}
    for key in ("name", "locale", "word"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{path}: field '{key}' is missing or empty")
        fields[key] = value.strip()
    try:
        Locale.parse(fields["locale"])
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"{path}: field 'locale': {fields['locale']!r} is not a locale") from exc
    names = data.get("participant_names")
    if (
        not isinstance(names, list)
        or len(names) < 10
        or not all(isinstance(n, str) and n.strip() and " " not in n.strip() for n in names)
    ):
        raise ValueError(f"{path}: field 'participant_names' needs at least 10 single words")
    return Language(
        code=folder.name,
        participant_names=tuple(n.strip() for n in names),
        **fields,
    )


def _discover(content_dir: Path) -> dict[str, Language]:
    """Every folder content/<code>/ with a language.toml is a language, in code order."""
    found = {}
    for folder in sorted(content_dir.iterdir()) if content_dir.is_dir() else []:
        if folder.is_dir() and _CODE.match(folder.name) and (folder / "language.toml").exists():
            found[folder.name] = _read_language(folder)
    if SOURCE_LANGUAGE not in found:
        raise ValueError(f"{content_dir}: the source language {SOURCE_LANGUAGE!r} has no folder")
    return found


# A new language is a folder (content/<code>/ with language.toml, messages.po and the long
# texts) and a line in each city that speaks it: no code names a language.
LANGUAGE_INFO: dict[str, Language] = _discover(CONTENT_DIR)
LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_INFO)
LOCALES: dict[str, str] = {code: lang.locale for code, lang in LANGUAGE_INFO.items()}
LANGUAGE_NAMES: dict[str, str] = {code: lang.name for code, lang in LANGUAGE_INFO.items()}
DOMAIN = "messages"


class MessageError(ValueError):
    """An error to tell a person in their language: ``message`` is a msgid (English, with
    {placeholders}), ``params`` its values; ``str()`` gives the English text."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated later, per visitor)."""
    return message


def normalize_language(value: object, languages: Iterable[str] | None = None) -> str | None:
    """A language code from a tag such as ``sv``, ``sv-FI`` or ``fi_FI``, if it is one of
    ``languages`` (default: every language of the app); else None."""
    if not isinstance(value, str) or not value or len(value) > 35:
        return None
    primary = value.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary in (LANGUAGES if languages is None else tuple(languages)) else None


def negotiate_language(
    *,
    query: object = None,
    browser_locale: object = None,
    languages: Sequence[str] | None = None,
    city_default: object = None,
    fallback: str = SOURCE_LANGUAGE,
) -> str:
    """The visitor's language among ``languages`` (a city's, its default first; all when None):
    ``?lang=`` first, then the browser's locale (``sv-FI`` gives sv), then the city's default."""
    offered = tuple(lang for lang in (languages or LANGUAGES) if lang in LANGUAGES) or LANGUAGES
    default = city_default if city_default is not None else (offered[0] if languages else None)
    for candidate in (query, browser_locale, default, fallback):
        lang = normalize_language(candidate, offered)
        if lang:
            return lang
    return offered[0]


def _load_catalog(lang: str) -> NullTranslations:
    """The compiled catalog, compiled in memory from the .po file when the .mo is stale."""
    po = CONTENT_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """One language's strings, long texts and number formats; safe to share between threads."""

    lang: str
    catalog: NullTranslations = field(repr=False)

    @property
    def locale(self) -> Locale:
        return Locale.parse(LOCALES[self.lang])

    def __call__(self, message: str, /, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self.catalog.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    # Formatting -------------------------------------------------------------------------------
    def number(self, value: float, digits: int = 0) -> str:
        """A number with the locale's separators and exactly ``digits`` decimals."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return numbers.format_decimal(value, format=pattern, locale=LOCALES[self.lang])

    def percent(self, share: float, digits: int = 0) -> str:
        """A share (0.256) as a percentage in the locale's own style (fi ``25,6 %``)."""
        base = self.locale.percent_formats[None].pattern
        pattern = base.replace("#,##0", "#,##0" + ("." + "0" * digits if digits > 0 else ""), 1)
        return numbers.format_percent(share, format=pattern, locale=LOCALES[self.lang])

    def unit(self, value: float, unit: str, digits: int = 0, length: str = "short") -> str:
        """A value with a CLDR unit such as ``mass-tonne`` or ``energy-kilowatt-hour``."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return units.format_unit(
            value, unit, length=length, format=pattern, locale=LOCALES[self.lang]
        )

    def typed_number(self, value: float) -> str:
        """A number as a resident types it in this language: the locale's separators and up to
        three decimals (fi ``12 000``, de ``1,5``); ``parse_number`` reads it back."""
        return numbers.format_decimal(value, format="#,##0.###", locale=LOCALES[self.lang])

    def parse_number(self, text: str) -> float:
        """A number a resident typed on a page in this language (see ``parse_number``)."""
        return parse_number(text, LOCALES[self.lang])

    @property
    def date_input_format(self) -> str:
        """The locale's order of day, month and year for st.date_input (fi ``DD.MM.YYYY``,
        sv ``YYYY-MM-DD``, en ``DD/MM/YYYY``): one of the orders it accepts."""
        pattern = get_date_format("short", locale=LOCALES[self.lang]).pattern
        order = "".join(c for c in dict.fromkeys(pattern.lower()) if c in "ymd")
        separator = next((c for c in pattern if c in "./-"), "-")
        fields = {"ymd": "YYYY MM DD", "dmy": "DD MM YYYY", "mdy": "MM DD YYYY"}
        return fields.get(order, "YYYY MM DD").replace(" ", separator)

    def date(self, value: date | datetime, format: str = "medium") -> str:
        if isinstance(value, datetime):
            return format_datetime(value, format=format, locale=LOCALES[self.lang])
        return format_date(value, format=format, locale=LOCALES[self.lang])

    # Long texts -------------------------------------------------------------------------------
    def content(self, name: str) -> str:
        """A long text (markdown) from ``content/<lang>/<name>.md``."""
        return read_content(self.lang, name)


@cache
def translator(lang: str) -> Translator:
    """The shared translator for a language; unknown codes get the source language."""
    lang = normalize_language(lang) or SOURCE_LANGUAGE
    return Translator(lang=lang, catalog=_load_catalog(lang))


def language_label(languages: Iterable[str]) -> str:
    """The language switcher's label: each language's own word for "Language" ("Kieli · Språk
    · Language"), so that a visitor who cannot read the page's language still finds it."""
    words = dict.fromkeys(LANGUAGE_INFO[lang].word for lang in languages if lang in LANGUAGE_INFO)
    return " · ".join(words)


@cache
def read_content(lang: str, name: str) -> str:
    """A long text of one language; names are plain file stems, never paths."""
    if lang not in LANGUAGES or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"unknown content {lang}/{name}")
    return (CONTENT_DIR / lang / f"{name}.md").read_text(encoding="utf-8")


# Spaces a number may be grouped with: space, no-break space, narrow no-break space, thin space.
_NUMBER_SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009'’"), None)
_NUMBER_UNITS = ("km", "kwh", "m²", "m2", "kg", "l", "g")


def _ungroup(text: str, mark: str) -> str | None:
    """``text`` without the grouping ``mark``, or None when it is not grouped in threes."""
    head, *groups = text.split(mark)
    digits = head.lstrip("+-")
    if not (1 <= len(digits) <= 3 and digits.isdigit()):
        return None
    if not all(len(g) == 3 and g.isdigit() for g in groups):
        return None
    return "".join([head, *groups])


def parse_number(text: str, locale: str) -> float:
    """A number typed by a person, read the way they meant it; ValueError when it is none.

    The locale's decimal mark is a decimal mark. The other mark (``.`` or ``,``) groups
    thousands when it stands before groups of exactly three digits (de ``12.000``, fi
    ``12.000``, en ``12,000``) and is a decimal mark otherwise (de ``1.5``, en ``1,5``), so a
    number typed in another convention is never silently read ten or a thousand times off.
    Spaces group thousands; a unit such as ``km`` at the end is allowed.
    """
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("not a number")
    cleaned = text.strip().lower().replace("\u2212", "-")
    for unit in _NUMBER_UNITS:
        if cleaned.endswith(unit) and cleaned[: -len(unit)].rstrip()[-1:].isdigit():
            cleaned = cleaned[: -len(unit)]
            break
    cleaned = cleaned.translate(_NUMBER_SPACES)
    decimal = numbers.get_decimal_symbol(locale)
    other = "," if decimal == "." else "."
    if decimal in cleaned and other in cleaned:
        # Both marks: the last one is the decimal mark, the other groups.
        last = decimal if cleaned.rfind(decimal) > cleaned.rfind(other) else other
        group = other if last == decimal else decimal
        whole, _, fraction = cleaned.rpartition(last)
        ungrouped = _ungroup(whole, group)
        if ungrouped is None or not fraction.isdigit():
            raise ValueError("not a number")
        cleaned = f"{ungrouped}.{fraction}"
    elif cleaned.count(other) > 1 or cleaned.count(decimal) > 1:
        mark = other if cleaned.count(other) > 1 else decimal
        ungrouped = _ungroup(cleaned, mark)
        if ungrouped is None:
            raise ValueError("not a number")
        cleaned = ungrouped
    elif other in cleaned:
        ungrouped = _ungroup(cleaned, other)
        cleaned = ungrouped if ungrouped is not None else cleaned.replace(other, ".")
    else:
        cleaned = cleaned.replace(decimal, ".")
    body = cleaned.lstrip("+-")
    if not body or not all(ch.isdigit() or ch == "." for ch in body) or body.count(".") > 1:
        raise ValueError("not a number")
    if body.startswith(".") or body.endswith("."):
        body = body.strip(".") or "x"
        if not body.replace(".", "").isdigit():
            raise ValueError("not a number")
    return float(cleaned)
