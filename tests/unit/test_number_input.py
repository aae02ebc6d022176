"""Numbers as residents type them: "1,5" flights and "12.000" km in a German or Finnish page are
read as meant, never silently as 15 or 12, and shown back the way the language writes them."""

import pytest

from sparcs_engage.i18n import parse_number, translator


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("de", "1,5", 1.5),
        ("de", "12.000", 12000),
        ("de", "1.5", 1.5),  # an English habit: one decimal, not fifteen
        ("de", "1.234.567", 1234567),
        ("de", "1.234,5", 1234.5),
        ("fi", "1,5", 1.5),
        ("fi", "12.000", 12000),
        ("fi", "12 000", 12000),
        ("fi", "12\u00a0000", 12000),  # the no-break space our own formatting writes
        ("fi", "0,15", 0.15),
        ("fi", "12 000 km", 12000),
        ("en", "1,500", 1500),
        ("en", "1.5", 1.5),
        ("en", "1,5", 1.5),
        ("en", "12,000.5", 12000.5),
        ("en", "-3", -3),
        ("de", "−3", -3),
    ],
)
def test_numbers_are_read_as_the_resident_meant_them(lang: str, text: str, value: float) -> None:
    assert translator(lang).parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1,2,3", "12,34,5", "1e5", "nan", "inf", "--1", "1.2.3.4x", "x" * 50]
)
def test_what_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, "de_DE")


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
@pytest.mark.parametrize("value", [0, 0.5, 1.4, 12000, 150000, 2589.3])
def test_a_shown_number_reads_back_as_the_same_number(lang: str, value: float) -> None:
    t = translator(lang)
    assert t.parse_number(t.typed_number(value)) == value


def test_numbers_are_shown_in_the_language_of_the_page() -> None:
    assert translator("fi").typed_number(12000.5) == "12\u00a0000,5"
    assert translator("de").typed_number(1.5) == "1,5"
    assert translator("en").typed_number(12000) == "12,000"
