"""The events API names an event's organising group and its skills game, and publishes or changes an
event with a group: only a group the person facilitates (the check the web form's service makes), a
private group never named to outsiders, every refusal a 4xx JSON message."""

import datetime as dt

import pytest
from django.utils import timezone

from squaremile.accounts import services as accounts
from squaremile.accounts.models import Role
from squaremile.conversations.models import Access
from squaremile.conversations.tests.factories import PersonFactory, group, member
from squaremile.events import services
from squaremile.events.models import Event
from squaremile.events.tests.factories import EventFactory
from squaremile.methods.game.cards import standard_decks
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    token = accounts.api_token_create(user=user, by=user, name="script")
    key = token[1] if isinstance(token, tuple) else token
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _new(**extra) -> dict:
    start = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    end = start + dt.timedelta(hours=2)
    return {"title": "Seed swap", "starts_at": start.isoformat(), "ends_at": end.isoformat(), "mode": "in_person",
            "venue_name": "Mill Lane hall", **extra}  # fmt: skip


def _refused(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message"]
    if field:
        assert field in body["errors"], body
    return body


def test_an_event_names_its_group_and_its_game_and_a_private_group_only_to_those_who_may_see_it(client):
    organiser = PersonFactory(role=Role.ORGANISER)
    garden = group(owner=organiser, name="Mill Lane allotments")
    event = EventFactory(group=garden)
    deck, _ = standard_decks()
    services.game_tables_open(event=event, by=event.owner, deck=deck, tables={"phones": 1})
    event.refresh_from_db()

    detail = client.get(f"/api/v1/events/{event.slug}").json()
    assert detail["group"] == {"id": garden.pk, "slug": garden.slug, "name": "Mill Lane allotments",
                               "url": garden.get_absolute_url()}  # fmt: skip
    assert detail["game"] == {"id": event.game.pk, "name": event.game.name, "url": event.game.get_absolute_url()}
    listed = client.get("/api/v1/events").json()["items"]
    assert listed[0]["group"]["slug"] == garden.slug and listed[0]["game"]["id"] == event.game.pk

    tenants = group(owner=organiser, name="Quarry tenants", access=Access.PRIVATE)
    secret = EventFactory(group=tenants)
    assert client.get(f"/api/v1/events/{secret.slug}").json()["group"] is None
    assert "Quarry tenants" not in client.get("/api/v1/events").content.decode()
    assert client.get(f"/api/v1/events/{secret.slug}").json()["game"] is None
    insider = member(tenants)
    seen = client.get(f"/api/v1/events/{secret.slug}", **_bearer(insider)).json()
    assert seen["group"]["name"] == "Quarry tenants"

    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"group", "game"} <= set(schema["EventOut"]["properties"])
    assert "group" in schema["EventIn"]["properties"] and "group" in schema["EventPatch"]["properties"]


def test_a_facilitator_publishes_an_event_for_their_group_and_changes_it(client):
    organiser = PersonFactory(role=Role.ORGANISER)
    garden = group(owner=organiser, name="Mill Lane allotments")
    neighbour = member(garden)
    auth = _bearer(organiser)

    made = client.post("/api/v1/events", _new(group=garden.slug), content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    assert made.json()["group"]["slug"] == garden.slug
    event = Event.objects.get(slug=made.json()["slug"])
    assert event.group == garden and event.owner == organiser
    assert Notification.objects.filter(recipient=neighbour, kind="events.group_event").count() == 1

    changed = client.patch(f"/api/v1/events/{event.slug}", {"title": "Seed and plant swap"},
                           content_type="application/json", **auth)  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Seed and plant swap" and changed.json()["group"]["slug"] == garden.slug
    event.refresh_from_db()
    assert event.group == garden and event.venue_name == "Mill Lane hall"
    assert Notification.objects.filter(kind="events.group_event").count() == 1  # the same group: nobody told again

    cleared = client.patch(f"/api/v1/events/{event.slug}", {"group": None}, content_type="application/json", **auth)
    assert cleared.status_code == 200 and cleared.json()["group"] is None
    event.refresh_from_db()
    assert event.group is None

    again = client.patch(f"/api/v1/events/{event.slug}", {"group": garden.slug}, content_type="application/json",
                         **auth)  # fmt: skip
    assert again.status_code == 200 and again.json()["group"]["id"] == garden.pk


def test_naming_a_group_one_does_not_facilitate_is_refused_with_a_message(client):
    organiser = PersonFactory(role=Role.ORGANISER)
    theirs = group(name="Someone else's garden")
    member(theirs, organiser)  # a member, not a facilitator
    hidden = group(name="Quarry tenants", access=Access.PRIVATE)
    auth = _bearer(organiser)

    body = _refused(client.post("/api/v1/events", _new(group=theirs.slug), content_type="application/json", **auth),
                    400, "group")  # fmt: skip
    assert "facilitator of the group" in body["errors"]["group"][0]
    body = _refused(client.post("/api/v1/events", _new(group=hidden.slug), content_type="application/json", **auth),
                    400, "group")  # fmt: skip
    assert body["errors"]["group"] == ["No such group."]  # a private group is not named to outsiders
    _refused(client.post("/api/v1/events", _new(group="nope"), content_type="application/json", **auth), 400, "group")
    assert not Event.objects.exists()

    start = timezone.now() + dt.timedelta(days=5)
    mine = services.event_create(
        by=organiser, data={**_new(), "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    )
    _refused(client.patch(f"/api/v1/events/{mine.slug}", {"group": theirs.slug}, content_type="application/json",
                          **auth), 400, "group")  # fmt: skip
    mine.refresh_from_db()
    assert mine.group is None

    # the web form's other checks hold too, and people who do not run the event are refused
    _refused(client.post("/api/v1/events", _new(mode="online"), content_type="application/json", **auth),
             400, "online_url")  # fmt: skip
    _refused(client.post("/api/v1/events", _new(area="nowhere"), content_type="application/json", **auth), 400, "area")
    _refused(client.patch(f"/api/v1/events/{mine.slug}", {"title": None}, content_type="application/json", **auth),
             400, "title")  # fmt: skip
    stranger = PersonFactory(role=Role.ORGANISER)
    _refused(client.patch(f"/api/v1/events/{mine.slug}", {"title": "Mine now"}, content_type="application/json",
                          **_bearer(stranger)), 403)  # fmt: skip
    _refused(client.post("/api/v1/events", _new(), content_type="application/json", **_bearer(PersonFactory())), 403)
    _refused(client.post("/api/v1/events", _new(), content_type="application/json"), 401)
    _refused(client.patch("/api/v1/events/nope", {"title": "x"}, content_type="application/json", **auth), 404)
    mine.refresh_from_db()
    assert mine.title == "Seed swap"
