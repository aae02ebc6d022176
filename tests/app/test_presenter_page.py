"""The presenter view (/facilitate?code=...&view=present) under AppTest: every phase in every
city language, for the signed-in facilitator only; never a control, never the site's chrome."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from sparcs_engage import workshops as ws
from sparcs_engage.i18n import translator

from .conftest import CITY_LANGUAGES, open_page
from .test_workshop_pages import FAC, FACILITATE, act, move, new_workshop, signed_in

PHASES = ("draft", "collecting", "voting", "results", "closed")
# Written in this order on the first theme; the dots rank them the other way round.
CARDS = ("Aurinkopaneelit kaikille katoille", "Ratikka joka viides minuutti", "Lisää puita")
DOTS = (0, 1, 3)
OTHER = "Kierrätys <b>kortteli</b> kerrallaan"  # on the second theme, shown as typed


def workshop_with_votes(app_database, city: str, lang: str, phase: str) -> ws.WorkshopInfo:
    """Three cards on the first theme and one on the second; dots 0, 1, 3 and 1."""
    info = new_workshop(
        app_database,
        phase="draft" if phase == "draft" else "collecting",
        city=city,
        lang=lang,
        title=f"Visio 2050 ({lang})",
        dots_per_participant=5,
        max_dots_per_card=3,
    )
    if phase == "draft":
        return info
    token = act(app_database, ws.join_workshop, code=info.join_code, name="Aino").token
    ids = [
        act(app_database, ws.add_card, token=token, theme=info.themes[0], text=text).id
        for text in CARDS
    ]
    other = act(app_database, ws.add_card, token=token, theme=info.themes[1], text=OTHER).id
    if phase == "collecting":
        return info
    move(app_database, info, "voting")
    for card_id, dots in [*zip(ids, DOTS, strict=True), (other, 1)]:
        for _ in range(dots):
            act(app_database, ws.cast_vote, token=token, card_id=card_id)
    for later in PHASES[PHASES.index("results") : PHASES.index(phase) + 1]:
        move(app_database, info, later)
    return act(app_database, ws.get_workshop, workshop_id=info.id)


def presenter_html(at: AppTest) -> str:
    bodies = [h.proto.body for h in at.get("html") if 'class="sparcs-present"' in h.proto.body]
    assert len(bodies) == 1, "one block of HTML draws the projector's screen"
    return bodies[0]


def page_html(at: AppTest) -> str:
    """The HTML the page drew, without the style sheet every page carries."""
    return " ".join(h.proto.body for h in at.get("html") if not h.proto.body.startswith("<style>"))


def order_of(body: str, texts) -> list[int]:
    return [body.index(html.escape(text)) for text in texts]


def assert_bare(at: AppTest) -> None:
    """No control of any kind and none of the site's chrome (header, navigation, footer)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.button and not at.get("link_button") and not at.get("download_button")
    assert not at.get("segmented_control") and not at.toggle and not at.text_input
    assert not at.selectbox and not at.get("popover") and not at.get("page_link")
    assert not at.title and not at.metric


def shown(t, msgid: str, body: str, lang: str, **params) -> None:
    """The translated text is on the screen, and (in another language) not the English."""
    text = t(msgid, **params)
    assert html.escape(text) in body
    if text != msgid.format(**params):
        assert html.escape(msgid.format(**params)) not in body


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(("lang", "city"), CITY_LANGUAGES)
def test_the_presenter_view_shows_each_phase_in_each_language(app_database, lang, city, phase):
    t = translator(lang)
    info = workshop_with_votes(app_database, city, lang, phase)
    at = signed_in(FAC, lang, city=city, code=info.join_code, view="present")
    assert_bare(at)
    body = presenter_html(at)
    assert html.escape(info.title) in body
    # Every theme, in the page's language (the results show themes that have cards).
    first, second = (ws.theme_label(theme, lang) for theme in info.themes[:2])
    if phase in ("draft", "collecting"):
        shown(t, "Join with the code", body, lang)
        assert re.search(rf'class="[^"]*sparcs-join-code[^"]*">{info.join_code}<', body)
        assert f"/workshop?code={info.join_code}&amp;lang={lang}&amp;city={city}" in body
        alt = html.escape(t("QR code to join the workshop"))
        assert f'alt="{alt}" src="data:image/svg+xml;base64,' in body
        if phase == "draft":
            shown(t, ws.MESSAGES[ws.NOT_OPEN], body, lang)
        else:
            shown(t, "Write your ideas for 2050 on cards: one idea per card.", body, lang)
            assert html.escape(t.ngettext("{n} card", "{n} cards", 4)) in body
            assert html.escape(t.ngettext("{n} participant", "{n} participants", 1)) in body
            assert CARDS[0] not in body  # the cards wait for the vote
    elif phase == "voting":
        shown(t, "Voting is open: place your dots on the ideas you like best.", body, lang)
        shown(t, "Code {code}", body, lang, code=info.join_code)
        assert html.escape(t.ngettext("{n} dot placed", "{n} dots placed", 5)) in body
        # The order they were written in, not their dots: nothing jumps while people vote.
        assert order_of(body, CARDS) == sorted(order_of(body, CARDS))
        assert order_of(body, [first, *CARDS, second, OTHER]) == sorted(
            order_of(body, [first, *CARDS, second, OTHER])
        )
        assert html.escape(t.ngettext("{n} dot", "{n} dots", 3)) in body
        assert "<b>" not in body and html.escape(OTHER) in body
    else:
        ranked = [CARDS[2], CARDS[1], CARDS[0]]
        assert order_of(body, ranked) == sorted(order_of(body, ranked)), "most dots first"
        assert 'class="sparcs-bar"' in body and "sparcs-bar-value" in body
        assert html.escape(f"1. {CARDS[2]}") in body
        assert html.escape(t.ngettext("{n} dot", "{n} dots", 3)) in body
        assert html.escape(first) in body and html.escape(second) in body
        if phase == "results":
            shown(t, "The ideas with the most dots", body, lang)
        else:
            shown(t, ws.MESSAGES[ws.CLOSED], body, lang)
            shown(t, "Summary: the top visions per theme", body, lang)
            assert html.escape(t.ngettext("{n} participant", "{n} participants", 1)) in body
            assert html.escape(t.ngettext("{n} card", "{n} cards", 4)) in body
            assert html.escape(t.ngettext("{n} dot placed", "{n} dots placed", 5)) in body


@pytest.mark.parametrize(("lang", "city"), CITY_LANGUAGES)
def test_without_the_facilitator_login_the_presenter_view_shows_nothing(app_database, lang, city):
    info = workshop_with_votes(app_database, city, lang, "voting")
    at = open_page(FACILITATE, lang=lang, city=city, code=info.join_code, view="present")
    t = translator(lang)
    assert at.title[0].value == t("Run a workshop")
    assert [i.value for i in at.info] == [
        t("This page is for signed-in workshop facilitators and city staff only.")
    ]
    everything = page_html(at) + " ".join(m.value for m in at.markdown)
    assert info.join_code not in everything and CARDS[0] not in everything
    assert "sparcs-present" not in everything
    # Framed as any page, with the way in.
    assert any(link.label == t("Sign in") for link in at.get("page_link"))


def test_staff_get_no_presenter_view(app_database):
    info = workshop_with_votes(app_database, "leipzig", "de", "results")
    at = signed_in("demo.staff", "de", city="leipzig", code=info.join_code, view="present")
    body = page_html(at)
    assert info.join_code not in body and "sparcs-present" not in body
    assert at.warning and at.get("page_link")


def test_an_unknown_code_in_the_presenter_link_leads_back_to_the_list(app_database):
    at = signed_in(FAC, "en", city="espoo", code="ZZZZZZ", view="present")
    assert not at.exception
    assert "view" not in at.query_params and "code" not in at.query_params
    assert at.title[0].value == "Run a workshop"
    assert at.get("page_link"), "with the site's header again"


def test_the_facilitator_opens_the_presenter_view_in_a_new_window(app_database):
    info = workshop_with_votes(app_database, "espoo", "sv", "collecting")
    at = signed_in(FAC, "fi", city="espoo", code=info.join_code)
    (link,) = at.get("link_button")
    assert link.proto.label == "Avaa näkymä videotykille"
    # In the workshop's language (Swedish), which is the room's, not the laptop's (Finnish).
    assert link.proto.url.endswith(
        f"/facilitate?code={info.join_code}&view=present&lang=sv&city=espoo"
    )


def test_the_facilitators_board_keeps_cards_in_place_while_voting_and_ranks_them_after(
    app_database,
):
    info = workshop_with_votes(app_database, "leipzig", "de", "voting")
    at = signed_in(FAC, "de", city="leipzig", code=info.join_code)
    at.segmented_control(key="fc_view").set_value("board").run()
    texts = [t.value for t in at.text]
    assert [texts.index(c) for c in CARDS] == sorted(texts.index(c) for c in CARDS)
    move(app_database, info, "results")
    at.run()
    texts = [t.value for t in at.text]
    ranked = [CARDS[2], CARDS[1], CARDS[0]]
    assert [texts.index(c) for c in ranked] == sorted(texts.index(c) for c in ranked)
