"""An event's organisers and facilitators page, on the shared people page (core/space_people.py)."""

import pytest
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_the_owner_adds_a_facilitator_and_an_organiser_by_e_mail_and_removes_one(client):
    event = EventFactory(title="Spring gathering")
    url = reverse("events:organisers", args=[event.slug])
    facilitator, organiser = UserFactory(email="fay@example.org"), UserFactory(email="ola@example.org")
    client.force_login(event.owner)
    page = client.get(url).content.decode()
    assert "Organisers and facilitators of “Spring gathering”" in page and "Only you so far." in page

    wrong = client.post(url, {"email": "nobody@example.org", "role": "organiser"})
    assert wrong.status_code == 400
    assert "Nobody has an account with this address yet" in wrong.content.decode()
    assert 'value="nobody@example.org"' in wrong.content.decode()

    done = client.post(url, {"email": "FAY@example.org", "role": "facilitator"}, follow=True)
    assert f"{facilitator} is now a facilitator of this event." in done.content.decode()
    client.post(url, {"email": "ola@example.org", "role": "organiser"})
    assert sorted((h.user.email, h.role) for h in spaces.holders(event)) == [
        ("fay@example.org", "facilitator"), ("ola@example.org", "organiser"),
    ]  # fmt: skip

    client.post(url, {"revoke": str(facilitator.pk), "role": "facilitator"})
    assert [(h.user, h.role) for h in spaces.holders(event)] == [(organiser, "organiser")]
    # each change is in the event's history (the shared audit log), by whom and to whom
    from squaremile.audit.registry import label_for
    from squaremile.audit.selectors import history_for

    history = [(e.action, e.actor, e.note) for e in history_for(event).order_by("id")
               if e.action.startswith("event.person_")]  # fmt: skip
    assert history == [
        ("event.person_added", event.owner, f"{facilitator} (facilitator)"),
        ("event.person_added", event.owner, f"{organiser} (organiser)"),
        ("event.person_removed", event.owner, f"{facilitator} (facilitator)"),
    ]
    assert label_for("event.person_removed") == "A person was removed from its organisers"


def test_a_facilitator_may_not_choose_the_organisers(client):
    event = EventFactory()
    facilitator, outsider = UserFactory(), UserFactory()
    spaces.grant(space=event, user=facilitator, role="facilitator", by=event.owner)
    url = reverse("events:organisers", args=[event.slug])
    client.force_login(facilitator)
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": outsider.email, "role": "organiser"}).status_code == 403
    assert [h.user for h in spaces.holders(event)] == [facilitator]
