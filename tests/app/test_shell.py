"""The app shell under AppTest: every page in fi, de and en, language and city from the URL."""

import pytest

from sparcs_engage.i18n import translator
from sparcs_engage.navigation import PAGES

from .conftest import assert_no_english, open_page, visible_texts

PUBLIC_PAGES = [page for page in PAGES if page.roles is None]


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
@pytest.mark.parametrize("page", PUBLIC_PAGES, ids=lambda p: p.key)
def test_every_page_runs_in_every_language(page, lang):
    at = open_page(None if page.key == "home" else page.script, lang=lang)
    assert at.title, "every page has a title"
    if lang != "en":
        assert_no_english(at, lang)


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fi", "Vaikuta kaupunkisi energiatulevaisuuteen"),
        ("de", "Gestalten Sie die Energiezukunft Ihrer Stadt mit"),
        ("en", "Shape your city's energy future"),
    ],
)
def test_home_page_speaks_the_language_of_the_url(lang, title):
    assert open_page(lang=lang).title[0].value == title


def test_home_page_formats_the_population_for_the_language():
    assert open_page(lang="de", city="leipzig").metric[0].value == "628.718"
    assert open_page(lang="fi", city="leipzig").metric[0].value == "628\xa0718"
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
    assert at.header[0].value == "Espoo"
    assert not at.error


def test_browser_locale_chooses_the_language_when_the_url_does_not(tmp_path):
    at = open_page(lang=None, locale="de-AT")
    assert at.title[0].value == translator("de")("Shape your city's energy future")


def test_city_default_language_when_neither_url_nor_browser_say(tmp_path):
    at = open_page(lang=None, city="leipzig")
    assert at.title[0].value == translator("de")("Shape your city's energy future")


def test_language_stays_in_the_url_across_page_changes():
    at = open_page(lang="de")  # not Espoo's own language, so it must come from the URL
    at.switch_page("views/public/privacy.py").run()
    assert at.query_params["lang"] == "de"
    assert at.title[0].value == "Datenschutzhinweise"


def test_switching_language_redraws_the_page_and_keeps_it_on_the_next_page():
    at = open_page(lang="en")
    at.segmented_control(key="lang_choice").set_value("de").run()
    assert at.title[0].value == "Gestalten Sie die Energiezukunft Ihrer Stadt mit"
    at.switch_page("views/public/privacy.py").run()
    assert at.title[0].value == "Datenschutzhinweise"


def test_broken_city_file_gives_a_translated_notice(tmp_path, monkeypatch):
    import shutil

    from sparcs_engage.settings import REPO_ROOT

    shutil.copytree(REPO_ROOT / "data" / "cities", tmp_path / "cities")
    (tmp_path / "cities" / "espoo" / "city.toml").write_text("broken = [", encoding="utf-8")
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path))
    at = open_page(lang="fi")
    assert at.header[0].value == "Leipzig"
    assert any("Yhden kaupungin tietoja ei saatu luettua" in w.value for w in at.warning)


def test_no_city_data_at_all_still_shows_the_home_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARCS_DATA_DIR", str(tmp_path))
    at = open_page(lang="de")
    assert at.title and any("Städte" in w.value for w in at.warning)


def test_privacy_notice_is_the_long_text_of_the_language():
    texts = " ".join(visible_texts(open_page("views/public/privacy.py", lang="de")))
    assert "Datenschutzbeauftragte" in texts


@pytest.mark.parametrize(
    ("city", "lang", "controller", "terms"),
    [
        ("espoo", "fi", "Espoon kaupunki", ["rekisterinpitäjä", "oikeusperuste", "2 vuotta"]),
        ("leipzig", "de", "Stadt Leipzig", ["Verantwortlicher im Sinne", "Rechtsgrundlage"]),
        ("leipzig", "en", "the City of Leipzig", ["Legal basis", "2 years", "portability"]),
        ("espoo", "de", "Stadt Espoo", ["Tietosuojavaltuutetun toimisto", "widerrufen"]),
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
