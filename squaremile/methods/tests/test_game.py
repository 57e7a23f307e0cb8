import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.models import Skill
from squaremile.methods.game import cards, results, selectors, services
from squaremile.methods.models import Card, GameTable, Pile, SkillGap
from squaremile.methods.tests.factories import organiser

pytestmark = pytest.mark.django_db


@pytest.fixture
def decks():
    return cards.standard_decks()


@pytest.fixture
def game(decks):
    from squaremile.places.tests.factories import AreaFactory

    return services.game_create(
        by=organiser(), name="Skills night", deck=decks[0], played_on=datetime.date(2026, 5, 1), area=AreaFactory(),
        tables=[("Table 1", "phones"), ("Table 2", "phones"), ("Paper", "paper")],
    )  # fmt: skip


def test_the_standard_decks_come_from_the_taxonomy(decks):
    full, short = decks
    assert full.cards.count() == 100 and short.cards.count() == 40
    assert Card.objects.count() == Skill.objects.count()
    families = {c.family_id for c in short.cards.all()}
    assert len(families) == 12  # a short deck still has every family
    assert cards.standard_decks()[0] == full  # made once


def test_only_organisers_open_games(decks):
    with pytest.raises(PermissionDenied):
        services.game_create(
            by=UserFactory(), name="x", deck=decks[0], played_on=datetime.date.today(), tables=[("T", "phones")]
        )


def test_sorting_raises_the_version_and_the_later_tap_wins(game):
    table = game.tables.first()
    deck_ids = selectors.deck_card_ids(game.deck_id)
    v0 = GameTable.objects.get(pk=table.pk).version
    v1 = services.card_sort(table=table, card_id=deck_ids[0], pile=Pile.CAN)
    v2 = services.card_sort(table=table, card_id=deck_ids[0], pile=Pile.NOBODY)
    assert v0 < v1 < v2
    state = selectors.table_state(GameTable.objects.get(pk=table.pk))
    assert state["card"]["id"] == deck_ids[1] and state["sorted"] == 1
    assert [p["count"] for p in state["piles"]] == [0, 0, 1]
    services.card_unsort(table=table, card_id=deck_ids[0])
    assert selectors.table_state(GameTable.objects.get(pk=table.pk))["card"]["id"] == deck_ids[0]
    with pytest.raises(ValidationError):
        services.card_sort(table=table, card_id=Card.objects.exclude(pk__in=deck_ids).first().pk, pile=Pile.CAN)
    with pytest.raises(ValidationError):
        services.card_sort(table=table, card_id=deck_ids[0], pile="maybe")


def test_results_per_table_and_together(game):
    t1, t2, paper = game.tables.order_by("id")
    ids = selectors.deck_card_ids(game.deck_id)
    for i, cid in enumerate(ids):
        services.card_sort(table=t1, card_id=cid, pile=Pile.CAN if i < 50 else Pile.NOBODY)
    for i, cid in enumerate(ids[:80]):
        services.card_sort(table=t2, card_id=cid, pile=Pile.NOBODY if i < 50 else Pile.FRIENDS)
    services.tally_save(by=game.owner, table=paper, piles=dict.fromkeys(ids, Pile.NOBODY))
    r1 = results.table_results(GameTable.objects.get(pk=t1.pk))
    assert (r1.tally.can, r1.tally.nobody, r1.tally.together_pct) == (50, 50, 50)
    combined = results.game_results(game)
    # cards 0-49: we can (table 1); 50-79: friends (table 2); 80-99: nobody anywhere
    assert (combined.tally.can, combined.tally.friends, combined.tally.nobody) == (50, 30, 20)
    assert combined.tally.together_pct == 80 and combined.title == "The 3 tables together"
    assert sum(f.tally.sorted for f in combined.families) == 100
    assert len(combined.nobody_cards) == 20
    gaps = services.gaps_record(by=game.owner, game=game)
    assert len(gaps) == 20 and SkillGap.objects.filter(area=game.area).count() == 20
    assert len(services.gaps_record(by=game.owner, game=game)) == 0  # once
    with pytest.raises(PermissionDenied):
        services.gaps_record(by=UserFactory(), game=game)


def test_a_tally_only_holds_cards_of_the_deck(game):
    paper = game.tables.get(mode="paper")
    outside = Card.objects.exclude(pk__in=selectors.deck_card_ids(game.deck_id)).first()
    with pytest.raises(ValidationError):
        services.tally_save(by=game.owner, table=paper, piles={outside.pk: Pile.CAN})
    with pytest.raises(PermissionDenied):
        services.tally_save(by=UserFactory(), table=paper, piles={})


def test_phones_join_poll_cheaply_and_sort(game, django_assert_num_queries):
    table = game.tables.first()
    phone = Client()
    response = phone.post(reverse("methods:join"), {"code": table.code.lower(), "name": "Amira"})
    assert response.status_code == 302 and response["Location"] == reverse("methods:play", args=[table.code])
    play = phone.get(response["Location"])
    assert play.status_code == 200 and "Card 1 of 100" in play.content.decode()
    version = GameTable.objects.get(pk=table.pk).version
    state_url = reverse("methods:state", args=[table.code])
    with django_assert_num_queries(1):
        assert phone.get(state_url, {"v": version}).status_code == 304
    card_id = selectors.deck_card_ids(game.deck_id)[0]
    sorted_ = phone.post(
        reverse("methods:sort", args=[table.code]), {"card": card_id, "pile": "can"}, HTTP_ACCEPT="application/json"
    )
    assert sorted_.status_code == 200 and sorted_.json()["sorted"] == 1
    other = Client()
    assert (
        other.post(reverse("methods:sort", args=[table.code]), {"card": card_id, "pile": "nobody"}).status_code == 302
    )  # joins first
    fresh = phone.get(state_url, {"v": version})
    assert fresh.status_code == 200 and fresh.json()["piles"][0]["recent"][0]["id"] == card_id
    assert fresh["ETag"] == f'"{fresh.json()["version"]}"'
    assert phone.get(state_url, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304


def test_a_wrong_code_is_told_kindly(client):
    response = client.post(reverse("methods:join"), {"code": "ZZZZZZ", "name": "Ben"})
    assert response.status_code == 400 and "No table has this code" in response.content.decode()
    assert client.get(reverse("methods:state", args=["ZZZZZZ"])).status_code == 404


def test_a_signed_in_player_adds_their_skills(game):
    table = game.tables.first()
    person = UserFactory()
    phone = Client()
    phone.force_login(person)
    phone.post(reverse("methods:join"), {"code": table.code, "name": "Dev"})
    ids = selectors.deck_card_ids(game.deck_id)[:3]
    for cid in ids:
        phone.post(reverse("methods:sort", args=[table.code]), {"card": cid, "pile": "can"})
    phone.post(reverse("methods:my_skills", args=[table.code]), {"cards": [str(ids[0]), str(ids[1])]})
    assert person.profile.skills.count() == 2


def test_paper_cards_and_tally_sheet_print(decks, client):
    page = client.get(reverse("methods:paper", args=[decks[1].pk]))
    assert page.content.decode().count('class="paper-card"') == 40
    pdf = client.get(reverse("methods:paper", args=[decks[1].pk]) + "?format=pdf")
    assert pdf.content[:5] == b"%PDF-"


def test_qr_code_is_svg(game, client):
    table = game.tables.first()
    response = client.get(reverse("methods:qr", args=[table.code]))
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content


def test_cards_have_their_own_words_and_a_deck_copy_rephrases_them(decks):
    plumbing = Card.objects.get(skill__slug="plumbing")
    assert plumbing.text == "Fix a dripping tap" and plumbing.skill.name == "Plumbing"
    assert all(c.text != c.skill.name for c in Card.objects.exclude(skill=None).select_related("skill"))
    user = organiser()
    client = Client()
    client.force_login(user)
    full = decks[0]
    page = client.get(reverse("methods:deck_create") + f"?from={full.pk}")
    assert page.status_code == 200 and "Fix a bike puncture" in page.content.decode()
    ids = selectors.deck_card_ids(full.pk)[:12]
    first = Card.objects.get(pk=ids[0])
    data = {"name": "Our deck", "description": "", "cards": ids}
    for card in Card.objects.all():
        data[f"text_{card.pk}"] = card.text
    data[f"text_{first.pk}"] = "  Mend <b>anything</b>  with   glue "
    response = client.post(reverse("methods:deck_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    deck = user.game_decks.get()
    assert dict(deck.deck_cards.exclude(text="").values_list("card_id", "text")) == {
        first.pk: "Mend <b>anything</b> with glue"
    }
    assert Card.objects.get(pk=first.pk).text == first.text  # the card itself keeps its words
    game = services.game_create(
        by=user, name="Ours", deck=deck, played_on=datetime.date.today(), tables=[("T", "phones"), ("P", "paper")]
    )
    table = game.tables.get(name="T")
    state = selectors.table_state(table)
    assert state["card"]["id"] == first.pk and state["card"]["text"] == "Mend <b>anything</b> with glue"
    paper = client.get(reverse("methods:paper", args=[deck.pk])).content.decode()
    assert "Mend &lt;b&gt;anything&lt;/b&gt; with glue" in paper and "<b>anything" not in paper
    services.card_sort(table=table, card_id=first.pk, pile=Pile.NOBODY)
    assert [c.text for c in results.table_results(table).nobody_cards] == ["Mend <b>anything</b> with glue"]
    # too few cards: the form says so and nothing is saved
    bad = client.post(reverse("methods:deck_create"), {**data, "cards": ids[:3], "name": "Tiny"})
    assert bad.status_code == 400 and "at least 10 cards" in bad.content.decode()


def test_a_group_sees_its_results_over_time(decks):
    from squaremile.directory.tests.factories import OrganisationFactory

    user = organiser()
    org = OrganisationFactory()
    played = []
    for day, piles in ((1, [Pile.CAN, Pile.NOBODY, Pile.NOBODY]), (20, [Pile.CAN, Pile.FRIENDS, Pile.NOBODY])):
        game = services.game_create(
            by=user, name=f"Night {day}", deck=decks[1], played_on=datetime.date(2026, 3, day),
            tables=[("T", "phones")], group=org.get_absolute_url(),
        )  # fmt: skip
        table = game.tables.get()
        for card_id, pile in zip(selectors.deck_card_ids(decks[1].pk), piles, strict=False):
            services.card_sort(table=table, card_id=card_id, pile=pile)
        played.append(game)
    assert played[0].group_key == f"directory.organisation:{org.pk}" and played[0].group_name == org.name
    team = services.game_create(
        by=user, name="Other", deck=decks[1], played_on=datetime.date(2026, 3, 2), tables=[("T", "paper")],
        group="  Millbrook   Tenants ",
    )  # fmt: skip
    assert (team.group_name, team.group_key) == ("Millbrook Tenants", "team:millbrook-tenants")
    with pytest.raises(ValidationError):
        services.game_create(
            by=user, name="x", deck=decks[1], played_on=datetime.date.today(), tables=[("T", "phones")],
            group="/no/such/page/",
        )  # fmt: skip
    over = results.over_time(played)
    assert [p.tally.together_pct for p in over] == [33, 67] and over[1].change == 34
    client = Client()
    client.force_login(user)
    url = reverse("methods:group_results", args=[played[0].group_key])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "67%" in body and "+34 points" in body and "up from" in body
    assert url in client.get(reverse("methods:game_results", args=[played[0].pk])).content.decode()
    # someone who neither organised nor played sees nothing of it
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(url).status_code == 404
    # a player sees the games they played
    player = Client()
    player.post(reverse("methods:join"), {"code": played[1].tables.get().code, "name": "Ann"})
    seen = player.get(url)
    assert seen.status_code == 200 and "Night 20" in seen.content.decode() and "Night 1<" not in seen.content.decode()


def test_the_game_form_says_when_the_group_link_is_not_a_group(decks):
    from squaremile.methods.models import Game

    client = Client()
    client.force_login(organiser())
    data = {"name": "Night", "deck": decks[1].pk, "played_on": "2026-03-01", "phone_tables": 1, "screen_tables": 0,
            "paper_tables": 0, "group": "https://testserver/methods/"}  # fmt: skip
    response = client.post(reverse("methods:game_create"), data)
    assert response.status_code == 400 and "not the page of an organisation" in response.content.decode()
    assert not Game.objects.exists()
    assert client.post(reverse("methods:game_create"), {**data, "group": "Youth club"}).status_code == 302
    assert Game.objects.get().group_key == "team:youth-club"
