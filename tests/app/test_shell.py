"""The app shell under AppTest: every page in each language of each city, language and city
from the URL (only among the city's languages), the document's language and tab title, and the
header's language-and-city control."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from sparcs_engage.i18n import translator
from sparcs_engage.navigation import PAGES

from .conftest import CITY_LANGUAGES, assert_no_english, open_page, visible_texts

PUBLIC_PAGES = [page for page in PAGES if page.roles is None]


def chrome(at: AppTest) -> dict:
    """What the page tells the browser: the document's language, the tab title and our texts
    for Streamlit's own (from the header's script)."""
    for element in at.get("html"):
        found = re.search(r"Object\.assign\(chrome, (\{.*?\})\);", element.proto.body)
        if found:
            return json.loads(found.group(1))
    raise AssertionError("no document chrome on the page")


@pytest.mark.parametrize(("lang", "city"), CITY_LANGUAGES)
@pytest.mark.parametrize("page", PUBLIC_PAGES, ids=lambda p: p.key)
def test_every_page_runs_in_every_language_of_every_city(page, lang, city):
    at = open_page(None if page.key == "home" else page.script, lang=lang, city=city)
    assert at.title, "every page has a title"
    assert at.query_params["lang"] == lang and at.query_params["city"] == city
    t = translator(lang)
    told = chrome(at)
    assert told["lang"] == lang  # <html lang> for screen readers and hyphenation
    assert told["title"] == f"{t(page.title)} · SPARCS Engage"
    if lang != "en":
        assert_no_english(at, lang)
        assert told["skip"] != "Skip to the page content" and told["up"] != "Increase the value"


@pytest.mark.parametrize(
    ("lang", "city", "title"),
    [
        ("fi", "espoo", "Vaikuta kaupunkisi energiatulevaisuuteen"),
        ("sv", "espoo", "Påverka din stads energiframtid"),
        ("de", "leipzig", "Gestalten Sie die Energiezukunft Ihrer Stadt mit"),
        ("en", "espoo", "Shape your city's energy future"),
    ],
)
def test_home_page_speaks_the_language_of_the_url(lang, city, title):
    assert open_page(lang=lang, city=city).title[0].value == title


@pytest.mark.parametrize(
    ("locale", "city", "lang"),
    [("sv-FI", "espoo", "sv"), ("sv-SE", "espoo", "sv"), ("sv-FI", "leipzig", "de")],
)
def test_a_swedish_browser_gets_swedish_where_the_city_speaks_it(locale, city, lang):
    at = open_page(lang=None, locale=locale, city=city)
    assert at.query_params["lang"] == lang
    assert at.title[0].value == translator(lang)("Shape your city's energy future")


def test_a_language_the_city_does_not_speak_falls_back_to_the_city_language():
    at = open_page(lang="sv", city="leipzig")  # Leipzig: de, en
    assert at.query_params["lang"] == "de"
    assert at.title[0].value == "Gestalten Sie die Energiezukunft Ihrer Stadt mit"
    assert not at.error and not at.warning


def test_the_switcher_offers_each_city_its_own_languages_in_their_own_names():
    espoo = open_page(lang="sv", city="espoo").segmented_control(key="lang_choice")
    assert espoo.options == ["Suomi", "Svenska", "English"]
    assert espoo.label == "Kieli · Språk · Language"
    leipzig = open_page(lang="en", city="leipzig").segmented_control(key="lang_choice")
    assert leipzig.options == ["Deutsch", "English"]
    assert leipzig.label == "Sprache · Language"


def test_the_header_keeps_language_and_city_in_every_link():
    at = open_page(lang="sv", city="espoo")
    links = at.get("page_link")
    assert links and all("lang=sv" in link.proto.query_string for link in links), [
        link.proto.query_string for link in links
    ]
    assert all("city=espoo" in link.proto.query_string for link in links)
    # One control for language and city, closed: it says what is chosen.
    assert [p.proto.popover.label for p in at.get("popover")] == ["Meny", "Svenska · Esbo"]


def test_home_page_formats_the_population_for_the_language():
    assert open_page(lang="de", city="leipzig").metric[0].value == "628.718"
    assert open_page(lang="sv", city="espoo").metric[0].value == "314\xa0024"
    assert open_page(lang="en", city="leipzig").metric[0].value == "628,718"


def test_home_page_shows_the_city_target_with_its_source():
    at = open_page(lang="de", city="leipzig")
    assert any("2040" in info.value for info in at.info)
    assert any("Energie- und Klimaschutzprogramm" in c.value for c in at.caption)


def test_unknown_language_falls_back_quietly_to_the_city_language():
    at = open_page(lang="xx")  # Espoo is the default city; its language is Finnish
    assert at.title[0].value == "Vaikuta kaupunkisi energiatulevaisuuteen"
    assert not at.error and not at.warning


def test_forged_city_parameter_falls_back_to_the_default_city():
    at = open_page(lang="en", city="../../etc")
    assert "Espoo" in [h.value for h in at.header]
    assert not at.error


def test_browser_locale_chooses_the_language_when_the_url_does_not(tmp_path):
    at = open_page(lang=None, locale="de-AT", city="leipzig")
    assert at.title[0].value == translator("de")("Shape your city's energy future")
    at = open_page(lang=None, locale="en-US", city="leipzig")
    assert at.title[0].value == "Shape your city's energy future"


def test_city_default_language_when_neither_url_nor_browser_say(tmp_path):
    at = open_page(lang=None, city="leipzig")
    assert at.title[0].value == translator("de")("Shape your city's energy future")


def test_language_stays_in_the_url_across_page_changes():
    at = open_page(lang="sv")  # not Espoo's own language, so it must come from the URL
    at.switch_page("views/public/privacy.py").run()
    assert at.query_params["lang"] == "sv"
    assert at.title[0].value == "Dataskyddsbeskrivning"


def test_switching_language_redraws_the_page_and_keeps_it_on_the_next_page():
    at = open_page(lang="en")
    at.segmented_control(key="lang_choice").set_value("sv").run()
    assert at.title[0].value == "Påverka din stads energiframtid"
    assert chrome(at)["lang"] == "sv"
    at.switch_page("views/public/privacy.py").run()
    assert at.title[0].value == "Dataskyddsbeskrivning"
    assert chrome(at)["title"] == "Dataskydd · SPARCS Engage"


def test_switching_to_a_city_without_the_language_takes_the_city_language():
    at = open_page(lang="sv", city="espoo")
    at.segmented_control(key="city_choice").set_value("leipzig").run()
    assert at.query_params["city"] == "leipzig" and at.query_params["lang"] == "de"
    assert "Leipzig" in [h.value for h in at.header]
    assert at.segmented_control(key="lang_choice").options == ["Deutsch", "English"]


def test_broken_city_file_gives_a_translated_notice(tmp_path, monkeypatch):
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    shutil.copytree(REPO_ROOT / "data" / "cities", tmp_path / "cities")
    (tmp_path / "cities" / "espoo" / "city.toml").write_text("broken = [", encoding="utf-8")
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path))
    at = open_page(lang="fi")  # Leipzig, the one city left, has no Finnish: its German
    assert "Leipzig" in [h.value for h in at.header]
    assert any("Die Daten einer Stadt konnten nicht gelesen" in w.value for w in at.warning)


def test_no_city_data_at_all_still_shows_the_home_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path))
    at = open_page(lang="de")
    assert at.title and any("Städte" in w.value for w in at.warning)


def test_privacy_notice_is_the_long_text_of_the_language():
    texts = " ".join(visible_texts(open_page("views/public/privacy.py", lang="de", city="leipzig")))
    assert "Datenschutzbeauftragte" in texts


@pytest.mark.parametrize(
    ("city", "lang", "controller", "terms"),
    [
        ("espoo", "fi", "Espoon kaupunki", ["rekisterinpitäjä", "oikeusperuste", "2 vuotta"]),
        ("leipzig", "de", "Stadt Leipzig", ["Verantwortlicher im Sinne", "Rechtsgrundlage"]),
        ("leipzig", "en", "the City of Leipzig", ["Legal basis", "2 years", "portability"]),
        ("espoo", "sv", "Esbo stad", ["personuppgiftsansvarig", "Rättslig grund", "2 år"]),
    ],
)
def test_the_privacy_notice_names_the_citys_own_controller_basis_and_rights(
    city, lang, controller, terms
):
    """Each city's notice names its own controller, contacts, authority and retention (GDPR
    Art. 13); a resident is told the answers are pseudonymous, never "anonymous"."""
    at = open_page("views/public/privacy.py", lang=lang, city=city)
    text = " ".join(m.value for m in at.markdown)
    data = open_page(lang=lang, city=city).session_state["_visitor"].city.privacy
    assert controller in text and data.dpo_email in text and data.email in text
    for term in terms:
        assert term in text, term
    assert "{" not in text  # every placeholder filled
    assert "anonymous" not in text.replace("not anonymous", "").replace("not\nanonymous", "")
    assert "PRIVACY_NOTICE_VERSION" not in text and "2026-11-30" in text


@pytest.mark.parametrize(
    ("city", "lang", "must"),
    [
        ("espoo", "fi", ["osittain", "Tunnetut puutteet", "aluehallintovirasto", "306/2019"]),
        ("leipzig", "de", ["teilweise vereinbar", "Bekannte Mängel", "Durchsetzungsstelle"]),
        ("espoo", "en", ["partially compliant", "Known gaps", "Southern Finland"]),
    ],
)
def test_the_accessibility_statement_has_the_parts_of_the_eu_model(city, lang, must):
    """Compliance status, known gaps, how it was checked and when, feedback, enforcement."""
    at = open_page("views/public/accessibility.py", lang=lang, city=city)
    text = " ".join(m.value for m in at.markdown)
    feedback = at.session_state["_visitor"].city.accessibility.feedback_email
    assert feedback in text and "axe-core" in text and "{" not in text
    assert translator(lang).date(__import__("datetime").date(2026, 11, 30), "long") in text
    for term in must:
        assert term in text, term


def test_every_page_ends_with_the_privacy_and_accessibility_links():
    for spec in PAGES:
        at = open_page(spec.script, lang="en", city="leipzig")
        labels = [link.proto.label for link in at.get("page_link")]
        # "Accessibility" is in no menu: only the footer links to the statement.
        assert "Accessibility" in labels and "Privacy" in labels, spec.key


def test_the_home_page_leads_to_the_activities_right_under_its_title():
    at = open_page(lang="sv", city="espoo")
    t = translator("sv")
    assert at.header[0].value == t("What you can do here")
    labels = [link.label for link in at.get("page_link")]
    assert t("Carbon footprint") in labels and t("City Vision 2050") in labels
