"""The live workshop pages under AppTest: /facilitate for signed-in facilitators only, and
/workshop for residents on tablets, in every language (each in a city that speaks it)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from sparcs_engage import workshops as ws
from sparcs_engage.db import get_engine, session_scope
from sparcs_engage.i18n import translator

from .conftest import LANGUAGE_CITIES, assert_no_english, open_page, visible_texts
from .conftest import signed_in as sign_in_to

FACILITATE = "views/facilitator/facilitate.py"
WORKSHOP = "views/public/workshop.py"
FAC = "demo.facilitator"
# A district of each city, for a workshop set up on the page.
DISTRICT = {"espoo": "suur-tapiola", "leipzig": "alt-west"}


def act(app_database, use_case, /, **kwargs):
    with session_scope(get_engine(app_database)) as session:
        return use_case(session=session, **kwargs)


def new_workshop(app_database, *, phase: str = "collecting", city: str = "leipzig", **settings):
    info = act(
        app_database,
        ws.create_workshop,
        facilitator=FAC,
        title=settings.pop("title", "Werkstatt im Test"),
        city=city,
        held_on=date(2026, 5, 20),
        **settings,
    )
    path = {
        "draft": (),
        "collecting": ("collecting",),
        "voting": ("collecting", "voting"),
        "results": ("collecting", "voting", "results"),
        "closed": ("collecting", "voting", "results", "closed"),
    }[phase]
    for step in path:
        act(app_database, ws.set_phase, workshop_id=info.id, phase=step, facilitator=FAC)
    return act(app_database, ws.get_workshop, workshop_id=info.id)


def move(app_database, info, phase: str) -> None:
    act(app_database, ws.set_phase, workshop_id=info.id, phase=phase, facilitator=FAC)


def signed_in(user: str, lang: str, **query: str) -> AppTest:
    """/facilitate opened after signing in on /login, like a browser session."""
    return sign_in_to(user, FACILITATE, lang=lang, **query)


def all_text(at: AppTest) -> str:
    texts = visible_texts(at) + [t.value for t in at.text]
    return "\n".join(texts)


# --------------------------------------------------------------------------------------------
# Who may facilitate
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_a_visitor_without_login_sees_the_sign_in_prompt_and_no_workshop(app_database, lang, city):
    info = new_workshop(app_database, title="Geheime Werkstatt", city=city)
    at = open_page(FACILITATE, lang=lang, city=city, code=info.join_code)
    t = translator(lang)
    assert at.title[0].value == t("Run a workshop")
    assert [i.value for i in at.info] == [
        t("This page is for signed-in workshop facilitators and city staff only.")
    ]
    shown = all_text(at)
    assert "Geheime Werkstatt" not in shown and info.join_code not in shown
    assert "Dunckerviertel" not in shown and "Espoonlahti" not in shown  # demo workshops
    assert not at.button and not at.text_input and not at.get("image")
    if lang != "en":
        assert_no_english(at, lang)


def test_staff_are_told_the_page_needs_another_role_and_see_no_workshop(app_database):
    info = new_workshop(app_database, title="Noch eine Werkstatt")
    at = signed_in("demo.staff", "de", city="leipzig")
    assert "Stadtverwaltung" in at.warning[0].value
    shown = all_text(at)
    assert "Noch eine Werkstatt" not in shown and info.join_code not in shown
    assert "Dunckerviertel" not in shown
    assert not at.text_input


def test_the_facilitate_page_is_in_the_navigation_of_facilitators_only(app_database):
    anonymous = open_page(lang="en")
    assert "Run a workshop" not in [link.label for link in anonymous.get("page_link")]
    at = signed_in(FAC, "en")
    assert "Run a workshop" in [link.label for link in at.get("page_link")]


# --------------------------------------------------------------------------------------------
# The facilitator's page
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_a_facilitator_sets_up_and_opens_a_workshop(app_database, lang, city):
    t = translator(lang)
    at = signed_in(FAC, lang, city=city)
    assert at.title[0].value == t("Run a workshop")
    demo = {"espoo": "Espoonlahti 2050", "leipzig": "Dunckerviertel 2050"}[city]
    assert any(demo in m.value for m in at.markdown)  # the city's demo workshop
    # The workshop's language is one of the city's, the page's own first.
    assert at.selectbox(key="fc_lang").value == lang
    if lang != "en":
        assert_no_english(at, lang)
    at.text_input(key="fc_title").input(f"Leipzig 2050 ({lang})")
    at.selectbox(key="fc_district").set_value(DISTRICT[city])
    at.number_input(key="fc_dots").set_value(6)
    at.button(key="fc_create").click().run()
    assert not at.exception
    code = at.query_params["code"]
    assert ws.normalize_join_code(code) == code
    assert at.title[0].value == f"Leipzig 2050 \\({lang}\\)"
    assert t("Not opened yet") in at.markdown[0].value or any(
        t("Not opened yet") in m.value for m in at.markdown
    )
    if lang != "en":
        assert_no_english(at, lang)

    at.button(key="fc_phase_collecting").click().run()
    assert any(t("Collecting cards") in m.value for m in at.markdown)
    # The join screen: the big code and the QR code of /workshop?code=...
    joined_html = " ".join(h.proto.body for h in at.get("html"))
    assert code in joined_html and f"/workshop?code={code}" in joined_html
    assert at.get("image"), "the QR code is shown"
    if lang != "en":
        assert_no_english(at, lang)


def test_the_board_shows_cards_by_theme_with_their_dots_and_who_is_there(app_database):
    info = new_workshop(app_database, dots_per_participant=5, max_dots_per_card=3)
    aino = act(app_database, ws.join_workshop, code=info.join_code, name="Aino").token
    bea = act(app_database, ws.join_workshop, code=info.join_code).token
    first = act(app_database, ws.add_card, token=aino, theme=info.themes[0], text="Mehr Bäume")
    act(app_database, ws.add_card, token=bea, theme=info.themes[1], text="**nicht fett**")
    move(app_database, info, "voting")
    for _ in range(2):
        act(app_database, ws.cast_vote, token=bea, card_id=first.id)
    at = signed_in(FAC, "de", city="leipzig", code=info.join_code)
    at.segmented_control(key="fc_view").set_value("board").run()
    assert [m.value for m in at.metric][:4] == ["2", "0", "2", "2"]
    texts = [t.value for t in at.text]
    assert "Mehr Bäume" in texts and "**nicht fett**" in texts  # as typed, never markdown
    assert any("2 Punkte" in c.value and "Aino" in c.value for c in at.caption)
    assert_no_english(at, "de")


def test_the_facilitator_hides_merges_and_adds_cards(app_database):
    info = new_workshop(app_database)
    token = act(app_database, ws.join_workshop, code=info.join_code).token
    one = act(app_database, ws.add_card, token=token, theme=info.themes[0], text="Radwege")
    two = act(app_database, ws.add_card, token=token, theme=info.themes[0], text="Mehr Radwege!")
    rude = act(app_database, ws.add_card, token=token, theme=info.themes[0], text="Unsinn")
    move(app_database, info, "voting")
    act(app_database, ws.cast_vote, token=token, card_id=two.id)
    at = signed_in(FAC, "de", city="leipzig", code=info.join_code)
    at.segmented_control(key="fc_view").set_value("moderate").run()
    assert_no_english(at, "de")
    at.button(key=f"fc_hide_{rude.id}").click().run()
    at.selectbox(key="fc_merge_source").set_value(two.id).run()
    at.selectbox(key="fc_merge_target").set_value(one.id).run()
    at.button(key="fc_merge_go").click().run()
    at.selectbox(key="fc_new_theme").set_value(info.themes[1])
    at.text_area(key="fc_new_text").input("Idee der Moderation")
    at.button(key="fc_add").click().run()
    assert not at.exception and not at.error
    board = act(app_database, ws.board, workshop_id=info.id)
    merged = next(c for col in board.columns for c in col.cards if c.id == one.id)
    assert merged.dots == 1 and merged.merged_ids == (two.id,)
    assert [c.id for c in board.hidden_cards] == [rude.id]
    assert [c.text for c in board.columns[1].cards] == ["Idee der Moderation"]
    # The hidden card can be put back.
    at.button(key=f"fc_unhide_{rude.id}").click().run()
    assert not act(app_database, ws.board, workshop_id=info.id).hidden_cards


def test_closing_takes_a_confirmation_then_offers_the_exports_and_the_summary(app_database):
    info = new_workshop(app_database, phase="results")
    token = act(app_database, ws.join_workshop, code=info.join_code).token
    at = signed_in(FAC, "en", city="leipzig", code=info.join_code)
    at.button(key="fc_phase_closed").click().run()
    assert act(app_database, ws.get_workshop, workshop_id=info.id).phase == "results"
    at.button(key="fc_close_yes").click().run()
    assert act(app_database, ws.get_workshop, workshop_id=info.id).phase == "closed"
    at.segmented_control(key="fc_view").set_value("outcome").run()
    keys = {b.key for b in at.get("download_button")}
    assert {"fc_xlsx", "fc_csv_cards", "fc_csv_votes", "fc_csv_ratings"} <= keys
    assert any(h.value == "Summary: the top visions per theme" for h in at.header)
    del token


def test_results_before_voting_ends_are_not_offered(app_database):
    info = new_workshop(app_database, phase="voting")
    at = signed_in(FAC, "en", city="leipzig", code=info.join_code)
    at.segmented_control(key="fc_view").set_value("outcome").run()
    assert [i.value for i in at.info] == ["The results can be shown once voting has ended."]
    assert not at.get("download_button")


def test_an_unknown_code_on_the_facilitate_page_shows_the_list(app_database):
    at = signed_in(FAC, "en", city="leipzig", code="ZZZZZZ")
    assert at.title[0].value == "Run a workshop"
    assert "code" not in at.query_params


# --------------------------------------------------------------------------------------------
# The participant's page
# --------------------------------------------------------------------------------------------


def participant(
    code: str | None = None, token: str | None = None, lang: str = "de", city: str = "leipzig"
) -> AppTest:
    query = {}
    if code:
        query["code"] = code
    if token:
        query["p"] = token
    return open_page(WORKSHOP, lang=lang, city=city, **query)


def join_by_form(at: AppTest, name: str = "") -> AppTest:
    if name:
        at.text_input(key="wk_name").input(name)
    at.button(key="wk_join_submit").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_a_resident_joins_by_the_qr_link_writes_a_card_and_keeps_it_after_a_reload(
    app_database, lang, city
):
    t = translator(lang)
    info = new_workshop(app_database, lang=lang, title="Visio 2050", city=city)
    assert info.lang == lang
    at = participant(info.join_code, lang=lang, city=city)
    assert at.title[0].value == t("Join the workshop")
    assert at.text_input(key="wk_code").value == info.join_code
    if lang != "en":
        assert_no_english(at, lang)
    join_by_form(at, "Aino")
    token = at.query_params["p"]
    assert at.query_params["code"] == info.join_code and len(token) >= 32
    assert at.title[0].value == "Visio 2050"
    assert any("Aino" in c.value for c in at.caption)
    if lang != "en":
        assert_no_english(at, lang)

    at.selectbox(key="wk_card_theme").set_value(info.themes[2])
    at.text_area(key="wk_card_text").input("Kirschbäume <script>alert(1)</script> in jeder Straße")
    at.button(key="wk_card_save").click().run()
    assert [s.value for s in at.success] == [t("Your card is saved.")]
    assert at.text_area(key="wk_card_text").value == ""
    assert "Kirschbäume <script>alert(1)</script> in jeder Straße" in [x.value for x in at.text]

    # The tablet slept and its session is gone: the link in the address bar brings them back.
    again = participant(info.join_code, token, lang=lang, city=city)
    assert any("Aino" in c.value for c in again.caption)
    assert "Kirschbäume <script>alert(1)</script> in jeder Straße" in [x.value for x in again.text]
    state = act(app_database, ws.participant_state, token=token)
    assert [c.text for c in state.cards] == [
        "Kirschbäume <script>alert(1)</script> in jeder Straße"
    ]


def test_a_resident_without_a_name_gets_a_friendly_one(app_database):
    info = new_workshop(app_database, lang="de")
    at = join_by_form(participant(info.join_code))
    token = at.query_params["p"]
    name = act(app_database, ws.participant_state, token=token).name
    assert name.split()[0] in ws.GENERATED_NAME_WORDS["de"].split()
    assert any(name in c.value for c in at.caption)


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_wrong_unopened_and_closed_codes_get_clear_translated_messages(app_database, lang, city):
    t = translator(lang)
    draft = new_workshop(app_database, phase="draft", city=city)
    closed = new_workshop(app_database, phase="closed", city=city)
    known = {draft.join_code, closed.join_code}
    unknown = next(c for c in (ws.new_join_code() for _ in range(50)) if c not in known)
    for typed, code in (
        ("K0QM", ws.INVALID_CODE),
        (unknown, ws.UNKNOWN_CODE),
        (draft.join_code, ws.NOT_OPEN),
        (closed.join_code, ws.CLOSED),
    ):
        at = participant(lang=lang, city=city)
        at.text_input(key="wk_code").input(typed)
        join_by_form(at)
        assert [e.value for e in at.error] == [t(ws.MESSAGES[code])], typed
        assert "p" not in at.query_params
        if lang != "en":
            assert_no_english(at, lang)


def test_a_forged_code_in_the_link_is_named_at_once(app_database):
    at = participant("<script>", lang="en")
    assert [e.value for e in at.error] == [ws.MESSAGES[ws.INVALID_CODE]]


def test_a_token_of_another_workshop_shows_nothing_of_it(app_database):
    mine = new_workshop(app_database, title="Meine Werkstatt")
    other = new_workshop(app_database, title="Andere Werkstatt")
    token = act(app_database, ws.join_workshop, code=other.join_code, name="Bea").token
    act(app_database, ws.add_card, token=token, theme=other.themes[0], text="Geheime Idee")
    at = participant(mine.join_code, token)
    shown = all_text(at)
    assert "Andere Werkstatt" not in shown and "Geheime Idee" not in shown and "Bea" not in shown
    assert at.title[0].value == translator("de")("Join the workshop")
    assert "p" not in at.query_params


def test_a_forged_token_gets_the_join_form_with_a_message(app_database):
    info = new_workshop(app_database)
    at = participant(info.join_code, "x" * 40)
    assert at.warning and "Bitte nehmen Sie" in at.warning[0].value
    assert at.text_input(key="wk_code").value == info.join_code


def test_others_cards_appear_only_when_the_facilitator_shares_them(app_database):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    other = act(app_database, ws.join_workshop, code=info.join_code).token
    act(app_database, ws.add_card, token=other, theme=info.themes[0], text="Idee von nebenan")
    assert "Idee von nebenan" not in [x.value for x in participant(info.join_code, me).text]
    act(app_database, ws.set_show_cards, workshop_id=info.id, show=True, facilitator=FAC)
    assert "Idee von nebenan" in [x.value for x in participant(info.join_code, me).text]


def test_a_resident_places_dots_takes_one_back_and_keeps_them_after_a_reload(app_database):
    info = new_workshop(app_database, dots_per_participant=3, max_dots_per_card=2)
    author = act(app_database, ws.join_workshop, code=info.join_code).token
    card = act(app_database, ws.add_card, token=author, theme=info.themes[0], text="Solardächer")
    other = act(app_database, ws.add_card, token=author, theme=info.themes[1], text="Fernwärme")
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    move(app_database, info, "voting")
    t = translator("de")

    def left(n: int) -> str:
        return t.ngettext("You have {n} dot left", "You have {n} dots left", n)

    at = participant(info.join_code, me)
    assert left(3) in [s.value for s in at.subheader]
    assert_no_english(at, "de")
    at.button(key=f"wk_vote_{card.id}").click().run()
    at.button(key=f"wk_vote_{card.id}").click().run()
    assert at.button(key=f"wk_vote_{card.id}").disabled  # at most two on one card
    at.button(key=f"wk_vote_{other.id}").click().run()
    assert left(0) in [s.value for s in at.subheader]
    assert at.button(key=f"wk_vote_{other.id}").disabled  # no dots left
    at.button(key=f"wk_unvote_{card.id}").click().run()
    assert left(1) in [s.value for s in at.subheader]

    reloaded = participant(info.join_code, me)
    assert left(1) in [s.value for s in reloaded.subheader]
    state = act(app_database, ws.participant_state, token=me)
    assert {c.id: c.my_dots for c in state.cards if c.my_dots} == {card.id: 1, other.id: 1}


def test_a_resident_sees_the_results_and_rates_the_workshop(app_database):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    card = act(app_database, ws.add_card, token=me, theme=info.themes[0], text="Grüne Höfe")
    move(app_database, info, "voting")
    act(app_database, ws.cast_vote, token=me, card_id=card.id)
    move(app_database, info, "results")
    at = participant(info.join_code, me)
    assert_no_english(at, "de")
    assert any("1 Punkt" in c.value for c in at.caption)
    at.button(key="wk_rate").click().run()
    assert [e.value for e in at.error] == [translator("de")(ws.MESSAGES[ws.INVALID_RATING])]
    at.feedback(key="wk_rating").set_value(3).run()
    at.text_area(key="wk_comment").input("Sehr schön")
    at.button(key="wk_rate").click().run()
    assert at.success
    state = act(app_database, ws.participant_state, token=me)
    assert (state.rating, state.rating_comment, state.finished) == (4, "Sehr schön", True)
    board = act(app_database, ws.board, workshop_id=info.id)
    assert board.participants_finished == 1


def test_after_closing_a_resident_sees_the_thanks_and_the_top_ideas(app_database):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    act(app_database, ws.add_card, token=me, theme=info.themes[0], text="Stadtgarten")
    for phase in ("voting", "results", "closed"):
        move(app_database, info, phase)
    at = participant(info.join_code, me, lang="en")
    assert [s.value for s in at.success] == [ws.MESSAGES[ws.CLOSED]]
    assert "Stadtgarten" in [x.value for x in at.text]


def test_handing_the_tablet_on_forgets_the_first_resident_on_this_tablet(app_database):
    info = new_workshop(app_database)
    at = join_by_form(participant(info.join_code), "Aino")
    at.button(key="wk_leave").click().run()
    assert "p" not in at.query_params
    assert at.title[0].value == translator("de")("Join the workshop")


# --------------------------------------------------------------------------------------------
# The City Vision 2050 results
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "city"), LANGUAGE_CITIES)
def test_the_results_page_shows_the_top_workshop_visions_of_the_city(app_database, lang, city):
    t = translator(lang)
    at = open_page("views/public/results.py", lang=lang, city=city)
    assert t("Visions from the workshops") in [h.value for h in at.header]
    # A demo workshop card (not a survey answer, which could also mention trees).
    ours, theirs = "Mehr Bäume in den Straßen, damit es im Sommer schattig", "Lippulaiva"
    if city == "espoo":
        ours, theirs = theirs, ours
    assert any(ours in x.value for x in at.text)
    assert not any(theirs in x.value for x in at.text)  # a city's workshops stay in it
    if lang != "en":
        assert_no_english(at, lang)


def test_the_qr_link_without_a_city_shows_the_workshops_own_city(app_database):
    info = new_workshop(app_database, lang="de")
    token = act(app_database, ws.join_workshop, code=info.join_code).token
    at = open_page(WORKSHOP, lang="de", code=info.join_code, p=token)  # Espoo by default
    assert at.query_params["city"] == "leipzig"
    assert at.title[0].value == "Werkstatt im Test"


def test_dots_on_a_card_the_facilitator_hid_can_be_taken_back(app_database):
    info = new_workshop(app_database, dots_per_participant=2, max_dots_per_card=2)
    token = act(app_database, ws.join_workshop, code=info.join_code).token
    card = act(app_database, ws.add_card, token=token, theme=info.themes[0], text="Unsinn")
    move(app_database, info, "voting")
    for _ in range(2):
        act(app_database, ws.cast_vote, token=token, card_id=card.id)
    act(app_database, ws.hide_card, workshop_id=info.id, card_id=card.id, facilitator=FAC)
    at = participant(info.join_code, token)
    assert "Unsinn" not in [x.value for x in at.text]  # the hidden text is not shown again
    at.button(key=f"wk_unvote_hidden_{card.id}").click().run()
    with session_scope(get_engine(app_database)) as session:
        state = ws.participant_state(session=session, token=token)
    assert state.dots_left == 1
    assert_no_english(at, "de")


def test_closed_workshop_cards_can_still_be_hidden(app_database):
    info = new_workshop(app_database)
    token = act(app_database, ws.join_workshop, code=info.join_code).token
    card = act(app_database, ws.add_card, token=token, theme=info.themes[0], text="Zu privat")
    for phase in ("voting", "results", "closed"):
        move(app_database, info, phase)
    at = signed_in(FAC, "de", city="leipzig", code=info.join_code)
    at.segmented_control(key="fc_view").set_value("moderate").run()
    at.button(key=f"fc_hide_{card.id}").click().run()
    assert not at.exception
    with session_scope(get_engine(app_database)) as session:
        board = ws.board(session=session, workshop_id=info.id)
    assert [c.id for c in board.hidden_cards] == [card.id]


# --------------------------------------------------------------------------------------------
# A database that blinks, and a tap that arrives twice
# --------------------------------------------------------------------------------------------


def _dropping(real, failures: list[int]):
    """``real``, failing with a dropped connection as many times as failures[0] says."""
    import sqlalchemy as sa

    def use_case(**kwargs):
        if failures[0] > 0:
            failures[0] -= 1
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return real(**kwargs)

    use_case.__name__ = real.__name__
    return use_case


def test_a_connection_dropped_once_is_retried_and_the_resident_sees_nothing(
    app_database, monkeypatch
):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    failures = [1]
    monkeypatch.setattr(ws, "participant_state", _dropping(ws.participant_state, failures))
    at = participant(info.join_code, me)
    assert failures == [0]
    assert not at.exception
    assert info.title in all_text(at)
    lost = translator("de")("Connection to the database was lost, trying again…")
    assert lost not in all_text(at)


def test_a_connection_that_stays_down_shows_a_translated_note_never_an_exception_box(
    app_database, monkeypatch
):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    failures = [10]
    monkeypatch.setattr(ws, "participant_state", _dropping(ws.participant_state, failures))
    at = participant(info.join_code, me)
    assert not at.exception
    lost = translator("de")("Connection to the database was lost, trying again…")
    assert lost in [w.value for w in at.warning]
    # Back up: the next run shows the workshop, and the tablet is still the same person.
    failures[0] = 0
    at.run()
    assert not at.exception
    assert lost not in [w.value for w in at.warning]
    assert info.title in all_text(at)
    assert at.query_params["p"] == me


def test_a_tap_lost_to_the_database_says_so_and_the_page_carries_on(app_database, monkeypatch):
    info = new_workshop(app_database, phase="voting")
    author = act(app_database, ws.join_workshop, code=info.join_code).token
    move(app_database, info, "collecting")
    card = act(app_database, ws.add_card, token=author, theme=info.themes[0], text="Solardächer")
    move(app_database, info, "voting")
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    monkeypatch.setattr(ws, "cast_vote", _dropping(ws.cast_vote, [10]))
    at = participant(info.join_code, me)
    at.button(key=f"wk_vote_{card.id}").click().run()
    assert not at.exception
    note = translator("de")(
        "The connection to the database was lost, so your last action was not saved. "
        "Please try it again."
    )
    assert note in [w.value for w in at.warning]
    assert act(app_database, ws.participant_state, token=me).dots_used == 0


def test_a_tap_whose_write_arrives_twice_places_one_dot(app_database):
    """The page names each tap; the same tap's write arriving again (its callback run a second
    time, or retried after a dropped connection) places no second dot, a new tap does."""
    info = new_workshop(app_database, dots_per_participant=5, max_dots_per_card=3)
    author = act(app_database, ws.join_workshop, code=info.join_code).token
    card = act(app_database, ws.add_card, token=author, theme=info.themes[0], text="Solardächer")
    move(app_database, info, "voting")
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    at = participant(info.join_code, me)
    epoch = at.session_state["wk_tap_epoch"]
    at.button(key=f"wk_vote_{card.id}").click().run()
    assert act(app_database, ws.participant_state, token=me).dots_used == 1
    # The same tap again, as its second callback run would send it.
    act(app_database, ws.cast_vote, token=me, card_id=card.id, tap=f"{epoch}-p{card.id}")
    assert act(app_database, ws.participant_state, token=me).dots_used == 1
    assert at.session_state["wk_tap_epoch"] != epoch  # the next tap is a new one
    at.button(key=f"wk_vote_{card.id}").click().run()
    assert act(app_database, ws.participant_state, token=me).dots_used == 2
    assert not at.exception


def test_a_card_pasted_too_long_keeps_what_fits_and_says_what_was_cut(app_database):
    info = new_workshop(app_database)
    me = act(app_database, ws.join_workshop, code=info.join_code).token
    at = participant(info.join_code, me)
    pasted = "Solardächer auf jedem Haus. " * 20  # 560 characters
    at.text_area(key="wk_card_text").input(pasted).run()
    kept = pasted[: ws.MAX_CARD_LENGTH]
    assert at.text_area(key="wk_card_text").value == kept
    note = translator("de")(
        "Your text was {length} characters long. We kept the first {max}; the rest was cut.",
        length=translator("de").number(len(pasted)),
        max=translator("de").number(ws.MAX_CARD_LENGTH),
    )
    assert note in [w.value for w in at.warning]
    at.button(key="wk_card_save").click().run()
    assert not at.exception
    state = act(app_database, ws.participant_state, token=me)
    assert [c.text for c in state.cards] == [kept.strip()]
