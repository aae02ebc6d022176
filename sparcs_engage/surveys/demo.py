"""Demo data for the survey: plausible submitted responses, marked as demo, written in bulk."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from shapely.geometry import Point
from sqlmodel import Session, select

from sparcs_engage.cities import load_cities
from sparcs_engage.i18n import SOURCE_LANGUAGE
from sparcs_engage.models import (
    Respondent,
    SurveyAnswer,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    utcnow,
)
from sparcs_engage.privacy import PRIVACY_NOTICE_VERSION
from sparcs_engage.respondents import hash_code, new_code
from sparcs_engage.settings import load_settings
from sparcs_engage.surveys.definition import REVIEW, Question, Survey
from sparcs_engage.surveys.storage import answer_rows, summary_values
from sparcs_engage.surveys.structure import _city_districts, load_survey
from sparcs_engage.surveys.texts import SurveyTexts, survey_texts
from sparcs_engage.surveys.totals import add_responses

# Leanings of the demo residents: relative weights per option id (likert and matrix: the centre
# of the scale). Options not named weigh 1; questions not named are answered evenly.
DEMO_LEANINGS: dict[str, dict[str, float]] = {
    "housing": {"own_house": 3, "own_flat": 3, "rent": 3.5, "other_housing": 0.5},
    "energy_awareness": {"centre": 3.1},
    "sparcs_awareness": {"centre": 2.2},
    "info_channels": {"local_news": 4, "city_website": 3, "social_media": 3, "neighbours": 2},
    "vision_words": {"green": 5, "affordable": 4, "lively": 3, "safe": 3, "walkable": 3},
    "measures_wanted": {"solar": 5, "heat_pumps": 3, "district_heat": 3, "smart_heating": 3},
    "acceptance": {
        "solar": 4.2,
        "heat_pumps": 3.8,
        "district_heat": 3.9,
        "ev_charging": 3.3,
        "smart_heating": 3.9,
    },
    "solar_where": {"public_buildings": 4, "shared_plant": 3, "own_roof": 2},
    "take_part": {"yes": 2, "maybe": 4.5, "no": 3.5},
    "home_obstacles": {"cost": 5, "where_to_start": 2, "shared_decision": 2},
    "age_band": {"under_18": 0.3, "18_29": 1.7, "30_44": 3, "45_64": 3, "65_74": 1.3},
    "gender": {"woman": 5.2, "man": 4.1, "other_gender": 0.2, "prefer_not_to_say": 0.5},
    "years_in_city": {"under_2": 1, "2_5": 1.5, "6_10": 1.5, "11_20": 2, "over_20": 3.7},
}
# Where a city's residents differ (Leipzig: mostly tenants and housing co-operatives).
DEMO_CITY_LEANINGS: dict[str, dict[str, dict[str, float]]] = {
    "leipzig": {"housing": {"own_house": 0.8, "own_flat": 0.7, "rent": 6, "other_housing": 2.5}},
}
# Share of residents who answer an optional question (open texts: who write anything).
DEMO_ANSWER_RATE = {"text": 0.18, "place": 0.7, "other": 0.9}


class _DemoResident:
    """Draws plausible answers, question by question, following the survey's conditions."""

    def __init__(self, survey: Survey, rng: random.Random) -> None:
        self.survey = survey
        self.rng = rng
        city = survey.city or ""
        leanings = {**DEMO_LEANINGS, **DEMO_CITY_LEANINGS.get(city, {})}
        # A seeded taste per city: some themes and districts matter more than others.
        themes = survey.themes.ids if survey.themes else ()
        theme_weights = {t: rng.uniform(0.5, 3.0) for t in themes}
        district_weights = {d: rng.uniform(0.3, 3.0) for d in survey.districts}
        self.districts = (list(district_weights), list(district_weights.values()))
        # Per question: the options that can be drawn and their weights, worked out once.
        self.options: dict[str, tuple[list[str], list[float]]] = {}
        self.centres: dict[str, Mapping[str, float]] = {}
        for q in survey.questions:
            leaning = leanings.get(q.id, {})
            self.centres[q.id] = leaning
            if q.options_from == "themes":
                weights = theme_weights
            elif q.options_from == "districts":
                weights = district_weights
            else:
                weights = {o: leaning.get(o, 1.0) for o in q.options if o not in q.exclusive}
            self.options[q.id] = (list(weights), list(weights.values()))
        self.points = self._points_inside(city)

    def _points_inside(self, city: str) -> dict[str, list[tuple[float, float]]]:
        """Some random points inside each district, drawn once (testing each is slow)."""
        points: dict[str, list[tuple[float, float]]] = {}
        for district in _city_districts(city) if city else ():
            min_x, min_y, max_x, max_y = district.geometry.bounds
            found: list[tuple[float, float]] = []
            for _ in range(400):
                lon, lat = self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y)
                if district.geometry.covers(Point(lon, lat)):
                    found.append((round(lat, 5), round(lon, 5)))
                    if len(found) >= 40:
                        break
            points[district.id] = found
        return points

    def pick(self, options: tuple[list[str], list[float]], k: int = 1) -> list[str]:
        """k different options, likelier the heavier they weigh (Efraimidis and Spirakis)."""
        names, weights = options
        if k == 1:
            return self.rng.choices(names, weights)
        random_ = self.rng.random
        keys = [random_() ** (1.0 / w) for w in weights]
        best = sorted(range(len(names)), key=keys.__getitem__, reverse=True)[:k]
        return [names[i] for i in best]

    def scale(self, q: Question, centre: float) -> int:
        low, high = q.scale_range or (1, 5)
        return min(high, max(low, round(self.rng.gauss(centre, 1.0))))

    def answers(self, texts: SurveyTexts) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for q in self.survey.questions:
            if q.show_if and not q.visible(answers):
                continue
            rate = DEMO_ANSWER_RATE.get(q.type, DEMO_ANSWER_RATE["other"])
            if not q.required and self.rng.random() > rate:
                continue
            answer = self.answer(q, texts)
            if answer is not None:
                answers[q.id] = answer
        return answers

    def answer(self, q: Question, texts: SurveyTexts) -> Any:
        rng = self.rng
        if q.type == "single":
            return self.pick(self.options[q.id])[0]
        if q.type == "multiple":
            if q.exclusive and rng.random() < 0.06:
                return [q.exclusive[0]]
            names = self.options[q.id][0]
            k = rng.randint(q.min or 1, min(q.max or 1, 3, len(names)))
            chosen = set(self.pick(self.options[q.id], k))
            return [o for o in q.options if o in chosen]
        if q.type == "likert":
            return self.scale(q, self.centres[q.id].get("centre", 3.0))
        if q.type == "matrix":
            centres = self.centres[q.id]
            return {item: self.scale(q, centres.get(item, 3.5)) for item in q.items}
        if q.type == "ranking":
            return self.pick(self.options[q.id], q.max or 1)
        if q.type == "budget":
            return self.budget(q)
        if q.type == "place":
            district = self.pick(self.districts)[0]
            if rng.random() < 0.6 and self.points.get(district):
                lat, lon = rng.choice(self.points[district])
                return {"lat": lat, "lon": lon, "district": district}
            return {"lat": None, "lon": None, "district": district}
        if q.type == "text":
            examples = texts.demo_answers.get(q.id)
            return rng.choice(examples) if examples else None
        return None

    def budget(self, q: Question) -> dict[str, int]:
        total = q.total or 100
        names, weights = self.options[q.id]
        draws = [self.rng.gammavariate(w, 1.0) for w in weights]
        scale = sum(draws) or 1.0
        points = dict(zip(names, (round(v / scale * total / 5) * 5 for v in draws), strict=True))
        # Rounding to fives rarely sums to the total: the largest share takes up the difference.
        largest = max(points, key=points.__getitem__)
        points[largest] += total - sum(points.values())
        if points[largest] < 0:
            points = dict.fromkeys(names, 0)
            points[largest] = total
        return {o: points.get(o, 0) for o in q.options}


def _fresh_code_hashes(session: Session, n: int) -> list[str]:
    """n hashes of fresh respondent codes, checked unique in bulk.

    create_respondent spends a query and an insert on every respondent, too slow for the tens
    of thousands of demo respondents; the codes and hashes are made the same way.
    """
    hashes: set[str] = set()
    while len(hashes) < n:
        batch = {hash_code(new_code()) for _ in range(n - len(hashes))} - hashes
        for chunk in _chunks(sorted(batch), 5000):
            taken = session.execute(
                sa.select(Respondent.code_hash).where(Respondent.code_hash.in_(chunk))
            ).scalars()
            batch -= set(taken)
        hashes |= batch
    return sorted(hashes)


def _chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def demo_responses(
    *, session: Session, city: str, n: int, seed: int, batch_size: int = 5000
) -> int:
    """Create n plausible submitted responses marked as demo data, in bulk; return how many."""
    survey = load_survey(city)
    registry = load_cities(load_settings().data_dir)
    languages = registry[city].languages if city in registry else (SOURCE_LANGUAGE,)
    default_lang = languages[0]
    texts = {lang: survey_texts(lang) for lang in languages}
    rng = random.Random(seed)
    resident = _DemoResident(survey, rng)
    questions = {q.id: q for q in survey.questions}
    now = utcnow()
    made = 0
    while made < n:
        count = min(batch_size, n - made)
        respondents, responses, answers, summaries, budgets = [], [], [], [], []
        for code_hash in _fresh_code_hashes(session, count):
            lang = default_lang if rng.random() < 0.8 else rng.choice(languages)
            submitted = now - timedelta(seconds=rng.uniform(3600, 90 * 86400))
            started = submitted - timedelta(seconds=rng.uniform(180, 1500))
            respondent_id, response_id = uuid.uuid4(), uuid.uuid4()
            respondents.append(
                {
                    "id": respondent_id,
                    "code_hash": code_hash,
                    "city": city,
                    "created_at": started,
                    "is_demo": True,
                }
            )
            responses.append(
                {
                    "id": response_id,
                    "respondent_id": respondent_id,
                    "city": city,
                    "survey_id": survey.id,
                    "survey_version": survey.version,
                    "consent_version": PRIVACY_NOTICE_VERSION,
                    "lang": lang,
                    "status": "submitted",
                    "current_section": REVIEW,
                    "started_at": started,
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "is_demo": True,
                }
            )
            given = resident.answers(texts[lang])
            values, budget = summary_values(given)
            summaries.append(
                {
                    "response_id": response_id,
                    "city": city,
                    "submitted_at": submitted,
                    "is_demo": True,
                    **values,
                }
            )
            budgets.append(budget)
            for question_id, answer in given.items():
                for row in answer_rows(questions[question_id], answer):
                    if row["moderation"]:
                        row["moderation"] = rng.choices(
                            ["approved", "pending", "rejected"], [0.7, 0.2, 0.1]
                        )[0]
                    row["response_id"] = response_id
                    answers.append(row)
        session.execute(sa.insert(Respondent.__table__), respondents)
        session.execute(sa.insert(SurveyResponse.__table__), responses)
        for chunk in _chunks(answers, 50_000):
            session.execute(sa.insert(SurveyAnswer.__table__), list(chunk))
        session.execute(sa.insert(SurveySummary.__table__), summaries)
        ids = dict(
            session.execute(
                sa.select(SurveySummary.response_id, SurveySummary.id).where(
                    SurveySummary.response_id.in_([row["response_id"] for row in summaries])
                )
            ).all()
        )
        budget_rows = [
            {"summary_id": ids[row["response_id"]], "theme": theme, "points": points}
            for row, budget in zip(summaries, budgets, strict=True)
            for theme, points in budget.items()
        ]
        if budget_rows:
            session.execute(sa.insert(SurveySummaryBudget.__table__), budget_rows)
        add_responses(session, SurveyResponse.id.in_([row["id"] for row in responses]))
        made += count
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # After a bulk load the planner's statistics are stale until autovacuum catches up, and
        # the results queries then pick nested loops that take minutes instead of a second.
        for table in ("respondent", "survey_response", "survey_answer", "survey_summary"):
            session.execute(sa.text(f"ANALYZE {table}"))
    return made


def demo_survey(session: Session, options: Any) -> str:
    """Plausible submitted City Vision 2050 responses per city (--respondents N in all)."""
    existing = session.exec(
        select(SurveyResponse.id).where(SurveyResponse.is_demo).limit(1)
    ).first()
    if existing is not None:
        return "demo survey responses: already there"
    per_city = options.respondents // 2
    made = 0
    for offset, city_id in enumerate(("espoo", "leipzig")):
        count = per_city + (options.respondents % 2 if offset == 0 else 0)
        made += demo_responses(session=session, city=city_id, n=count, seed=options.seed + offset)
    return f"demo survey responses: {made}"
