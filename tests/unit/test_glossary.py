"""One word per concept in every language (content/<lang>/glossary.toml), and no line break
between a number and its unit: the catalogs, long texts and data texts follow both."""

import pytest

from sparcs_engage.glossary import (
    CONCEPTS,
    Glossary,
    Term,
    findings,
    load_glossary,
    spacing_findings,
    term_findings,
)
from sparcs_engage.i18n import LANGUAGES
from sparcs_engage.settings import REPO_ROOT

DATA = REPO_ROOT / "data"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_a_glossary_of_the_twelve_concepts(lang):
    glossary = load_glossary(lang)
    terms = {term.concept: term for term in glossary.terms}
    assert set(CONCEPTS) <= set(terms)
    for concept in CONCEPTS:
        assert terms[concept].use and terms[concept].avoid, concept


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_uses_a_word_its_glossary_rules_out(lang):
    found = [str(f) for f in findings(lang, DATA) if not f.rule.startswith("breaking space")]
    assert found == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_number_is_parted_from_its_unit_at_a_line_break(lang):
    found = [str(f) for f in findings(lang, DATA) if f.rule.startswith("breaking space")]
    assert found == []


GERMAN = Glossary(
    "de",
    (
        Term("district", ("Stadtbezirk",), ("Stadtteil*", "Viertel"), ("Dunckerviertel",)),
        Term("residents", ("Einwohnerinnen und Einwohner",), ("Einwohner",)),
    ),
    ("Minuten",),
)


def rules(text: str) -> list[str]:
    return [f.rule.split(":")[0] for f in term_findings(GERMAN, "test", text)]


def test_an_avoided_word_is_found_whole_and_in_any_case():
    assert rules("Wählen Sie Ihren Stadtteil.") == ["district"]
    assert rules("STADTTEIL wählen") == ["district"]
    assert rules("Das Viertel lebt.") == ["district"]


def test_a_starred_word_finds_its_longer_forms_but_not_other_words():
    assert rules("Die Stadtteilkarte und alle Stadtteile") == ["district", "district"]
    assert rules("Ein Teil der Stadt") == []
    assert rules("Das Viertelfinale") == []  # "Viertel" has no star: a whole word only


def test_the_word_to_use_and_allowed_source_names_are_not_findings():
    assert rules("Alle Stadtbezirke im Vergleich, etwa das Dunckerviertel") == []
    assert rules("Einwohnerinnen und Einwohner der Stadt") == []
    assert rules("Je 1.000 Einwohner") == ["residents"]


def test_a_finding_names_the_place_and_the_word_to_use():
    (finding,) = term_findings(GERMAN, "content/de/home.md", "Ihren Stadtteil erkunden")
    assert finding.where == "content/de/home.md"
    assert "'Stadtteil'" in finding.rule and "Stadtbezirk" in finding.rule
    assert "Ihren Stadtteil erkunden" in finding.passage


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("{value} t", True),
        ("{value}\u00a0t", False),
        ("2,4 t CO₂e", True),
        ("2,4\u202ft CO₂e", False),
        ("80 %", True),
        ("80%", False),
        ("nach {minutes} Minuten", True),
        ("nach {minutes}\u00a0Minuten", False),
        ("1 000 asukasta", True),
        ("1\u00a0000 asukasta", False),
        ("im Jahr 2050 treffen", False),
        ("2 tolle Ideen", False),
        ("Teil 1 von 3", False),
    ],
)
def test_a_breaking_space_between_number_and_unit_is_found(text, found):
    assert bool(list(spacing_findings(GERMAN, "test", text))) is found
