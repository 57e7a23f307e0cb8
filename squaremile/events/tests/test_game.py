"""The skills game played at an event: its organisers open tables from the event's page (methods'
game services do the work), players sort cards at their tables, the event shows the tables together."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.events import services
from squaremile.events.tests.factories import EventFactory
from squaremile.methods.game import services as game_services
from squaremile.methods.game.cards import standard_decks
from squaremile.methods.models import DeckCard, Pile

pytestmark = pytest.mark.django_db


def test_organiser_opens_tables_and_the_event_shows_the_combined_result(client):
    event = EventFactory()
    deck, _ = standard_decks()
    client.force_login(event.owner)
    page = client.get(reverse("events:game_tables", args=[event.slug]))
    assert page.status_code == 200
    assert client.post(reverse("events:game_tables", args=[event.slug]), {"deck": deck.pk, "phones": 0, "screen": 0,
                                                                           "paper": 0}).status_code == 400  # fmt: skip
    done = client.post(reverse("events:game_tables", args=[event.slug]), {"deck": deck.pk, "phones": 2, "screen": 0,
                                                                          "paper": 1})  # fmt: skip
    assert done.status_code == 302
    event.refresh_from_db()
    game = event.game
    assert game.owner == event.owner and game.event_ref == event.slug and game.tables.count() == 3
    one, two = game.tables.filter(mode="phones").order_by("id")
    first, second = DeckCard.objects.filter(deck=deck).order_by("position").values_list("card_id", flat=True)[:2]
    game_services.card_sort(table=one, card_id=first, pile=Pile.NOBODY)
    game_services.card_sort(table=two, card_id=first, pile=Pile.CAN)  # the best pile any table chose counts
    game_services.card_sort(table=two, card_id=second, pile=Pile.FRIENDS)
    page = client.get(event.get_absolute_url())
    text = page.content.decode()
    assert "The 3 tables together" in text and "We can: 1 card" in text and "Our friends can: 1" in text
    assert one.code in text  # the runners see the tables' codes
    client.logout()
    public = client.get(event.get_absolute_url()).content.decode()
    assert "The 3 tables together" in public and one.code not in public
    # more tables later: added to the same game, numbered on
    services.game_tables_open(event=event, by=event.owner, tables={"phones": 1})
    assert sorted(game.tables.values_list("name", flat=True)) == ["Paper table 1", "Table 1", "Table 2", "Table 3"]


def test_only_the_events_runners_open_tables():
    event = EventFactory()
    deck, _ = standard_decks()
    with pytest.raises(PermissionDenied):
        services.game_tables_open(event=event, by=UserFactory(role=Role.ORGANISER), deck=deck, tables={"phones": 1})
    facilitator = UserFactory(role=Role.MEMBER)
    spaces.grant(space=event, user=facilitator, role="facilitator", by=event.owner)
    with pytest.raises(PermissionDenied):  # the game itself needs an organiser (methods' rule)
        services.game_tables_open(event=event, by=facilitator, deck=deck, tables={"phones": 1})
    with pytest.raises(ValidationError, match="deck"):
        services.game_tables_open(event=event, by=event.owner, deck=None, tables={"phones": 1})
    event.refresh_from_db()
    assert event.game is None


def test_a_groups_event_plays_the_game_as_that_group():
    from squaremile.conversations.tests.factories import group

    event = EventFactory()
    event.group = group(owner=event.owner, name="Valley gardeners")
    event.save()
    game = services.game_tables_open(event=event, by=event.owner, deck=standard_decks()[0], tables={"paper": 1})
    assert game.group_name == "Valley gardeners"
