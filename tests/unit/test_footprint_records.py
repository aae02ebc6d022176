"""Saving footprint results: only with consent, computed again on the server, deletable."""

import pytest
from sqlmodel import Session, select

from sparcs_engage.footprint import actions, average_profile, calculate, compare
from sparcs_engage.footprint.records import ConsentMissing, load_footprint, save_footprint
from sparcs_engage.models import FootprintRecord, Pledge
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import delete_respondent


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


def test_comparison_with_the_average_and_the_targets():
    result = calculate(average_profile("FI"))
    same = compare(result, result.total_kg)
    assert same.share_vs_average == 0
    assert same.gap_to_2030_kg == pytest.approx(result.total_kg - 2500)
    assert same.targets_met == ()
    half = compare(result, result.total_kg * 2)
    assert half.share_vs_average == pytest.approx(-0.5)
