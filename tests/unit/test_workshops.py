"""Co-creation workshops: phases, joining by code, identity by token, vision cards, the dot
budget, merging and hiding, ratings, the live board, exports and demo data."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import string
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage import workshops as ws
from sparcs_engage.db import session_scope
from sparcs_engage.demo import DemoOptions
from sparcs_engage.models import (
    AuditEvent,
    Workshop,
    WorkshopCard,
    WorkshopParticipant,
    WorkshopVote,
    utcnow,
)
from sparcs_engage.respondents import CODE_ALPHABET
from sparcs_engage.surveys import load_survey
from sparcs_engage.workshops import WorkshopError

FAC = "fac.test"
PHASE_PATH = {
    "draft": (),
    "collecting": ("collecting",),
    "voting": ("collecting", "voting"),
    "results": ("collecting", "voting", "results"),
    "closed": ("collecting", "voting", "results", "closed"),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def act(engine, use_case, /, **kwargs):
    """One call in its own transaction, as a page makes it."""
    with session_scope(engine) as session:
        return use_case(session=session, **kwargs)


def refused(engine, code: str, use_case, /, **kwargs) -> WorkshopError:
    with pytest.raises(WorkshopError) as caught:
        act(engine, use_case, **kwargs)
    assert caught.value.code == code
    return caught.value


def workshop(engine, phase: str = "collecting", **settings) -> ws.WorkshopInfo:
    settings = {
        "facilitator": FAC,
        "title": "Espoon visio 2050",
        "city": "espoo",
        "held_on": date(2026, 4, 22),
        **settings,
    }
    info = act(engine, ws.create_workshop, **settings)
    move(engine, info, *PHASE_PATH[phase])
    return act(engine, ws.get_workshop, workshop_id=info.id)


def move(engine, info: ws.WorkshopInfo, *phases: str) -> None:
    for phase in phases:
        act(engine, ws.set_phase, workshop_id=info.id, phase=phase, facilitator=FAC)


def join(engine, info: ws.WorkshopInfo, **kwargs) -> ws.Joined:
    return act(engine, ws.join_workshop, code=info.join_code, **kwargs)


def card(engine, token: str, text: str, theme: str | None = None) -> int:
    theme = theme or act(engine, ws.participant_state, token=token).workshop.themes[0]
    return act(engine, ws.add_card, token=token, theme=theme, text=text).id


def vote(engine, token: str, card_id: int) -> ws.VoteResult:
    return act(engine, ws.cast_vote, token=token, card_id=card_id)


def board_card(board: ws.Board, card_id: int) -> ws.BoardCard | None:
    for column in board.columns:
        for c in column.cards:
            if c.id == card_id:
                return c
    return None


def vote_rows(engine, workshop_id) -> list[WorkshopVote]:
    with Session(engine) as session:
        return list(
            session.exec(select(WorkshopVote).where(WorkshopVote.workshop_id == workshop_id))
        )


# --------------------------------------------------------------------------------------------
# Messages, codes, links
# --------------------------------------------------------------------------------------------


def test_every_result_code_has_an_english_message_whose_placeholders_are_filled():
    for code, message in ws.MESSAGES.items():
        assert message and message[0].isupper() and message.rstrip()[-1] in ".!", code
        error = WorkshopError(code, dict.fromkeys(PLACEHOLDER.findall(message), 3))
        assert error.code == code and error.message == message
        assert "{" not in str(error)


def test_join_codes_have_six_characters_without_look_alikes():
    codes = {ws.new_join_code() for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL5S8B2Z")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qm4t", "K7QM4T"),
        (" K7Q M4T ", "K7QM4T"),
        ("k7q-m4t", "K7QM4T"),
        ("K7QM4", None),
        ("K7QM4TX", None),
        ("K0QM4T", None),  # zero is never in a code
        ("", None),
        (None, None),
        (123456, None),
        ("K" * 500, None),
    ],
)
def test_a_typed_code_is_read_forgivingly(typed, expected):
    assert ws.normalize_join_code(typed) == expected


def test_the_join_link_and_its_qr_code():
    url = ws.join_url("https://engage.example.fi/", " k7q m4t ", lang="fi")
    assert url == "https://engage.example.fi/workshop?code=K7QM4T&lang=fi"
    assert ws.join_url("https://engage.example.fi", "K7QM4T", lang="xx").endswith("code=K7QM4T")
    # The city goes with the language (Leipzig's German must not meet Espoo, the default).
    assert ws.join_url("https://x.de", "K7QM4T", lang="de", city="leipzig") == (
        "https://x.de/workshop?code=K7QM4T&lang=de&city=leipzig"
    )
    assert ws.join_url("https://x.de", "K7QM4T", city="../etc").endswith("code=K7QM4T")
    with pytest.raises(ValueError):
        ws.join_url("https://engage.example.fi", "nope")
    svg = ws.qr_svg(url)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "viewBox" in svg and "<path" in svg and "<script" not in svg
    assert ws.qr_svg(url) == svg  # the same link, the same picture


# --------------------------------------------------------------------------------------------
# Setting up and phases
# --------------------------------------------------------------------------------------------


def test_a_new_workshop_is_a_draft_with_the_citys_themes_and_language(engine):
    info = workshop(engine, phase="draft")
    assert info.phase == "draft" and info.opened_at is None
    assert len(info.join_code) == 6
    assert info.themes == load_survey("espoo").themes.ids
    assert info.lang == "fi"
    assert (info.dots_per_participant, info.max_dots_per_card) == (5, 3)
    assert not info.show_cards
    with Session(engine) as session:
        logged = session.exec(select(AuditEvent).where(AuditEvent.actor == FAC)).all()
        assert [e.action for e in logged] == ["workshop_create"]


def test_a_workshop_keeps_its_own_themes_district_and_dot_rules(engine):
    info = workshop(
        engine,
        phase="draft",
        city="leipzig",
        district="alt-west",
        lang="en",
        themes=["Schulhof  ", "Radwege", "clean_heat"],
        dots_per_participant=8,
        max_dots_per_card=8,
        show_cards=True,
    )
    assert info.themes == ("Schulhof", "Radwege", "clean_heat")
    assert (info.city, info.district, info.lang) == ("leipzig", "alt-west", "en")
    assert (info.dots_per_participant, info.max_dots_per_card, info.show_cards) == (8, 8, True)
    assert ws.theme_label("Schulhof", "de") == "Schulhof"
    assert ws.theme_label("clean_heat", "fi") == "Puhdas lämpö ja energia"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"city": "atlantis"}, ws.UNKNOWN_CITY),
        ({"title": "   "}, ws.EMPTY_TITLE),
        ({"title": None}, ws.EMPTY_TITLE),
        ({"title": "x" * 121}, ws.TITLE_TOO_LONG),
        ({"district": "mitte"}, ws.UNKNOWN_DISTRICT),  # a Leipzig district, not Espoo's
        ({"held_on": "2026-04-22"}, ws.INVALID_DATE),
        ({"themes": []}, ws.INVALID_THEMES),
        ({"themes": "clean_heat"}, ws.INVALID_THEMES),
        ({"themes": ["a", "a"]}, ws.INVALID_THEMES),
        ({"themes": ["a", " "]}, ws.INVALID_THEMES),
        ({"themes": ["x" * 61]}, ws.INVALID_THEMES),
        ({"themes": [str(i) for i in range(13)]}, ws.INVALID_THEMES),
        ({"dots_per_participant": 0}, ws.INVALID_DOTS),
        ({"dots_per_participant": 51}, ws.INVALID_DOTS),
        ({"dots_per_participant": True}, ws.INVALID_DOTS),
        ({"dots_per_participant": 3, "max_dots_per_card": 4}, ws.INVALID_DOTS_PER_CARD),
        ({"max_dots_per_card": 0}, ws.INVALID_DOTS_PER_CARD),
    ],
)
def test_workshop_settings_are_checked(engine, change, code):
    settings = {
        "facilitator": FAC,
        "title": "Visio",
        "city": "espoo",
        "held_on": date(2026, 4, 22),
        **change,
    }
    refused(engine, code, ws.create_workshop, **settings)


def test_phases_move_only_along_the_allowed_paths(engine):
    info = workshop(engine, phase="draft")
    for wrong in ("voting", "results", "closed", "draft", "someday"):
        refused(
            engine, ws.WRONG_PHASE, ws.set_phase, workshop_id=info.id, phase=wrong, facilitator=FAC
        )
    opened = act(engine, ws.open_workshop, workshop_id=info.id, facilitator=FAC)
    assert opened.phase == "collecting" and opened.opened_at is not None
    move(engine, info, "voting", "collecting", "voting", "results", "voting", "results")
    refused(
        engine, ws.WRONG_PHASE, ws.set_phase, workshop_id=info.id, phase="draft", facilitator=FAC
    )
    closed = act(engine, ws.set_phase, workshop_id=info.id, phase="closed", facilitator=FAC)
    assert closed.closed_at is not None
    for phase in ws.NEXT_PHASES:
        refused(
            engine, ws.WRONG_PHASE, ws.set_phase, workshop_id=info.id, phase=phase, facilitator=FAC
        )
    refused(engine, ws.UNKNOWN_WORKSHOP, ws.get_workshop, workshop_id="not-a-uuid")


def test_only_the_facilitators_who_run_a_workshop_may_open_move_tidy_or_export_it(engine):
    """Created by FAC: another facilitator may do nothing with it, nor see it in their list,
    until FAC gives it to them; giving needs a facilitator account."""
    from sparcs_engage.auth import create_account

    with session_scope(engine) as session:
        create_account(session=session, username="other.fac", password="x" * 16, role="facilitator")
        create_account(session=session, username="an.officer", password="x" * 16, role="staff")
    info = workshop(engine, phase="draft")
    other = {"workshop_id": info.id, "facilitator": "other.fac"}
    refused(engine, ws.NOT_YOURS, ws.open_workshop, **other)
    move(engine, info, "collecting")
    token = join(engine, info).token
    idea = card(engine, token, "Idea")
    refused(engine, ws.NOT_YOURS, ws.set_phase, phase="voting", **other)
    refused(engine, ws.NOT_YOURS, ws.set_show_cards, show=True, **other)
    refused(engine, ws.NOT_YOURS, ws.add_facilitator_card, theme=info.themes[0], text="x", **other)
    refused(engine, ws.NOT_YOURS, ws.hide_card, card_id=idea, **other)
    refused(engine, ws.NOT_YOURS, ws.merge_cards, card_id=idea, into_card_id=idea, **other)
    refused(engine, ws.NOT_YOURS, ws.give_workshop, to="other.fac", **other)
    move(engine, info, "voting", "results", "closed")
    refused(engine, ws.NOT_YOURS, ws.export_xlsx, **other)
    refused(engine, ws.NOT_YOURS, ws.export_csv, **other)
    mine = act(engine, ws.list_workshops, city="espoo", run_by=FAC)
    theirs = act(engine, ws.list_workshops, city="espoo", run_by="other.fac")
    assert [w.id for w in mine] == [info.id] and theirs == []

    refused(
        engine,
        ws.UNKNOWN_FACILITATOR,
        ws.give_workshop,
        to="nobody",
        **{**other, "facilitator": FAC},
    )
    refused(
        engine,
        ws.UNKNOWN_FACILITATOR,
        ws.give_workshop,
        to="an.officer",
        **{**other, "facilitator": FAC},
    )
    given = act(engine, ws.give_workshop, workshop_id=info.id, facilitator=FAC, to=" other.fac ")
    assert given == [FAC, "other.fac"]
    assert (
        act(engine, ws.give_workshop, workshop_id=info.id, facilitator=FAC, to="other.fac") == given
    )
    assert [w.id for w in act(engine, ws.list_workshops, run_by="other.fac")] == [info.id]
    assert act(engine, ws.export_xlsx, **other)
    act(engine, ws.hide_card, card_id=idea, **other)


def test_the_facilitators_list_shows_open_workshops_of_a_city(engine):
    draft = workshop(engine, phase="draft")
    closed = workshop(engine, phase="closed")
    leipzig = workshop(engine, phase="draft", city="leipzig")
    listed = act(engine, ws.list_workshops, city="espoo")
    assert {w.id for w in listed} == {draft.id, closed.id}
    assert {w.id for w in act(engine, ws.list_workshops, include_closed=False)} == {
        draft.id,
        leipzig.id,
    }


# --------------------------------------------------------------------------------------------
# Joining and identity
# --------------------------------------------------------------------------------------------


def test_joining_forgives_case_spaces_and_dashes(engine):
    info = workshop(engine)
    typed = f" {info.join_code[:3].lower()} - {info.join_code[3:].lower()} "
    joined = act(engine, ws.join_workshop, code=typed)
    assert joined.workshop_id == info.id and not joined.rejoined


def test_wrong_unknown_unopened_and_closed_codes_get_distinct_results(engine):
    draft = workshop(engine, phase="draft")
    closed = workshop(engine, phase="closed")
    codes = {
        "K0QM4T": ws.INVALID_CODE,
        "K7QM": ws.INVALID_CODE,
        "": ws.INVALID_CODE,
        draft.join_code: ws.NOT_OPEN,
        closed.join_code: ws.CLOSED,
    }
    unknown = next(c for c in (ws.new_join_code() for _ in range(50)) if c not in codes)
    codes[unknown] = ws.UNKNOWN_CODE
    results = {
        refused(engine, code, ws.join_workshop, code=typed).code for typed, code in codes.items()
    }
    assert results == {ws.INVALID_CODE, ws.NOT_OPEN, ws.CLOSED, ws.UNKNOWN_CODE}
    refused(engine, ws.INVALID_CODE, ws.join_workshop, code=None)


def test_joining_is_possible_while_collecting_voting_and_showing_results(engine):
    for phase in ("collecting", "voting", "results"):
        assert join(engine, workshop(engine, phase=phase)).token


def test_a_participant_stays_themselves_across_reloads_with_their_token(engine):
    info = workshop(engine)
    first = join(engine, info, name="Aino")
    again = join(engine, info, token=first.token, name="Someone else")
    assert again.rejoined and again.participant_id == first.participant_id
    assert again.name == "Aino" and again.token == first.token
    state = act(engine, ws.participant_state, token=first.token)
    assert state.participant_id == first.participant_id and state.name == "Aino"

    # Only the SHA-256 of the token is stored, nowhere the token itself.
    with Session(engine) as session:
        stored = session.get(WorkshopParticipant, first.participant_id)
        assert stored.token_hash == hashlib.sha256(first.token.encode()).hexdigest()
        assert first.token not in repr(stored.model_dump())

    # A token of another workshop makes a new participant here; a forged one is nobody.
    other = workshop(engine)
    elsewhere = act(engine, ws.join_workshop, code=other.join_code, token=first.token)
    assert not elsewhere.rejoined and elsewhere.participant_id != first.participant_id
    for forged in ("x" * 32, "", None, 42, "y" * 5000):
        refused(engine, ws.UNKNOWN_PARTICIPANT, ws.participant_state, token=forged)
    assert len(first.token) >= 32 and first.token != elsewhere.token


@pytest.mark.parametrize(("lang", "words"), list(ws.GENERATED_NAME_WORDS.items()))
def test_a_participant_without_a_name_gets_a_friendly_one_in_their_language(engine, lang, words):
    info = workshop(engine)
    names = [join(engine, info, lang=lang, name=blank).name for blank in (None, "", "   ")]
    for name in names:
        word, number = name.rsplit(" ", 1)
        assert word in words.split() and 1 <= int(number) <= 99
    assert len(set(names)) == 3


def test_a_chosen_name_is_kept_as_typed_within_limits(engine):
    info = workshop(engine)
    assert join(engine, info, name="  Jürgen <b>Ö</b>\n ").name == "Jürgen <b>Ö</b>"
    assert join(engine, info, name="x" * 40).name == "x" * 40
    error = refused(engine, ws.NAME_TOO_LONG, ws.join_workshop, code=info.join_code, name="x" * 41)
    assert error.params == {"max": 40}


# --------------------------------------------------------------------------------------------
# Cards
# --------------------------------------------------------------------------------------------


def test_cards_are_stored_as_typed_trimmed(engine):
    info = workshop(engine)
    token = join(engine, info).token
    for typed, stored in (
        ("  <script>alert('x')</script>  ", "<script>alert('x')</script>"),
        ('=HYPERLINK("http://evil.example")', '=HYPERLINK("http://evil.example")'),
        ("Viheralueet säilyvät – Grünflächen für Äpfel & Öl", None),
        ("**bold** [link](http://x)", None),
        ("a" * 280, None),
        ("Zeile 1\nZeile 2", None),
    ):
        saved = act(engine, ws.add_card, token=token, theme=info.themes[1], text=typed)
        assert saved.text == (stored or typed) and saved.theme == info.themes[1]
        with Session(engine) as session:
            assert session.get(WorkshopCard, saved.id).text == (stored or typed)


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", ws.EMPTY_CARD, {}),
        (" \n\t ", ws.EMPTY_CARD, {}),
        (None, ws.EMPTY_CARD, {}),
        ("a" * 281, ws.CARD_TOO_LONG, {"max": 280, "length": 281}),
        ("a" * 100_000, ws.CARD_TOO_LONG, {"max": 280, "length": 100_000}),
    ],
)
def test_an_empty_or_too_long_card_is_refused_and_nothing_is_stored(engine, text, code, params):
    info = workshop(engine)
    token = join(engine, info).token
    error = refused(engine, code, ws.add_card, token=token, theme=info.themes[0], text=text)
    assert error.params == params
    with Session(engine) as session:
        assert session.exec(select(WorkshopCard)).all() == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u202egnp.exe", "gnp.exe"),  # shown as "exe.png" if kept
        ("Solar\u2066dach\u2069 \u200fhier", "Solardach hier"),
        ("\u202aA\u202c und \u202bB\u202c", "A und B"),
    ],
)
def test_bidirectional_controls_are_taken_out_of_cards_names_and_comments(engine, typed, stored):
    info = workshop(engine)
    joined = join(engine, info, name=typed)
    assert joined.name == stored
    saved = card(engine, joined.token, typed)
    state = act(engine, ws.participant_state, token=joined.token)
    assert [c.text for c in state.cards if c.id == saved] == [stored]


def test_a_card_needs_one_of_the_workshops_themes(engine):
    info = workshop(engine)
    token = join(engine, info).token
    for theme in ("solar_neighbourhoods", "", None, ["clean_heat"]):
        refused(engine, ws.UNKNOWN_THEME, ws.add_card, token=token, theme=theme, text="Idea")


def test_cards_are_written_only_while_collecting(engine):
    info = workshop(engine)
    token = join(engine, info).token
    move(engine, info, "voting")
    refused(engine, ws.NOT_COLLECTING, ws.add_card, token=token, theme=info.themes[0], text="x")
    move(engine, info, "results", "closed")
    refused(engine, ws.CLOSED, ws.add_card, token=token, theme=info.themes[0], text="x")


def test_participants_see_others_cards_only_when_the_facilitator_allows(engine):
    info = workshop(engine)
    aino, bea = join(engine, info).token, join(engine, info).token
    mine = card(engine, aino, "Aino's idea")
    theirs = card(engine, bea, "Bea's idea")
    facilitators = act(
        engine,
        ws.add_facilitator_card,
        workshop_id=info.id,
        theme=info.themes[0],
        text="Lähtökohta",
        facilitator=FAC,
    ).id

    def seen() -> set[int]:
        return {c.id for c in act(engine, ws.participant_state, token=aino).cards}

    assert seen() == {mine, facilitators}
    act(engine, ws.set_show_cards, workshop_id=info.id, show=True, facilitator=FAC)
    assert seen() == {mine, theirs, facilitators}
    act(engine, ws.set_show_cards, workshop_id=info.id, show=False, facilitator=FAC)
    move(engine, info, "voting")  # nobody can vote on cards they cannot see
    cards = {c.id: c for c in act(engine, ws.participant_state, token=aino).cards}
    assert set(cards) == {mine, theirs, facilitators}
    assert cards[mine].mine and not cards[theirs].mine and cards[facilitators].by_facilitator
    assert cards[theirs].dots is None  # totals only once voting has ended


def test_the_facilitator_can_add_cards_until_the_workshop_closes(engine):
    info = workshop(engine, phase="voting")
    added = act(
        engine,
        ws.add_facilitator_card,
        workshop_id=info.id,
        theme=info.themes[2],
        text=" Yhteinen tavoite ",
        facilitator=FAC,
    )
    assert added.text == "Yhteinen tavoite"
    shown = board_card(act(engine, ws.board, workshop_id=info.id), added.id)
    assert shown.by_facilitator and shown.author is None
    refused(
        engine,
        ws.UNKNOWN_THEME,
        ws.add_facilitator_card,
        workshop_id=info.id,
        theme="nope",
        text="x",
        facilitator=FAC,
    )
    move(engine, info, "results", "closed")
    refused(
        engine,
        ws.WRONG_PHASE,
        ws.add_facilitator_card,
        workshop_id=info.id,
        theme=info.themes[0],
        text="x",
        facilitator=FAC,
    )


# --------------------------------------------------------------------------------------------
# Dots
# --------------------------------------------------------------------------------------------


def test_the_dot_budget_and_the_limit_per_card_hold(engine):
    info = workshop(engine, dots_per_participant=3, max_dots_per_card=2)
    token = join(engine, info).token
    a, b, c = (card(engine, token, f"Idea {i}") for i in range(3))
    move(engine, info, "voting")
    assert vote(engine, token, a) == ws.VoteResult(card_id=a, dots_on_card=1, dots_left=2)
    assert vote(engine, token, a) == ws.VoteResult(card_id=a, dots_on_card=2, dots_left=1)
    error = refused(engine, ws.CARD_FULL, ws.cast_vote, token=token, card_id=a)
    assert error.params == {"max": 2}
    assert vote(engine, token, b).dots_left == 0
    refused(engine, ws.NO_DOTS_LEFT, ws.cast_vote, token=token, card_id=c)
    state = act(engine, ws.participant_state, token=token)
    assert (state.dots_used, state.dots_left) == (3, 0)
    assert {x.id: x.my_dots for x in state.cards} == {a: 2, b: 1, c: 0}
    assert len(vote_rows(engine, info.id)) == 3


def test_dots_are_placed_and_taken_back_only_while_voting(engine):
    info = workshop(engine)
    token = join(engine, info).token
    idea = card(engine, token, "Idea")
    refused(engine, ws.NOT_VOTING, ws.cast_vote, token=token, card_id=idea)
    refused(engine, ws.NOT_VOTING, ws.withdraw_vote, token=token, card_id=idea)
    move(engine, info, "voting")
    vote(engine, token, idea)
    move(engine, info, "results")
    refused(engine, ws.NOT_VOTING, ws.cast_vote, token=token, card_id=idea)
    refused(engine, ws.NOT_VOTING, ws.withdraw_vote, token=token, card_id=idea)
    move(engine, info, "closed")
    refused(engine, ws.CLOSED, ws.cast_vote, token=token, card_id=idea)
    refused(engine, ws.CLOSED, ws.withdraw_vote, token=token, card_id=idea)
    assert len(vote_rows(engine, info.id)) == 1


def test_taking_a_dot_back_frees_it_for_another_card(engine):
    info = workshop(engine, dots_per_participant=1, max_dots_per_card=1)
    token = join(engine, info).token
    a, b = card(engine, token, "A"), card(engine, token, "B")
    move(engine, info, "voting")
    vote(engine, token, a)
    refused(engine, ws.NO_DOTS_LEFT, ws.cast_vote, token=token, card_id=b)
    refused(engine, ws.NO_DOT_HERE, ws.withdraw_vote, token=token, card_id=b)
    taken = act(engine, ws.withdraw_vote, token=token, card_id=a)
    assert taken == ws.VoteResult(card_id=a, dots_on_card=0, dots_left=1)
    refused(engine, ws.NO_DOT_HERE, ws.withdraw_vote, token=token, card_id=a)
    vote(engine, token, b)
    assert [v.card_id for v in vote_rows(engine, info.id)] == [b]


def test_one_tap_places_one_dot_even_when_it_arrives_twice(engine):
    """A tap's callback run twice (a tap meeting an automatic refresh) or its write retried
    after a dropped connection names the same tap: the second arrival places nothing."""
    info = workshop(engine, dots_per_participant=5, max_dots_per_card=3)
    token = join(engine, info).token
    other = join(engine, info).token
    a, b = card(engine, token, "A"), card(engine, token, "B")
    move(engine, info, "voting")
    first = act(engine, ws.cast_vote, token=token, card_id=a, tap="tap-1")
    again = act(engine, ws.cast_vote, token=token, card_id=a, tap="tap-1")
    assert first == again == ws.VoteResult(card_id=a, dots_on_card=1, dots_left=4)
    # A new tap is a new dot; another participant's tap of the same name is theirs.
    assert act(engine, ws.cast_vote, token=token, card_id=a, tap="tap-2").dots_on_card == 2
    assert act(engine, ws.cast_vote, token=other, card_id=b, tap="tap-1").dots_left == 4
    assert sorted(v.card_id for v in vote_rows(engine, info.id)) == sorted([a, a, b])
    refused(engine, ws.UNKNOWN_CARD, ws.cast_vote, token=token, card_id=a, tap="x" * 41)


def test_concurrent_joins_without_a_name_get_distinct_made_up_names(engine, monkeypatch):
    """Many tablets join at the same moment: none of the made-up names is given twice. The
    names are made deterministic and slow here (the first free one, after a pause), so that two
    joins reading the taken names at once would surely pick the same one."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from sparcs_engage.workshops import participants

    def first_free(lang, taken=(), rng=None):
        taken = set(taken)
        time.sleep(0.02)
        return next(f"Aurinko {n}" for n in range(1, 1000) if f"Aurinko {n}" not in taken)

    monkeypatch.setattr(participants, "generated_name", first_free)
    info = workshop(engine)
    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(lambda _: join(engine, info).name, range(40)))
    assert len(set(names)) == len(names) == 40


def test_a_card_of_another_workshop_is_not_on_this_board(engine):
    here, there = workshop(engine), workshop(engine)
    token = join(engine, here).token
    foreign = card(engine, join(engine, there).token, "Elsewhere")
    move(engine, here, "voting")
    move(engine, there, "voting")
    for card_id in (foreign, 999_999, -1, 0, True, "1", None, 2**40):
        refused(engine, ws.UNKNOWN_CARD, ws.cast_vote, token=token, card_id=card_id)
    refused(engine, ws.UNKNOWN_CARD, ws.withdraw_vote, token=token, card_id=foreign)
    for use_case, extra in (
        (ws.hide_card, {"card_id": foreign}),
        (ws.merge_cards, {"card_id": foreign, "into_card_id": foreign}),
    ):
        refused(engine, ws.UNKNOWN_CARD, use_case, workshop_id=here.id, facilitator=FAC, **extra)
    assert vote_rows(engine, here.id) == vote_rows(engine, there.id) == []
    # What a participant of one workshop sees holds nothing of the other.
    state = act(engine, ws.participant_state, token=token)
    assert state.workshop.id == here.id and foreign not in {c.id for c in state.cards}
    assert board_card(act(engine, ws.board, workshop_id=here.id), foreign) is None


# --------------------------------------------------------------------------------------------
# Merging and hiding
# --------------------------------------------------------------------------------------------


def test_merging_duplicates_adds_up_their_dots_and_loses_none(engine):
    info = workshop(engine, dots_per_participant=5, max_dots_per_card=3)
    p1, p2, p3 = (join(engine, info).token for _ in range(3))
    x = card(engine, p1, "Enemmän puita")
    y = card(engine, p2, "Lisää puita kaduille")
    z = card(engine, p3, "Puita!")
    w = card(engine, p3, "Aurinkopaneeleja")
    move(engine, info, "voting")
    for token, card_id in ((p1, x), (p1, x), (p2, x), (p2, y), (p3, y), (p3, y), (p3, z)):
        vote(engine, token, card_id)
    before = sorted((v.id, v.card_id, v.participant_id) for v in vote_rows(engine, info.id))

    assert (
        act(engine, ws.merge_cards, workshop_id=info.id, card_id=y, into_card_id=x, facilitator=FAC)
        == x
    )
    board = act(engine, ws.board, workshop_id=info.id)
    assert board_card(board, y) is None
    assert board_card(board, x).dots == 6 and board_card(board, x).merged_ids == (y,)
    assert board_card(board, x).merged_texts == ("Lisää puita kaduille",)
    assert board.dots_cast == 7
    # Every vote row is still there, on the card it was cast on.
    assert sorted((v.id, v.card_id, v.participant_id) for v in vote_rows(engine, info.id)) == before

    # The merged card takes no dot; its group counts against the limit per card.
    refused(engine, ws.CARD_MERGED, ws.cast_vote, token=p2, card_id=y)
    vote(engine, p3, x)
    error = refused(engine, ws.CARD_FULL, ws.cast_vote, token=p3, card_id=x)
    assert error.params == {"max": 3}

    # Merging into itself, or into its own group, is refused.
    for source, target in ((x, x), (y, x), (x, y)):
        refused(
            engine,
            ws.MERGE_INTO_ITSELF,
            ws.merge_cards,
            workshop_id=info.id,
            card_id=source,
            into_card_id=target,
            facilitator=FAC,
        )

    # A group merged on: everything that counted in x now counts in z.
    act(engine, ws.merge_cards, workshop_id=info.id, card_id=x, into_card_id=z, facilitator=FAC)
    board = act(engine, ws.board, workshop_id=info.id)
    assert board_card(board, z).dots == 8
    assert set(board_card(board, z).merged_ids) == {x, y}
    assert board_card(board, w).dots == 0
    assert sum(c.dots for col in board.columns for c in col.cards) == board.dots_cast == 8

    # Taking a dot back from the group takes one of the participant's own.
    taken = act(engine, ws.withdraw_vote, token=p2, card_id=z)
    assert taken.card_id == z and taken.dots_on_card == 1
    assert len(vote_rows(engine, info.id)) == 7
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert actions.count("workshop_merge_cards") == 2


def test_a_hidden_card_leaves_the_board_but_keeps_its_text_and_dots(engine):
    info = workshop(engine)
    token = join(engine, info).token
    rude, fine = card(engine, token, "Rude words"), card(engine, token, "Fine words")
    move(engine, info, "voting")
    vote(engine, token, rude)
    act(engine, ws.hide_card, workshop_id=info.id, card_id=rude, facilitator=FAC)

    board = act(engine, ws.board, workshop_id=info.id)
    assert board_card(board, rude) is None and board_card(board, fine) is not None
    assert [(c.id, c.text, c.dots, c.hidden) for c in board.hidden_cards] == [
        (rude, "Rude words", 1, True)
    ]
    refused(engine, ws.UNKNOWN_CARD, ws.cast_vote, token=token, card_id=rude)
    refused(
        engine,
        ws.UNKNOWN_CARD,
        ws.merge_cards,
        workshop_id=info.id,
        card_id=fine,
        into_card_id=rude,
        facilitator=FAC,
    )
    # Its author still sees it (marked hidden) and can take their dot back.
    hidden = {c.id: c for c in act(engine, ws.participant_state, token=token).cards}[rude]
    assert hidden.hidden and hidden.my_dots == 1
    act(engine, ws.withdraw_vote, token=token, card_id=rude)

    act(engine, ws.hide_card, workshop_id=info.id, card_id=rude, facilitator=FAC, hidden=False)
    assert board_card(act(engine, ws.board, workshop_id=info.id), rude).text == "Rude words"
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert {"workshop_hide_card", "workshop_show_card"} <= set(actions)


# --------------------------------------------------------------------------------------------
# Ratings, finishing, the board
# --------------------------------------------------------------------------------------------


def test_a_participant_rates_the_workshop_from_one_to_five(engine):
    info = workshop(engine, phase="results")
    token = join(engine, info).token
    for wrong in (0, 6, -1, True, "5", 4.5, None):
        refused(engine, ws.INVALID_RATING, ws.rate_workshop, token=token, rating=wrong)
    error = refused(
        engine, ws.COMMENT_TOO_LONG, ws.rate_workshop, token=token, rating=4, comment="x" * 501
    )
    assert error.params == {"max": 500, "length": 501}
    act(engine, ws.rate_workshop, token=token, rating=2, comment="x" * 500)
    act(engine, ws.rate_workshop, token=token, rating=5, comment="  Hyvä työpaja!  ")
    state = act(engine, ws.participant_state, token=token)
    assert (state.rating, state.rating_comment) == (5, "Hyvä työpaja!")
    act(engine, ws.rate_workshop, token=token, rating=4, comment="   ")
    assert act(engine, ws.participant_state, token=token).rating_comment is None
    move(engine, info, "closed")
    refused(engine, ws.CLOSED, ws.rate_workshop, token=token, rating=1)


def test_the_database_refuses_a_rating_outside_one_to_five(engine):
    info = workshop(engine)
    participant_id = join(engine, info).participant_id
    with pytest.raises(sa.exc.IntegrityError), session_scope(engine) as session:
        session.execute(
            sa.update(WorkshopParticipant)
            .where(WorkshopParticipant.id == participant_id)
            .values(rating=6)
        )


def test_finishing_twice_counts_once(engine):
    info = workshop(engine)
    token = join(engine, info).token
    act(engine, ws.finish, token=token)
    act(engine, ws.finish, token=token)
    assert act(engine, ws.participant_state, token=token).finished
    assert act(engine, ws.board, workshop_id=info.id).participants_finished == 1


def test_the_board_counts_cards_dots_and_who_is_connected_and_finished(engine):
    info = workshop(engine)
    tokens = [join(engine, info).token for _ in range(4)]
    per_theme = {theme: card(engine, tokens[0], f"Idea {theme}", theme) for theme in info.themes}
    extra = card(engine, tokens[1], "Toinen idea", info.themes[0])
    move(engine, info, "voting")
    for token in tokens[:3]:
        vote(engine, token, extra)
    vote(engine, tokens[3], per_theme[info.themes[2]])
    act(engine, ws.finish, token=tokens[0])
    act(engine, ws.finish, token=tokens[1])
    with session_scope(engine) as session:  # one tablet went to sleep ten minutes ago
        session.execute(
            sa.update(WorkshopParticipant)
            .where(WorkshopParticipant.id == join(engine, info, token=tokens[2]).participant_id)
            .values(last_seen_at=utcnow() - timedelta(minutes=10))
        )

    board = act(engine, ws.board, workshop_id=info.id, online_window_s=60)
    assert [col.theme for col in board.columns] == list(info.themes)
    assert [c.id for c in board.columns[0].cards] == [per_theme[info.themes[0]], extra]
    assert board_card(board, extra).dots == 3 and board_card(board, extra).author
    assert board_card(board, per_theme[info.themes[2]]).dots == 1
    assert (board.participants, board.participants_connected, board.participants_finished) == (
        4,
        3,
        2,
    )
    assert board.dots_cast == 4
    later = act(engine, ws.board, workshop_id=info.id, now=utcnow() + timedelta(hours=1))
    assert later.participants_connected == 0


# --------------------------------------------------------------------------------------------
# The outcome: summary and exports
# --------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("x")'
UMLAUTS = "Grünere Höfe, weniger Lärm – äöü ÄÖÜ ß; Espoon keskuspuisto säilyy"


def finished_workshop(engine) -> tuple[ws.WorkshopInfo, dict[str, int], list[str]]:
    info = workshop(engine, city="leipzig", dots_per_participant=3, max_dots_per_card=3)
    tokens = [join(engine, info, name=name).token for name in ("Greta", "Hans", "Ida")]
    first, second = info.themes[0], info.themes[1]
    cards = {
        "formula": card(engine, tokens[0], FORMULA, first),
        "umlauts": card(engine, tokens[1], UMLAUTS, first),
        "plain": card(engine, tokens[2], "Mehr Bäume", first),
        "duplicate": card(engine, tokens[2], "Mehr Straßenbäume", first),
        "other": card(engine, tokens[2], "Solardächer", second),
    }
    move(engine, info, "voting")
    for token, key in (
        (tokens[0], "umlauts"),
        (tokens[1], "umlauts"),
        (tokens[2], "umlauts"),
        (tokens[0], "plain"),
        (tokens[1], "duplicate"),
        (tokens[2], "formula"),
        (tokens[0], "other"),
    ):
        vote(engine, token, cards[key])
    act(
        engine,
        ws.merge_cards,
        workshop_id=info.id,
        card_id=cards["duplicate"],
        into_card_id=cards["plain"],
        facilitator=FAC,
    )
    move(engine, info, "results")
    act(engine, ws.rate_workshop, token=tokens[0], rating=5, comment="@everyone toll")
    act(engine, ws.rate_workshop, token=tokens[1], rating=4)
    act(engine, ws.finish, token=tokens[0])
    return info, cards, tokens


def test_the_summary_lists_the_top_visions_per_theme_once_voting_has_ended(engine):
    info = workshop(engine, phase="voting")
    refused(engine, ws.NO_RESULTS_YET, ws.summary, workshop_id=info.id)
    info, cards, _ = finished_workshop(engine)
    result = act(engine, ws.summary, workshop_id=info.id, top=2)
    assert result.lang == "de"
    first = result.themes[0]
    assert first.theme == info.themes[0] and first.label == "Grüne Fernwärme"
    assert [(c.rank, c.id, c.dots, c.merged) for c in first.cards] == [
        (1, cards["umlauts"], 3, 0),
        (2, cards["plain"], 2, 1),
    ]
    assert first.cards_total == 3
    assert [c.id for c in result.themes[1].cards] == [cards["other"]]
    assert all(t.cards == () for t in result.themes[2:])
    assert (result.participants, result.cards, result.dots_cast) == (3, 4, 7)
    assert (result.ratings, result.rating_mean) == (2, 4.5)
    assert result.rating_counts == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert act(engine, ws.summary, workshop_id=info.id, lang="fi").themes[0].label == (
        "Vihreä kaukolämpö"
    )


def test_exports_wait_until_the_workshop_is_closed(engine):
    info, _, _ = finished_workshop(engine)
    refused(engine, ws.NOT_CLOSED, ws.export_csv, workshop_id=info.id, facilitator=FAC)
    refused(engine, ws.NOT_CLOSED, ws.export_xlsx, workshop_id=info.id, facilitator=FAC)
    move(engine, info, "closed")
    with pytest.raises(ValueError):
        act(engine, ws.export_csv, workshop_id=info.id, facilitator=FAC, table="accounts")


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_export_opens_safely_with_umlauts_intact_and_no_names(engine):
    info, cards, _ = finished_workshop(engine)
    move(engine, info, "closed")
    tables = {
        table: act(engine, ws.export_csv, workshop_id=info.id, facilitator=FAC, table=table)
        for table in ws.EXPORT_TABLES
    }
    rows = {int(r["card_id"]): r for r in read_csv(tables["cards"])}
    assert rows[cards["formula"]]["text"] == "'" + FORMULA
    assert rows[cards["umlauts"]]["text"] == UMLAUTS
    assert rows[cards["umlauts"]]["theme_label"] == "Grüne Fernwärme"
    assert rows[cards["duplicate"]]["status"] == "merged"
    assert rows[cards["duplicate"]]["merged_into"] == str(cards["plain"])
    assert (rows[cards["plain"]]["own_dots"], rows[cards["plain"]]["board_dots"]) == ("1", "2")
    assert {r["author"] for r in rows.values()} == {"P1", "P2", "P3"}

    votes = read_csv(tables["votes"])
    assert len(votes) == 7
    assert sum(v["counted_in_card"] == str(cards["plain"]) for v in votes) == 2

    ratings = read_csv(tables["ratings"])
    assert [(r["participant"], r["rating"]) for r in ratings] == [
        ("P1", "5"),
        ("P2", "4"),
        ("P3", ""),
    ]
    assert ratings[0]["comment"] == "'@everyone toll"
    for data in tables.values():
        text = data.decode("utf-8-sig")
        assert not any(name in text for name in ("Greta", "Hans", "Ida"))
    with Session(engine) as session:
        exports = session.exec(select(AuditEvent).where(AuditEvent.action == "export_workshop"))
        assert len(exports.all()) == 3


def test_the_xlsx_export_has_a_summary_and_a_sheet_per_table_with_formulas_as_text(engine):
    info, cards, _ = finished_workshop(engine)
    move(engine, info, "closed")
    data = act(engine, ws.export_xlsx, workshop_id=info.id, facilitator=FAC)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["summary", "cards", "votes", "ratings"]

    sheet = book["cards"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows[cards["umlauts"]]["text"] == UMLAUTS
    formula = next(c for c in sheet["D"] if c.value == FORMULA)
    assert formula.data_type == "s" and formula.quotePrefix  # text, never run as a formula
    assert not any(
        c.data_type == "f" for ws_ in book.worksheets for row in ws_.iter_rows() for c in row
    )
    assert book["votes"].max_row == 8
    ratings = list(book["ratings"].iter_rows(min_row=2, values_only=True))
    assert ratings[0][:3] == ("P1", 5, "@everyone toll")
    assert book["ratings"]["C2"].quotePrefix

    summary = list(book["summary"].iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in summary if row and row[0] and row[1] is not None}
    assert facts["workshop"] == info.title and facts["participants"] == 3
    assert facts["dots_cast"] == 7 and facts["rating_mean"] == 4.5
    start = next(i for i, row in enumerate(summary) if row[:3] == ("theme", "theme_label", "rank"))
    top = [row for row in summary[start + 1 :] if row[0] == info.themes[0]]
    assert [(row[2], row[3], row[5]) for row in top] == [
        (1, cards["umlauts"], 3),
        (2, cards["plain"], 2),
        (3, cards["formula"], 1),
    ]
    assert top[2][4] == FORMULA


# --------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------


def test_demo_workshops_are_finished_plausible_marked_and_made_once(engine):
    with session_scope(engine) as session:
        first = ws.demo_workshops(session, DemoOptions())
    with session_scope(engine) as session:
        again = ws.demo_workshops(session, DemoOptions())
    assert first == "demo workshops: espoo, leipzig"
    assert again == "demo workshops: already there"
    with Session(engine) as session:
        workshops = session.exec(select(Workshop)).all()
        assert sorted((w.city, w.lang) for w in workshops) == [("espoo", "fi"), ("leipzig", "de")]
        assert all(w.is_demo and w.phase == "closed" for w in workshops)
        for w in workshops:
            cards = session.exec(select(WorkshopCard).where(WorkshopCard.workshop_id == w.id))
            cards = cards.all()
            assert {c.theme for c in cards} == set(w.themes)
            # Finnish cards in Espoo, German ones in Leipzig.
            letters = "äö" if w.lang == "fi" else "äöüß"
            assert sum(any(ch in c.text for ch in letters) for c in cards) >= len(cards) // 2
            assert any(c.merged_into_id for c in cards)
            people = session.exec(
                select(WorkshopParticipant).where(WorkshopParticipant.workshop_id == w.id)
            ).all()
            assert all(p.finished_at for p in people)
            assert any(p.rating for p in people) and any(p.rating_comment for p in people)
            assert all(p.joined_at.date() == w.held_on for p in people)
    for w in workshops:
        result = act(engine, ws.summary, workshop_id=w.id)
        assert result.dots_cast > 40 and 3 <= result.rating_mean <= 5
        assert all(len(t.cards) == 3 for t in result.themes)
        assert act(engine, ws.export_xlsx, workshop_id=w.id, facilitator=ws.DEMO_FACILITATOR)


def test_generated_names_avoid_those_taken():
    taken = {f"{word} {n}" for word in ws.GENERATED_NAME_WORDS["de"].split() for n in range(1, 100)}
    name = ws.generated_name("de", taken)
    assert name not in taken and name.startswith("Sonne ")
    assert set(ws.generated_name("xx")) <= set(string.ascii_letters + string.digits + " ")
