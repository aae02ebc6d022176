"""Respondent codes: easy to read aloud, stored only as a hash, and enough to delete."""

import re

import pytest
from sqlmodel import Session, select

from sparcs_engage.models import FootprintRecord, Pledge, Respondent
from sparcs_engage.respondents import (
    create_respondent,
    delete_respondent,
    find_respondent,
    new_code,
    normalize_code,
)


def test_codes_have_no_look_alike_characters():
    for _ in range(200):
        code = new_code()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        assert not set(code) & set("0O1IL5S8B2Z")


@pytest.mark.parametrize("typed", ["k7qm-4txa", " K7QM 4TXA ", "K7QM4TXA"])
def test_codes_are_forgiving_about_case_and_separators(typed):
    assert normalize_code(typed) == "K7QM4TXA"


@pytest.mark.parametrize(
    "typed", ["", "K7QM-4TX", "K7QM-4TX0", None, 12345678, "x" * 500, "<script>"]
)
def test_anything_else_is_not_a_code(typed):
    assert normalize_code(typed) is None


def test_only_the_hash_of_the_code_is_stored(engine):
    with Session(engine) as session:
        respondent, code = create_respondent(session=session, city="espoo")
        session.commit()
        assert normalize_code(code) not in respondent.code_hash
        assert find_respondent(session=session, code=code.lower()).id == respondent.id
        assert find_respondent(session=session, code=new_code()) is None


def test_deleting_by_code_removes_results_and_pledges(engine):
    with Session(engine) as session:
        respondent, code = create_respondent(session=session, city="leipzig")
        record = FootprintRecord(
            respondent_id=respondent.id,
            city="leipzig",
            country="DE",
            answers={},
            total_kg=1,
            housing_kg=1,
            mobility_kg=0,
            food_kg=0,
            goods_services_kg=0,
            factor_version="x",
            consent_version="x",
        )
        session.add(record)
        session.flush()
        session.add(Pledge(footprint_id=record.id, action_id="green_electricity", saving_kg=5))
        session.commit()
        assert delete_respondent(session=session, code=code)
        session.commit()
        assert session.exec(select(Respondent)).all() == []
        assert session.exec(select(FootprintRecord)).all() == []
        assert session.exec(select(Pledge)).all() == []
        assert not delete_respondent(session=session, code=code)


@pytest.mark.parametrize(
    "pasted",
    [
        "Your code is K7QM-4TXA. Write it down!",
        "Koodisi on K7QM-4TXA – kirjoita se muistiin.",
        "code: k7qm 4txa",
        "K7QM4TXA\n",
    ],
)
def test_a_code_is_found_inside_pasted_text(pasted):
    assert normalize_code(pasted) == "K7QM4TXA"


@pytest.mark.parametrize("pasted", ["K7QM-4TXA or AC3E-FG9J?", "no code here", "K7QM-4TX"])
def test_pasted_text_without_exactly_one_code_is_not_a_code(pasted):
    assert normalize_code(pasted) is None
