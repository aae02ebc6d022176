"""A resident's code found in what they paste: "Your code is K7QM-4TXA, keep it"."""

import pytest

from sparcs_engage.respondents import code_in_text, new_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("K7QM-4TXA", "K7QM-4TXA"),
        ("k7qm4txa", "K7QM-4TXA"),
        ("Your code is K7QM-4TXA. Keep it to look at or delete your result.", "K7QM-4TXA"),
        ("Dein Code: k7qm-4txa.", "K7QM-4TXA"),
        ("Koodisi on K7QM 4TXA", "K7QM-4TXA"),
        # an ordinary word made of code letters loses to the code written as one
        ("ACCEPTED: your code is K7QM-4TXA", "K7QM-4TXA"),
        ("x" * 1200 + " K7QM-4TXA", "K7QM-4TXA"),
    ],
)
def test_the_code_is_found_inside_pasted_text(text: str, code: str) -> None:
    assert code_in_text(text) == code


@pytest.mark.parametrize("text", [None, "", "hello", "=HYPERLINK(1)", "ABCD-EFGH", 12345678])
def test_no_code_is_none(text) -> None:
    assert code_in_text(text) is None


def test_every_new_code_is_found_again() -> None:
    for _ in range(50):
        code = new_code()
        assert code_in_text(f"Your code is {code}, keep it") == code
