"""Languages: negotiation, per-visitor translators and babel formatting."""

import threading
from datetime import date

import pytest

from sparcs_engage.i18n import (
    LANGUAGE_INFO,
    LANGUAGE_NAMES,
    LANGUAGES,
    LOCALES,
    _discover,
    language_label,
    negotiate_language,
    normalize_language,
    read_content,
    translator,
)
from sparcs_engage.settings import REPO_ROOT

ESPOO = ("fi", "sv", "en")
LEIPZIG = ("de", "en")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("fi", "fi"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("EN-gb", "en"),
        ("sv-FI", "sv"),
        ("sv_SE", "sv"),
        ("pt-BR", None),
        ("", None),
        ("../../etc", None),
        (None, None),
        (42, None),
        ("x" * 100, None),
    ],
)
def test_language_tags_are_cut_to_a_supported_primary_language(tag, expected):
    assert normalize_language(tag) == expected


def test_query_parameter_wins_over_browser_and_city():
    assert negotiate_language(query="en", browser_locale="de-DE", city_default="fi") == "en"


def test_browser_locale_wins_over_city_default():
    assert negotiate_language(query=None, browser_locale="de-AT", city_default="fi") == "de"


def test_unknown_query_and_browser_fall_back_to_city_default():
    assert negotiate_language(query="xx", browser_locale="pt-BR", city_default="fi") == "fi"


def test_the_languages_are_the_content_folders_with_a_language_toml():
    folders = {p.parent.name for p in (REPO_ROOT / "content").glob("*/language.toml")}
    assert set(LANGUAGES) == folders == {"fi", "sv", "de", "en"}
    assert LOCALES == {"de": "de_DE", "en": "en_GB", "fi": "fi_FI", "sv": "sv_FI"}
    assert LANGUAGE_NAMES["sv"] == "Svenska"


def test_a_new_language_is_a_folder(tmp_path):
    import shutil

    shutil.copytree(REPO_ROOT / "content" / "en", tmp_path / "en")
    (tmp_path / "pt").mkdir()
    (tmp_path / "pt" / "language.toml").write_text(
        'name = "Português"\nlocale = "pt_PT"\nword = "Língua"\n'
        'participant_names = ["Sol", "Vento", "Onda", "Floresta", "Rio", "Ilha", "Estrela", '
        '"Lua", "Musgo", "Faísca"]\n',
        encoding="utf-8",
    )
    (tmp_path / "notes").mkdir()  # a folder without language.toml is no language
    found = _discover(tmp_path)
    assert list(found) == ["en", "pt"]
    assert (found["pt"].name, found["pt"].locale, found["pt"].word) == (
        "Português",
        "pt_PT",
        "Língua",
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('name = "X"\nword = "W"\n', "locale"),
        ('name = "X"\nlocale = "xx_YY"\nword = "W"\n', "locale"),
        ('name = "X"\nlocale = "pt_PT"\nword = "W"\nparticipant_names = ["A"]\n', "participant"),
    ],
)
def test_a_broken_language_toml_names_its_field(tmp_path, text, field):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "language.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=field):
        _discover(tmp_path)


@pytest.mark.parametrize(
    ("browser", "city", "expected"),
    [
        ("sv-FI", ESPOO, "sv"),  # a Swedish-speaking resident of Espoo gets Swedish
        ("sv-SE", ESPOO, "sv"),
        ("sv-FI", LEIPZIG, "de"),  # Leipzig has no Swedish: its own default
        ("fi-FI", LEIPZIG, "de"),
        ("en-US", LEIPZIG, "en"),
        ("de-AT", ESPOO, "fi"),  # Espoo has no German
        (None, ESPOO, "fi"),
    ],
)
def test_the_browser_language_is_taken_only_among_the_city_languages(browser, city, expected):
    assert negotiate_language(browser_locale=browser, languages=city) == expected


def test_a_url_language_the_city_does_not_speak_falls_back():
    assert negotiate_language(query="sv", browser_locale="sv-FI", languages=LEIPZIG) == "de"
    assert negotiate_language(query="en", browser_locale="sv-FI", languages=ESPOO) == "en"
    assert negotiate_language(query="xx", browser_locale=None, languages=ESPOO) == "fi"


def test_the_switcher_label_names_language_in_each_language_of_the_city():
    assert language_label(ESPOO) == "Kieli · Språk · Language"
    assert language_label(LEIPZIG) == "Sprache · Language"
    assert all(LANGUAGE_INFO[lang].word for lang in LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "DD.MM.YYYY"), ("de", "DD.MM.YYYY"), ("sv", "YYYY-MM-DD"), ("en", "DD/MM/YYYY")],
)
def test_date_fields_follow_the_locale_order(lang, expected):
    assert translator(lang).date_input_format == expected


def test_nothing_known_falls_back_to_the_configured_default():
    assert negotiate_language(query="xx", fallback="de") == "de"


def test_finnish_and_german_translators_translate_the_same_msgid_differently():
    assert translator("fi")("Sign in") == "Kirjaudu"
    assert translator("de")("Sign in") == "Anmelden"
    assert translator("en")("Sign in") == "Sign in"


def test_unknown_language_gets_english_not_an_error():
    assert translator("xx").lang == "en"


def test_plural_forms_follow_the_count():
    fi = translator("fi")
    one = fi.ngettext(
        "The data of {n} city could not be read, so it is not shown.",
        "The data of {n} cities could not be read, so they are not shown.",
        1,
    )
    many = fi.ngettext(
        "The data of {n} city could not be read, so it is not shown.",
        "The data of {n} cities could not be read, so they are not shown.",
        3,
    )
    assert one.startswith("Yhden kaupungin")
    assert many.startswith("3 kaupungin")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "1\xa0234,5"), ("sv", "1\xa0234,5"), ("de", "1.234,5"), ("en", "1,234.5")],
)
def test_numbers_use_the_locale_separators(lang, expected):
    assert translator(lang).number(1234.5, digits=1) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("fi", "25,6\xa0%"), ("de", "25,6\xa0%"), ("en", "25.6%")]
)
def test_percentages_keep_the_locale_style_with_decimals(lang, expected):
    assert translator(lang).percent(0.256, digits=1) == expected


def test_tonnes_are_metric_tonnes_not_us_tons():
    text = translator("fi").unit(3.2, "mass-tonne", digits=1)
    assert text.replace("\u202f", " ").replace("\xa0", " ") == "3,2 t"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "14.3.2025"), ("sv", "14 mars 2025"), ("de", "14.03.2025"), ("en", "14 Mar 2025")],
)
def test_dates_follow_the_locale(lang, expected):
    assert translator(lang).date(date(2025, 3, 14)) == expected


def test_translators_in_parallel_threads_do_not_leak_into_each_other():
    seen: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}

    def visitor(lang: str) -> None:
        for _ in range(200):
            seen[lang].add(translator(lang)("Sign out"))

    threads = [threading.Thread(target=visitor, args=(lang,)) for lang in LANGUAGES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {
        "fi": {"Kirjaudu ulos"},
        "sv": {"Logga ut"},
        "de": {"Abmelden"},
        "en": {"Sign out"},
    }


def test_long_texts_are_read_per_language():
    assert "SPARCS" in read_content("de", "home")
    assert read_content("fi", "home") != read_content("de", "home")


@pytest.mark.parametrize("name", ["../secret", "home/../../x", ""])
def test_content_names_cannot_be_paths(name):
    with pytest.raises(ValueError):
        read_content("fi", name)
