"""Saving footprint results: only with consent, computed again on the server, deletable, and
under the resident's one code across the survey and the footprint."""

import pytest
from sqlmodel import Session, select

from sparcs_engage.footprint import actions, average_profile, calculate
from sparcs_engage.footprint.records import (
    ConsentMissing,
    load_footprint,
    save_footprint,
    save_footprint_result,
)
from sparcs_engage.models import FootprintRecord, Pledge, Respondent
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import create_respondent, delete_respondent


def test_nothing_is_stored_without_consent(engine):
    with Session(engine) as session:
        for consent in (False, None, "yes"):
            with pytest.raises(ConsentMissing):
                save_footprint(
                    session=session,
                    city="leipzig",
                    answers=average_profile("DE"),
                    pledged=[],
                    consent=consent,
                )
        assert session.exec(select(FootprintRecord)).all() == []


def test_a_saved_result_holds_ids_numbers_consent_version_and_no_free_text(engine):
    answers = average_profile("DE")
    best = [action.id for action in actions(answers)[:2]]
    with Session(engine) as session:
        code = save_footprint(
            session=session,
            city="leipzig",
            answers=answers,
            pledged=[*best, "fly_to_mars", best[0]],
            consent=True,
        )
        session.commit()
        record = session.exec(select(FootprintRecord)).one()
        assert record.consent_version == PRIVACY_NOTICE_VERSION
        assert record.total_kg == pytest.approx(calculate(answers).total_kg)
        assert all(
            not isinstance(v, str) or v.replace("_", "").isalnum() or v in ("FI", "DE")
            for v in record.answers.values()
        )
        pledges = session.exec(select(Pledge)).all()
        assert sorted(p.action_id for p in pledges) == sorted(best)  # unknown and repeats dropped
        saved = load_footprint(session=session, code=code)
        assert set(saved.pledges) == set(best)
        assert saved.pledges[best[0]] == pytest.approx(actions(answers)[0].saving_kg)


def test_the_code_deletes_the_result_and_its_pledges(engine):
    with Session(engine) as session:
        code = save_footprint(
            session=session,
            city="espoo",
            answers=average_profile("FI"),
            pledged=["green_electricity"],
            consent=True,
        )
        session.commit()
        assert delete_respondent(session=session, code=code)
        session.commit()
        assert load_footprint(session=session, code=code) is None
        assert session.exec(select(Pledge)).all() == []


def test_the_fixed_part_is_stored_in_its_own_column(engine):
    answers = average_profile("FI")
    with Session(engine) as session:
        code = save_footprint(
            session=session, city="espoo", answers=answers, pledged=[], consent=True
        )
        session.commit()
        record = session.exec(select(FootprintRecord)).one()
        result = calculate(answers)
        assert record.public_services_kg == pytest.approx(2000)
        assert record.total_kg - record.public_services_kg == pytest.approx(result.lifestyle_kg)
        saved = load_footprint(session=session, code=code)
        assert saved.lifestyle_kg == pytest.approx(result.lifestyle_kg)
        assert saved.by_category["public_services"] == pytest.approx(2000)


def test_a_result_saved_with_the_survey_code_joins_that_respondent(engine):
    with Session(engine) as session:
        respondent, code = create_respondent(session=session, city="espoo")
        session.commit()
        saved = save_footprint_result(
            session=session,
            city="espoo",
            answers=average_profile("FI"),
            pledged=[],
            consent=True,
            code=code.lower().replace("-", " "),
        )
        session.commit()
        assert saved.existing and saved.code == code
        assert len(session.exec(select(Respondent)).all()) == 1
        record = session.exec(select(FootprintRecord)).one()
        assert record.respondent_id == respondent.id


def test_saving_again_under_the_code_replaces_the_earlier_result(engine):
    with Session(engine) as session:
        code = save_footprint(
            session=session,
            city="espoo",
            answers=average_profile("FI"),
            pledged=["green_electricity"],
            consent=True,
        )
        session.commit()
        greener = average_profile("FI").model_copy(update={"green_electricity": True})
        again = save_footprint(
            session=session, city="espoo", answers=greener, pledged=[], consent=True, code=code
        )
        session.commit()
        assert again == code
        records = session.exec(select(FootprintRecord)).all()
        assert len(records) == 1 and records[0].answers["green_electricity"] is True
        assert session.exec(select(Pledge)).all() == []
        assert load_footprint(session=session, code=code).total_kg == pytest.approx(
            calculate(greener).total_kg
        )


@pytest.mark.parametrize("code", ["ACDE-FGH3", "not a code", None])
def test_an_unknown_code_or_another_citys_code_gets_a_new_code(engine, code):
    with Session(engine) as session:
        _respondent, leipzig_code = create_respondent(session=session, city="leipzig")
        session.commit()
        for given in (code, leipzig_code):
            saved = save_footprint_result(
                session=session,
                city="espoo",
                answers=average_profile("FI"),
                pledged=[],
                consent=True,
                code=given,
            )
            assert not saved.existing and saved.code != leipzig_code
        session.commit()
        assert len(session.exec(select(Respondent)).all()) == 3
