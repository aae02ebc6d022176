"""The social KPIs on small hand-made data, with the expected values worked out by hand."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from sparcs_engage import kpis
from sparcs_engage.kpis import KpiFilter, compute, dissimilarity
from sparcs_engage.kpis.values import _delta
from sparcs_engage.models import (
    FootprintRecord,
    Pledge,
    Respondent,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    Workshop,
    WorkshopParticipant,
)
from sparcs_engage.respondents import delete_respondent, hash_code, new_code
from tests.unit.test_surveys import ESPOO_ANSWERS, submitted_respondents

MAY = datetime(2026, 5, 12, 10, tzinfo=UTC)
JUNE = datetime(2026, 6, 3, 10, tzinfo=UTC)


def respondent(session: Session, city: str, at: datetime) -> tuple[uuid.UUID, str]:
    code = new_code()
    row = Respondent(code_hash=hash_code(code), city=city, created_at=at)
    session.add(row)
    session.flush()
    return row.id, code


def survey(
    session: Session,
    *,
    city: str = "espoo",
    at: datetime = MAY,
    submitted: bool = True,
    budget: dict[str, int] | None = None,
    **answers,
) -> str:
    """A respondent with a survey response (and its summary row when submitted)."""
    respondent_id, code = respondent(session, city, at)
    response = SurveyResponse(
        respondent_id=respondent_id,
        city=city,
        survey_id="city_vision_2050",
        survey_version="test",
        consent_version="test",
        lang="fi",
        status="submitted" if submitted else "draft",
        current_section="review",
        started_at=at - timedelta(minutes=10),
        submitted_at=at if submitted else None,
    )
    session.add(response)
    session.flush()
    if submitted:
        budget = budget if budget is not None else {"clean_heat": 100}
        summary = SurveySummary(
            response_id=response.id,
            city=city,
            submitted_at=at,
            budget_total=sum(budget.values()) or None,
            **answers,
        )
        session.add(summary)
        session.flush()
        for theme, points in budget.items():
            session.add(SurveySummaryBudget(summary_id=summary.id, theme=theme, points=points))
    session.flush()
    return code


def footprint(
    session: Session, total_kg: float, pledges=(), at: datetime = MAY, public_kg: float = 0
) -> str:
    respondent_id, code = respondent(session, "espoo", at)
    record = FootprintRecord(
        respondent_id=respondent_id,
        city="espoo",
        country="FI",
        answers={},
        total_kg=total_kg,
        housing_kg=total_kg,
        mobility_kg=0,
        food_kg=0,
        goods_services_kg=0,
        public_services_kg=public_kg,
        factor_version="test",
        consent_version="test",
        created_at=at,
    )
    session.add(record)
    session.flush()
    for saving in pledges:
        session.add(Pledge(footprint_id=record.id, action_id="test", saving_kg=saving))
    session.flush()
    return code


def workshop(session: Session, ratings, *, held_on=date(2026, 5, 20), district=None) -> None:
    w = Workshop(
        join_code=uuid.uuid4().hex[:6].upper(),
        title="Test",
        city="espoo",
        district=district,
        lang="fi",
        held_on=held_on,
        themes=["clean_heat"],
        facilitator="test",
        phase="closed",
    )
    session.add(w)
    session.flush()
    for i, rating in enumerate(ratings):
        session.add(
            WorkshopParticipant(
                workshop_id=w.id,
                token_hash=uuid.uuid4().hex,
                name=f"P{i}",
                lang="fi",
                rating=rating,
            )
        )
    session.flush()


def value(report, kpi_id):
    return report.get(kpi_id)


@pytest.fixture
def espoo_data(engine):
    """Six submitted Espoo responses, one draft, and a Leipzig response that must not count."""
    with Session(engine) as session:
        rows = [
            # energy, sparcs, solar, heat pumps, district, age, gender
            (5, 1, 5, 1, "suur-leppavaara", "30_44", "woman"),
            (4, 1, 5, 2, "suur-leppavaara", "30_44", "woman"),
            (3, 1, 5, 3, "suur-leppavaara", "30_44", "woman"),
            (2, 1, 5, 4, "suur-leppavaara", "30_44", "man"),
            (4, 5, 5, 5, "suur-leppavaara", "30_44", "prefer_not_to_say"),
            (1, 5, 1, None, "vanha-espoo", "30_44", "man"),
        ]
        for i, (energy, sparcs, solar, heat, district, age, gender) in enumerate(rows):
            survey(
                session,
                energy_awareness=energy,
                sparcs_awareness=sparcs,
                accept_solar=solar,
                accept_heat_pumps=heat,
                district=district,
                age_band=age,
                gender=gender,
                budget={"clean_heat": 100} if i == 0 else {"clean_heat": 60, "lively_centres": 40},
            )
        survey(session, submitted=False)
        survey(session, city="leipzig", energy_awareness=5, district="mitte")
        session.commit()
    return engine


def test_survey_kpis_by_hand(espoo_data):
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo"))
    # Energy awareness 5, 4, 3, 2, 4, 1: three of six agree (4 or 5).
    assert value(report, "energy_awareness").value == pytest.approx(3 / 6)
    assert value(report, "energy_awareness").n == 6
    assert value(report, "sparcs_awareness").value == pytest.approx(2 / 6)
    # Acceptance pools the answers: solar 5 of 6 agree, heat pumps 2 of 5 -> 7 of 11.
    acceptance = value(report, "acceptance")
    assert acceptance.value == pytest.approx(7 / 11)
    rows = {row.key: row for row in acceptance.breakdown}
    assert rows["solar"].value == pytest.approx(5 / 6)
    assert rows["heat_pumps"].value == pytest.approx(2 / 5)
    assert rows["district_heat"].n == 0
    # Completion: 6 sent of 7 started in Espoo.
    assert value(report, "completion_rate").value == pytest.approx(6 / 7)
    # Budget: (100 + 5 * 60) / 6 for clean heat, 5 * 40 / 6 for lively centres.
    priorities = value(report, "vision_priorities")
    assert priorities.top == "clean_heat"
    assert priorities.value == pytest.approx(400 / 6)
    assert {r.key: r.value for r in priorities.breakdown}["lively_centres"] == pytest.approx(
        200 / 6
    )


def test_people_reached_counts_each_person_once_and_no_other_city(espoo_data):
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo"))
    # 6 submitted + 1 draft respondents in Espoo, none from Leipzig: a draft that was never
    # sent is not a person reached (the completion rate counts it).
    assert value(report, "people_reached").value == 6
    assert value(report, "completion_rate").n == 7


def test_participation_per_thousand_by_district(espoo_data):
    population = kpis.district_population(kpis.city_or_error("espoo"))
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo"))
    rate = value(report, "participation_rate")
    rows = {row.key: row for row in rate.breakdown}
    # One respondent in Vanha-Espoo: a group of one is not shown, and not its size either.
    assert rows["vanha-espoo"].value is None and rows["vanha-espoo"].n is None
    assert rows["vanha-espoo"].suppressed
    # Suur-Leppävaara's 5 are hidden too: the total (6) minus them would give Vanha-Espoo.
    assert rows["suur-leppavaara"].suppressed and rows["suur-leppavaara"].n is None
    assert rows["suur-tapiola"].value == 0 and rows["suur-tapiola"].n == 0
    assert rate.value == pytest.approx(6 * 1000 / sum(population.values())) and rate.n == 6


def test_participation_rows_of_five_or_more_are_shown(engine):
    population = kpis.district_population(kpis.city_or_error("espoo"))
    with Session(engine) as session:
        for district, n in (("suur-leppavaara", 6), ("vanha-espoo", 5)):
            for _ in range(n):
                survey(session, district=district)
        session.commit()
        rows = {
            r.key: r
            for r in value(compute(session, KpiFilter("espoo")), "participation_rate").breakdown
        }
    assert rows["suur-leppavaara"].value == pytest.approx(6000 / population["suur-leppavaara"])
    assert rows["vanha-espoo"].n == 5


def test_secondary_suppression():
    rows = kpis.protect([kpis.Row("a", 1.0, 2), kpis.Row("b", 1.0, 9), kpis.Row("c", 1.0, 6)])
    assert [r.suppressed for r in rows] == [True, False, True]  # c, the smallest other, too
    rows = kpis.protect([kpis.Row("a", 1.0, 2), kpis.Row("b", 1.0, 3), kpis.Row("c", 1.0, 6)])
    assert [r.suppressed for r in rows] == [True, True, False]  # two hidden: enough
    rows = kpis.protect([kpis.Row("a", 0.0, 0), kpis.Row("b", 1.0, 7)])
    assert [r.suppressed for r in rows] == [False, False]


def test_inclusiveness_by_age_and_gender(engine):
    mix = kpis.population_mix(kpis.city_or_error("espoo"))
    with Session(engine) as session:
        for gender, n in (("woman", 7), ("man", 5), ("prefer_not_to_say", 2)):
            for _ in range(n):
                survey(session, age_band="30_44", gender=gender)
        session.commit()
        report = compute(session, KpiFilter("espoo"))
    # Everybody is 30-44: D = 1/2 (|1 - p(30-44)| + (1 - p(30-44))) = 1 - p(30-44).
    age = value(report, "inclusiveness_age")
    assert age.value == pytest.approx(1 - mix.shares["age_band"]["30_44"]) and age.n == 14
    # Genders: 7 women and 5 men ("prefer not to say" is left out).
    women = mix.shares["gender"]["woman"]
    expected = 0.5 * (abs(7 / 12 - women) + abs(5 / 12 - (1 - women)))
    gender = value(report, "inclusiveness_gender")
    assert gender.value == pytest.approx(expected) and gender.n == 12
    assert [(r.key, r.n) for r in gender.breakdown] == [("woman", 7), ("man", 5)]


def test_inclusiveness_is_not_shown_when_a_group_is_small(espoo_data):
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo"))
    # 3 women and 2 men: with two groups the index would give each group away.
    gender = value(report, "inclusiveness_gender")
    assert gender.value is None and gender.status == kpis.SMALL_GROUP
    assert all(r.suppressed and r.n is None for r in gender.breakdown)


def test_the_dissimilarity_index():
    assert dissimilarity({"a": 50, "b": 50}, {"a": 0.25, "b": 0.75}) == pytest.approx(0.25)
    assert dissimilarity({"a": 10}, {"a": 0.5, "b": 0.5}) == pytest.approx(0.5)
    assert dissimilarity({"a": 1, "b": 3}, {"a": 1, "b": 3}) == 0


def test_a_district_filter(espoo_data):
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo", district="suur-leppavaara"))
    assert value(report, "energy_awareness").value == pytest.approx(3 / 5)
    assert value(report, "people_reached").value == 5
    # Drafts and footprints have no district: these figures are not cut by district.
    assert value(report, "completion_rate").status == kpis.NOT_APPLICABLE
    assert value(report, "footprint_median").status == kpis.NOT_APPLICABLE


def test_fewer_than_five_people_are_never_shown(engine):
    with Session(engine) as session:
        for score in (5, 5, 5, 5):
            survey(session, energy_awareness=score, district="suur-tapiola", age_band="18_29")
        session.commit()
        report = compute(session, KpiFilter("espoo"))
    for kpi_id in ("energy_awareness", "people_reached", "inclusiveness_age", "vision_priorities"):
        got = value(report, kpi_id)
        assert got.value is None and got.status == kpis.SUPPRESSED and got.n is None, kpi_id
    assert all(v is None for _m, v in value(report, "people_reached").trend)


def test_footprint_kpis_by_hand(engine):
    with Session(engine) as session:
        footprint(session, 4000, pledges=[500], public_kg=2000)  # lifestyle 2,000 kg
        footprint(session, 2500, pledges=[250])
        footprint(session, 3000)
        footprint(session, 8000, pledges=[1000, 250])
        footprint(session, 10000)
        session.commit()
        report = compute(session, KpiFilter("espoo"))
    # the lifestyle footprints (without public services): 2.0, 2.5, 3.0, 8.0, 10.0 t
    assert value(report, "footprint_median").value == pytest.approx(3.0)
    # gaps to 2.5 t: 0, 0, 0.5, 5.5, 7.5 -> median 0.5 t
    assert value(report, "footprint_gap_2030").value == pytest.approx(0.5)
    # the Finnish path on 12 May 2026 is about 6.1 t (8.4 t in 2024 to 2.5 t in 2030): 2.0,
    # 2.5 and 3.0 t are within 1 t of it or under it, 8.0 and 10.0 t are not
    assert value(report, "footprint_near_path").value == pytest.approx(3 / 5)
    assert value(report, "pledge_share").value == pytest.approx(3 / 5)
    assert value(report, "pledged_savings").value == pytest.approx(2.0)
    assert value(report, "people_reached").value == 5


def test_workshop_kpis_by_hand(engine):
    with Session(engine) as session:
        workshop(session, [5, 5, 4, 4, 3, None])
        workshop(session, [1], held_on=date(2025, 1, 10))  # outside the period below
        session.commit()
        report = compute(session, KpiFilter("espoo", start=date(2026, 5, 1), end=date(2026, 5, 31)))
    assert value(report, "workshop_participants").value == 6
    satisfaction = value(report, "workshop_satisfaction")
    assert satisfaction.value == pytest.approx(21 / 5) and satisfaction.n == 5
    # Two gave 5, two gave 4, one gave 3: with small cells the distribution is not shown.
    assert all(row.value is None and row.n is None for row in satisfaction.breakdown)


def test_a_period_and_the_monthly_trend(engine):
    with Session(engine) as session:
        for score in (5, 5, 5, 1, 1):
            survey(session, energy_awareness=score, at=MAY)
        for score in (5, 1, 1, 1, 1, 1):
            survey(session, energy_awareness=score, at=JUNE)
        session.commit()
        whole = compute(session, KpiFilter("espoo"))
        june = compute(session, KpiFilter("espoo", start=date(2026, 6, 1), end=date(2026, 6, 30)))
    awareness = value(whole, "energy_awareness")
    assert awareness.value == pytest.approx(4 / 11)
    assert awareness.trend == (("2026-05", pytest.approx(3 / 5)), ("2026-06", pytest.approx(1 / 6)))
    assert awareness.delta == pytest.approx(1 / 6 - 3 / 5)
    assert value(june, "energy_awareness").value == pytest.approx(1 / 6)
    assert value(june, "people_reached").value == 6


def test_months_are_the_city_s_own(engine):
    # 31 May 22:30 UTC is 1 June 01:30 in Helsinki: a June answer.
    late = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    with Session(engine) as session:
        for _ in range(5):
            survey(session, energy_awareness=5, at=late)
        session.commit()
        june = compute(session, KpiFilter("espoo", start=date(2026, 6, 1), end=date(2026, 6, 30)))
        may = compute(session, KpiFilter("espoo", start=date(2026, 5, 1), end=date(2026, 5, 31)))
    assert value(june, "energy_awareness").trend == (("2026-06", 1.0),)
    assert value(may, "energy_awareness").status == kpis.NO_DATA


def test_the_change_is_between_the_last_two_complete_months(engine):
    with Session(engine) as session:
        for at, scores in ((MAY, (5, 5, 5, 5, 1)), (JUNE, (5, 1, 1, 1, 1))):
            for score in scores:
                survey(session, energy_awareness=score, at=at)
        session.commit()
        in_july = compute(session, KpiFilter("espoo"), now=datetime(2026, 7, 2, tzinfo=UTC))
        in_june = compute(session, KpiFilter("espoo"), now=datetime(2026, 6, 20, tzinfo=UTC))
        in_august = compute(session, KpiFilter("espoo"), now=datetime(2026, 8, 2, tzinfo=UTC))
    assert value(in_july, "energy_awareness").delta == pytest.approx(1 / 5 - 4 / 5)
    assert value(in_june, "energy_awareness").delta is None  # June is not over yet
    assert value(in_august, "energy_awareness").delta == pytest.approx(1 / 5 - 4 / 5)
    assert _delta((("2026-03", 0.5), ("2026-05", 0.7)), "2026-08") is None  # not adjacent


def test_acceptance_pools_only_the_shown_measures(engine):
    with Session(engine) as session:
        for i in range(6):
            # Solar: 6 answers, 3 agree. Heat pumps: 2 answers only (hidden), both agree.
            survey(session, accept_solar=5 if i < 3 else 1, accept_heat_pumps=5 if i < 2 else None)
        session.commit()
        acceptance = value(compute(session, KpiFilter("espoo")), "acceptance")
    rows = {r.key: r for r in acceptance.breakdown}
    assert rows["heat_pumps"].suppressed and rows["heat_pumps"].n is None
    assert acceptance.value == pytest.approx(3 / 6)  # the hidden measure is left out
    assert all(v is None or 0 <= v <= 1 for _m, v in acceptance.trend)


def test_channels_choose_the_kpis(espoo_data):
    with Session(espoo_data) as session:
        footprint(session, 4000)
        session.commit()
        report = compute(session, KpiFilter("espoo", channels=("footprint",)))
    ids = {v.id for v in report.values}
    assert "energy_awareness" not in ids and "footprint_median" in ids
    # Only the footprint user is counted: a group of one, shown neither as a figure nor a size.
    reached = value(report, "people_reached")
    assert reached.status == kpis.SUPPRESSED and reached.value is None and reached.n is None


def test_a_bad_filter_is_refused():
    with pytest.raises(kpis.KpiFilterError):
        KpiFilter("espoo", channels=("radio",))
    with pytest.raises(kpis.KpiFilterError):
        KpiFilter("espoo", start=date(2026, 2, 1), end=date(2026, 1, 1))


def test_an_unknown_city_or_district_is_refused(engine):
    with Session(engine) as session:
        with pytest.raises(kpis.KpiFilterError):
            compute(session, KpiFilter("atlantis"))
        with pytest.raises(kpis.KpiFilterError):
            compute(session, KpiFilter("espoo", district="mitte"))


def test_submitting_through_the_survey_keeps_the_summary_and_deleting_removes_it(engine):
    codes = submitted_respondents(engine, 5)
    with Session(engine) as session:
        report = compute(session, KpiFilter("espoo"))
        # ESPOO_ANSWERS: energy awareness 4 (agree), SPARCS 2, solar 5, ev charging 3.
        assert value(report, "energy_awareness").value == 1
        assert value(report, "sparcs_awareness").value == 0
        assert value(report, "acceptance").value == pytest.approx(4 / 5)
        budget = ESPOO_ANSWERS["priorities"]["theme_budget"]
        assert value(report, "vision_priorities").value == budget["clean_heat"]
        assert value(report, "participation_rate").breakdown
        assert delete_respondent(session=session, code=codes[0])
        session.commit()
        after = compute(session, KpiFilter("espoo"))
    assert value(after, "energy_awareness").status == kpis.SUPPRESSED
    assert value(after, "energy_awareness").n is None


def test_the_report_as_json(espoo_data):
    with Session(espoo_data) as session:
        report = compute(session, KpiFilter("espoo"))
    data = json.loads(json.dumps(kpis.report_dict(report, "fi")))
    ids = [k["id"] for k in data["kpis"]]
    assert ids == [k.id for k in kpis.REGISTRY]
    assert data["kpis"][0]["name"] == "Tavoitetut ihmiset"


def test_every_kpi_has_its_texts_in_every_language():
    assert kpis.missing_texts() == []
    assert len({k.id for k in kpis.REGISTRY}) == len(kpis.REGISTRY)
    for kpi in kpis.REGISTRY:
        assert kpi.unit in kpis.UNITS and kpi.framework in kpis.FRAMEWORKS
        assert set(kpi.channels) <= set(kpis.CHANNELS)


def test_last_quarter():
    assert kpis.last_quarter(date(2026, 11, 25)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert kpis.last_quarter(date(2026, 2, 1)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_the_migration_summarises_responses_submitted_before_it(database_url):
    """Answers stored under revision 0004 get their summary rows from migration 0005."""
    from sparcs_engage.db import make_engine, upgrade

    upgrade(database_url, "0004")
    engine = make_engine(database_url)
    response_id = uuid.uuid4()
    respondent_id = uuid.uuid4()
    at = datetime(2026, 5, 1, tzinfo=UTC)
    import sqlalchemy as sa

    answers = [
        ("energy_awareness", None, 4.0),
        ("acceptance", "solar", 5.0),
        ("acceptance", "ev_charging", 2.0),
        ("district", "suur-tapiola", None),
        ("theme_budget", "clean_heat", 70.0),
        ("theme_budget", "lively_centres", 30.0),
        ("vision_words", "green", None),
    ]
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO respondent (id, code_hash, city, created_at, is_demo) "
                "VALUES (:id, 'h', 'espoo', :at, false)"
            ),
            {
                "id": respondent_id.hex if engine.dialect.name == "sqlite" else respondent_id,
                "at": at,
            },
        )
        ids = response_id.hex if engine.dialect.name == "sqlite" else response_id
        connection.execute(
            sa.text(
                "INSERT INTO survey_response (id, respondent_id, city, survey_id, survey_version, "
                "consent_version, lang, status, current_section, started_at, updated_at, "
                "submitted_at, is_demo) VALUES (:id, :rid, 'espoo', 'city_vision_2050', 'v', 'v', "
                "'fi', 'submitted', 'review', :at, :at, :at, false)"
            ),
            {
                "id": ids,
                "rid": respondent_id.hex if engine.dialect.name == "sqlite" else respondent_id,
                "at": at,
            },
        )
        for question, item, number in answers:
            connection.execute(
                sa.text(
                    "INSERT INTO survey_answer (response_id, question_id, item, value) "
                    "VALUES (:id, :q, :item, :value)"
                ),
                {"id": ids, "q": question, "item": item, "value": number},
            )
    upgrade(database_url)
    with Session(engine) as session:
        summary = session.exec(sa.select(SurveySummary)).scalars().one()
        budget = session.exec(sa.select(SurveySummaryBudget)).scalars().all()
    engine.dispose()
    assert summary.response_id == response_id
    assert (summary.energy_awareness, summary.accept_solar, summary.accept_ev_charging) == (4, 5, 2)
    assert summary.accept_heat_pumps is None and summary.district == "suur-tapiola"
    assert summary.budget_total == 100
    assert sorted((b.theme, b.points) for b in budget) == [
        ("clean_heat", 70),
        ("lively_centres", 30),
    ]


def test_the_reduction_path_starts_at_the_average_resident_and_ends_at_the_target():
    from sparcs_engage.footprint import average_profile, calculate
    from sparcs_engage.kpis.facts import national_path_kg

    for country in ("FI", "DE"):
        start = calculate(average_profile(country)).lifestyle_kg
        assert national_path_kg(country, date(2024, 1, 1)) == pytest.approx(start)
        assert national_path_kg(country, date(2030, 1, 1)) == pytest.approx(2500)
        assert national_path_kg(country, date(2027, 1, 1)) < start
    assert national_path_kg("SE", date(2027, 1, 1)) == float("-inf")
