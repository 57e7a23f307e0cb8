"""Events organised by a conversation group: only its facilitators name it, its members hear of the
event, the group's page lists what is coming, its own list and iCalendar feed; a private group is
never named to outsiders."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.conversations.models import Access
from squaremile.conversations.tests.factories import PersonFactory, group, member
from squaremile.events import services
from squaremile.events.forms import EventForm
from squaremile.events.tests.factories import EventFactory
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _data(**extra):
    start = timezone.now() + dt.timedelta(days=3)
    return {"title": "Seed swap", "starts_at": start, "ends_at": start + dt.timedelta(hours=2), "mode": "in_person",
            "venue_name": "Hall", **extra}  # fmt: skip


def test_a_facilitator_names_their_group_and_its_members_are_told():
    organiser = PersonFactory(role=Role.ORGANISER)
    garden = group(owner=organiser)
    neighbour = member(garden)
    outsider_group = group(name="Someone else's")
    assert list(EventForm(user=organiser).fields["group"].queryset) == [garden]
    assert "group" not in EventForm(user=UserFactory(role=Role.ORGANISER)).fields  # facilitates none: no choice
    with pytest.raises(ValidationError, match="facilitator of the group"):
        services.event_create(by=organiser, data=_data(group=outsider_group))
    event = services.event_create(by=organiser, data=_data(group=garden))
    note = Notification.objects.get(recipient=neighbour, kind="events.group_event")
    assert note.url == event.get_absolute_url() and "Seed swap" in note.title
    assert not Notification.objects.filter(recipient=organiser, kind="events.group_event").exists()
    # an edit that keeps the group tells nobody again; another organiser cannot move it to their group
    services.event_update(event=event, by=organiser, data={"title": "Seed swap!", "group": garden})
    assert Notification.objects.filter(kind="events.group_event").count() == 1


def test_group_page_list_and_feed_show_its_events(client):
    organiser = PersonFactory(role=Role.ORGANISER)
    garden = group(owner=organiser)
    event = services.event_create(by=organiser, data=_data(group=garden))
    EventFactory(title="Not theirs")
    page = client.get(garden.get_absolute_url())
    assert page.status_code == 200 and b"Seed swap" in page.content and b"Not theirs" not in page.content
    listing = client.get(reverse("events:list"), {"group": garden.slug})
    assert b"Seed swap" in listing.content and b"Not theirs" not in listing.content
    assert reverse("events:group_ics", args=[garden.slug]).encode() in listing.content
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    calendar = client.get(reverse("events:calendar"), {"group": garden.slug, "month": month})
    assert b"Seed swap" in calendar.content and b"Not theirs" not in calendar.content
    feed = client.get(reverse("events:group_ics", args=[garden.slug]))
    cal = Calendar.from_ical(b"".join(feed.streaming_content))
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Seed swap"]
    detail = client.get(event.get_absolute_url())
    assert garden.get_absolute_url().encode() in detail.content


def test_a_private_group_is_not_named_to_outsiders(client):
    organiser = PersonFactory(role=Role.ORGANISER)
    secret = group(owner=organiser, access=Access.PRIVATE, name="Tenants' committee")
    insider = member(secret)
    event = services.event_create(by=organiser, data=_data(group=secret))
    assert client.get(reverse("events:list"), {"group": secret.slug}).status_code == 404
    assert client.get(reverse("events:group_ics", args=[secret.slug])).status_code == 404
    assert b"Tenants" not in client.get(event.get_absolute_url()).content
    client.force_login(insider)
    assert b"Tenants" in client.get(event.get_absolute_url()).content
    assert client.get(reverse("events:list"), {"group": secret.slug}).status_code == 200
