"""Demo data for workshops: one finished workshop per city with cards, dots and ratings."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from sparcs_engage.models import Workshop, WorkshopCard, WorkshopParticipant, WorkshopVote, utcnow
from sparcs_engage.workshops.cards import add_card, city_themes, merge_cards
from sparcs_engage.workshops.participants import finish, join_workshop, rate_workshop
from sparcs_engage.workshops.phases import create_workshop, open_workshop, set_phase
from sparcs_engage.workshops.rules import WorkshopError
from sparcs_engage.workshops.votes import cast_vote

DEMO_FACILITATOR = "demo.facilitator"
# Per city: the title, district and language, then cards per theme (the first card of a theme
# gets a duplicate merged into it when one is listed under "duplicates").
DEMO_WORKSHOPS: dict[str, dict[str, Any]] = {
    "espoo": {
        "lang": "fi",
        "title": "Espoonlahti 2050 – yhteinen visiomme",
        "district": "suur-espoonlahti",
        "cards": {
            "clean_heat": (
                "Koko Espoo lämmitetään hukkalämmöllä ja lämpöpumpuilla – kivihiiltä ei "
                "polteta enää.",
                "Datakeskusten ja kauppojen hukkalämpö otetaan talteen kotien lämmitykseen.",
                "Taloyhtiöt saavat selkeää neuvontaa maalämpöön siirtymisestä.",
            ),
            "rail_and_cycling": (
                "Metrolla ja Raide-Jokerilla pääsee joka suuntaan ilman omaa autoa.",
                "Talvella auratut pyörätiet jokaiseen kouluun.",
                "Kaupunkipyöriä myös pientaloalueille eikä vain keskuksiin.",
            ),
            "lively_centres": (
                "Lippulaivassa on iltaisinkin elämää: kahviloita, kirjasto ja harrastuksia.",
                "Lähikauppa, terveysasema ja koulu kävelymatkan päässä kotoa.",
                "Tyhjät liiketilat nuorten ja yhdistysten käyttöön.",
            ),
            "nature_and_shore": (
                "Rantareitti kulkee yhtenäisenä koko Espoon rannikon läpi.",
                "Keskuspuisto säilyy yhtenäisenä metsänä, jonne ei rakenneta.",
                "Jokaisesta kodista pääsee viidessä minuutissa metsään.",
            ),
            "smart_buildings": (
                "Kerrostalojen katoilla on aurinkopaneelit, ja asukkaat näkevät kulutuksensa "
                "puhelimesta.",
                "Talot käyttävät vähemmän sähköä silloin, kun tuulee vähän.",
                "Vanhat kerrostalot korjataan energiatehokkaiksi ilman, että vuokrat karkaavat.",
            ),
            "circular_economy": (
                "Jokaisessa kaupunginosassa on lainaamo, josta saa työkaluja ja retkivarusteita.",
                "Korjauskahvila kirjastossa kerran viikossa.",
                "Rakennusjätteestä suurin osa käytetään uudelleen.",
            ),
        },
        "duplicates": {"clean_heat": "Lämpöpumput ja hukkalämpö kivihiilen tilalle!"},
        "comments": (
            "Hyvä työpaja, kiitos!",
            "Olisin kaivannut enemmän aikaa keskusteluun.",
            "Tableteilla oli helppo osallistua.",
        ),
    },
    "leipzig": {
        "lang": "de",
        "title": "Dunckerviertel 2050 – unsere gemeinsame Vision",
        "district": "alt-west",
        "cards": {
            "green_district_heat": (
                "Die Fernwärme kommt ganz ohne Braunkohle aus – aus Sonne, Abwärme und "
                "Großwärmepumpen.",
                "Abwärme aus Betrieben und Rechenzentren heizt unsere Wohnungen.",
                "Mehr Häuser im Viertel werden an die Fernwärme angeschlossen.",
            ),
            "solar_neighbourhoods": (
                "Auf jedem geeigneten Dach im Viertel liegt eine Solaranlage.",
                "Mieterstrom wird einfach: Strom vom eigenen Dach ist günstiger.",
                "Balkonkraftwerke für alle, auch in Mietwohnungen.",
            ),
            "mobility_transition": (
                "Die Straßenbahn fährt alle fünf Minuten, auch abends und am Wochenende.",
                "Sichere, breite Radwege zu jeder Schule.",
                "Carsharing an jeder Ecke, damit niemand ein eigenes Auto braucht.",
            ),
            "heritage_retrofit": (
                "Die alten Häuser werden gedämmt, ohne dass die schönen Fassaden verschwinden.",
                "Beratung aus einer Hand für Eigentümer denkmalgeschützter Häuser.",
                "Alte Kastenfenster werden aufgearbeitet statt ersetzt.",
            ),
            "green_and_cool": (
                "Mehr Bäume in den Straßen, damit es im Sommer schattig und kühl bleibt.",
                "Grüne Innenhöfe statt Asphalt.",
                "Trinkbrunnen und kühle Orte für heiße Tage.",
            ),
            "affordable_living": (
                "Die Sanierung darf die Miete nicht unbezahlbar machen.",
                "Energie bleibt für alle Haushalte bezahlbar.",
                "Genossenschaften und gemeinsames Wohnen werden gefördert.",
            ),
        },
        "duplicates": {"green_and_cool": "Mehr Straßenbäume!"},
        "comments": (
            "Tolle Veranstaltung, gerne wieder!",
            "Etwas mehr Zeit für die Diskussion wäre schön gewesen.",
            "Die Tablets waren einfach zu bedienen.",
        ),
    },
}
DEMO_PARTICIPANTS = 14


def demo_workshops(session: Session, options: Any) -> str:
    """One finished workshop per city with cards, dots and ratings, marked as demo data."""
    if session.exec(select(Workshop.id).where(Workshop.is_demo).limit(1)).first():
        return "demo workshops: already there"
    rng = random.Random(getattr(options, "seed", 2050))
    held_on = utcnow().date() - timedelta(days=7)
    made = []
    for city, demo in DEMO_WORKSHOPS.items():
        themes = [t for t in city_themes(city) if t in demo["cards"]]
        if not themes:
            continue
        info = create_workshop(
            session=session,
            facilitator=DEMO_FACILITATOR,
            title=demo["title"],
            city=city,
            held_on=held_on,
            lang=demo["lang"],
            district=demo["district"],
            themes=themes,
            dots_per_participant=5,
            max_dots_per_card=2,
            is_demo=True,
        )
        open_workshop(session=session, workshop_id=info.id, facilitator=DEMO_FACILITATOR)
        tokens = [
            join_workshop(session=session, code=info.join_code, lang=demo["lang"]).token
            for _ in range(DEMO_PARTICIPANTS)
        ]
        cards: list[int] = []
        firsts: dict[str, int] = {}
        for theme in themes:
            for text in demo["cards"][theme]:
                card = add_card(session=session, token=rng.choice(tokens), theme=theme, text=text)
                cards.append(card.id)
                firsts.setdefault(theme, card.id)
        duplicates = [
            (add_card(session=session, token=rng.choice(tokens), theme=theme, text=text).id, theme)
            for theme, text in demo["duplicates"].items()
            if theme in firsts
        ]
        set_phase(
            session=session, workshop_id=info.id, phase="voting", facilitator=DEMO_FACILITATOR
        )
        # Some ideas catch on (a seeded taste per workshop); duplicates get a few dots too.
        targets = cards + [card_id for card_id, _ in duplicates]
        weights = [rng.random() ** 2 + 0.05 for _ in targets]
        for token in tokens:
            for _ in range(rng.choice((3, 4, 5, 5, 5))):
                target = rng.choices(targets, weights=weights, k=1)[0]
                try:
                    cast_vote(session=session, token=token, card_id=target)
                except WorkshopError:
                    continue  # that card already has two of this resident's dots
        for duplicate, theme in duplicates:
            merge_cards(
                session=session,
                workshop_id=info.id,
                card_id=duplicate,
                into_card_id=firsts[theme],
                facilitator=DEMO_FACILITATOR,
            )
        set_phase(
            session=session, workshop_id=info.id, phase="results", facilitator=DEMO_FACILITATOR
        )
        for i, token in enumerate(tokens):
            if rng.random() < 0.8:
                comment = demo["comments"][i % len(demo["comments"])] if i % 4 == 0 else None
                rate_workshop(
                    session=session,
                    token=token,
                    rating=rng.choices((3, 4, 5), weights=(1, 3, 3))[0],
                    comment=comment,
                )
            finish(session=session, token=token)
        set_phase(
            session=session, workshop_id=info.id, phase="closed", facilitator=DEMO_FACILITATOR
        )
        _backdate(session, info.id, held_on)
        made.append(city)
    return f"demo workshops: {', '.join(made) if made else 'no city with demo cards'}"


def _backdate(session: Session, workshop_id: uuid.UUID, held_on: date) -> None:
    """Give a demo workshop the times of an evening on the day it was held."""
    start = datetime(held_on.year, held_on.month, held_on.day, 15, 0, tzinfo=UTC)
    workshop = session.get(Workshop, workshop_id, populate_existing=True)
    workshop.created_at = start - timedelta(days=10)
    workshop.opened_at = start
    workshop.closed_at = start + timedelta(hours=2)
    session.add(workshop)
    for table, columns in (
        (WorkshopParticipant, ("joined_at", "last_seen_at", "finished_at", "rated_at")),
        (WorkshopCard, ("created_at",)),
        (WorkshopVote, ("created_at",)),
    ):
        rows = session.exec(select(table).where(table.workshop_id == workshop_id)).all()
        for i, row in enumerate(rows):
            for column in columns:
                if getattr(row, column) is not None:
                    minutes = {"joined_at": 0, "created_at": 20, "last_seen_at": 110}.get(
                        column, 100
                    )
                    setattr(row, column, start + timedelta(minutes=minutes, seconds=7 * i))
            session.add(row)
    session.flush()
