"""The workshops' share of the City Vision 2050 results: the top cards per theme of a city's
closed workshops, on every database backend."""

from __future__ import annotations

from datetime import date

from sparcs_engage import workshops as ws
from sparcs_engage.db import session_scope

FAC = "fac.test"


def act(engine, use_case, /, **kwargs):
    with session_scope(engine) as session:
        return use_case(session=session, **kwargs)


def run_workshop(engine, city: str, cards: dict[str, int], *, close: bool = True, **settings):
    """A workshop whose cards (text -> dots) all sit on its first theme."""
    info = act(
        engine,
        ws.create_workshop,
        facilitator=FAC,
        title="Visio",
        city=city,
        held_on=date(2026, 4, 22),
        dots_per_participant=10,
        max_dots_per_card=10,
        **settings,
    )
    act(engine, ws.open_workshop, workshop_id=info.id, facilitator=FAC)
    token = act(engine, ws.join_workshop, code=info.join_code).token
    ids = {
        text: act(engine, ws.add_card, token=token, theme=info.themes[0], text=text).id
        for text in cards
    }
    act(engine, ws.set_phase, workshop_id=info.id, phase="voting", facilitator=FAC)
    for text, dots in cards.items():
        for _ in range(dots):
            act(engine, ws.cast_vote, token=token, card_id=ids[text])
    if close:
        for phase in ("results", "closed"):
            act(engine, ws.set_phase, workshop_id=info.id, phase=phase, facilitator=FAC)
    return info, ids


def test_the_citys_top_cards_come_from_all_its_closed_workshops_and_nothing_else(engine):
    first, _ = run_workshop(engine, "espoo", {"Metsät": 4, "Pyörätiet": 1, "Aurinko": 2})
    run_workshop(engine, "espoo", {"Raitiotie": 3, "Lainaamo": 0})
    run_workshop(engine, "espoo", {"Vielä auki": 9}, close=False)
    run_workshop(engine, "leipzig", {"Fernwärme": 9})
    visions = act(engine, ws.top_visions_of_city, city="espoo", lang="fi")
    assert (visions.workshops, visions.participants, visions.demo) == (2, 2, False)
    [theme] = visions.themes
    assert theme.theme == first.themes[0]
    assert theme.label == ws.theme_label(first.themes[0], "fi")
    assert [(c.rank, c.text, c.dots) for c in theme.cards] == [
        (1, "Metsät", 4),
        (2, "Raitiotie", 3),
        (3, "Aurinko", 2),
    ]
    assert theme.cards_total == 5


def test_hidden_cards_stay_out_and_merged_duplicates_count_in(engine):
    info, ids = run_workshop(
        engine, "leipzig", {"Bäume": 1, "Mehr Bäume!": 2, "Unsinn": 5}, close=False
    )
    act(engine, ws.hide_card, workshop_id=info.id, card_id=ids["Unsinn"], facilitator=FAC)
    act(
        engine,
        ws.merge_cards,
        workshop_id=info.id,
        card_id=ids["Mehr Bäume!"],
        into_card_id=ids["Bäume"],
        facilitator=FAC,
    )
    for phase in ("results", "closed"):
        act(engine, ws.set_phase, workshop_id=info.id, phase=phase, facilitator=FAC)
    [theme] = act(engine, ws.top_visions_of_city, city="leipzig", lang="de").themes
    assert [(c.text, c.dots, c.merged) for c in theme.cards] == [("Bäume", 3, 1)]


def test_a_city_without_closed_workshops_has_no_visions_yet(engine):
    visions = act(engine, ws.top_visions_of_city, city="espoo")
    assert visions.workshops == 0 and visions.themes == ()


def test_a_card_without_dots_is_not_public_and_a_facilitator_can_hide_one_after_closing(engine):
    info, ids = run_workshop(engine, "espoo", {"Metsät": 2, "Ei pisteitä": 0, "Huono": 1})
    visions = act(engine, ws.top_visions_of_city, city="espoo", lang="fi")
    texts = [c.text for theme in visions.themes for c in theme.cards]
    assert texts == ["Metsät", "Huono"]  # the card nobody gave a dot is not public
    act(engine, ws.hide_card, workshop_id=info.id, card_id=ids["Huono"], facilitator=FAC)
    after = act(engine, ws.top_visions_of_city, city="espoo", lang="fi")
    assert [c.text for theme in after.themes for c in theme.cards] == ["Metsät"]
