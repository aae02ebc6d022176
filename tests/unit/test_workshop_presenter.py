"""The projector's read (presentation) and the order of a board's cards: stable by id while
residents vote, ranked by dots from the results on."""

from __future__ import annotations

import pytest

from sparcs_engage import workshops as ws

from .test_workshops import act, card, join, move, workshop


def voted_workshop(engine):
    """Three cards on the first theme; the last written gets the most dots."""
    info = workshop(engine, dots_per_participant=5, max_dots_per_card=3)
    token = join(engine, info).token
    first, second, third = (card(engine, token, text) for text in ("eka", "toka", "kolmas"))
    move(engine, info, "voting")
    for card_id in (third, third, third, second):
        act(engine, ws.cast_vote, token=token, card_id=card_id)
    return info, (first, second, third)


def column_ids(presented: ws.Presentation) -> list[int]:
    return [c.id for c in presented.board.columns[0].cards]


def test_while_voting_cards_keep_the_order_they_were_written_in(engine):
    info, ids = voted_workshop(engine)
    presented = act(engine, ws.presentation, workshop_id=info.id)
    assert presented.workshop.phase == "voting" and presented.summary is None
    assert column_ids(presented) == list(ids)
    assert [c.dots for c in presented.board.columns[0].cards] == [0, 1, 3]
    assert presented.board.dots_cast == 4


@pytest.mark.parametrize("phase", ["results", "closed"])
def test_once_voting_has_ended_the_cards_are_ranked_by_their_dots(engine, phase):
    info, (first, second, third) = voted_workshop(engine)
    move(engine, info, *{"results": ("results",), "closed": ("results", "closed")}[phase])
    presented = act(engine, ws.presentation, workshop_id=info.id, lang="en", top=5)
    assert presented.board is None and presented.workshop.phase == phase
    theme = presented.summary.themes[0]
    assert [(c.id, c.dots) for c in theme.cards] == [(third, 3), (second, 1), (first, 0)]
    assert presented.summary.dots_cast == 4 and presented.summary.participants == 1


def test_board_order_by_phase():
    cards = [
        ws.BoardCard(id=i, theme="x", text=str(i), author=None, by_facilitator=True, dots=d)
        for i, d in ((3, 1), (1, 0), (2, 5), (4, 1))
    ]
    for phase in ("draft", "collecting", "voting"):
        assert [c.id for c in ws.board_order(cards, phase)] == [1, 2, 3, 4]
    for phase in ws.RANKED_PHASES:
        assert [c.id for c in ws.board_order(cards, phase)] == [2, 3, 4, 1]


def test_an_unknown_workshop_is_refused(engine):
    with pytest.raises(ws.WorkshopError) as caught:
        act(engine, ws.presentation, workshop_id="00000000-0000-0000-0000-000000000000")
    assert caught.value.code == ws.UNKNOWN_WORKSHOP
