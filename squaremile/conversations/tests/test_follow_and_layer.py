"""Following a group (the shared follow): its new conversations reach followers who do not hear of
them as members; a private group cannot be followed by outsiders. The map's "Groups" layer."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from squaremile.conversations.models import Access
from squaremile.conversations.tests import factories
from squaremile.mapping import layers
from squaremile.notifications import services as notify_services
from squaremile.notifications.models import Notification
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def test_followers_hear_of_new_conversations_once(client):
    group = factories.group(name="Mill Lane allotments")
    follower, member = factories.PersonFactory(), factories.member(group)
    client.force_login(follower)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Follow this group" in page
    data = {"model": "conversations.group", "pk": group.pk, "action": "follow", "next": group.get_absolute_url()}
    response = client.post(reverse("notifications:follow"), data)
    assert response.status_code == 302
    assert "Following this group" in client.get(group.get_absolute_url()).content.decode()
    notify_services.follow(user=member, target=group)  # a member who also follows: told once, as a member
    thread = factories.thread(group, title="Water butts")
    [note] = Notification.objects.filter(recipient=follower)
    assert note.kind == "conversations.followed_thread" and note.target == thread
    assert Notification.objects.filter(recipient=member).count() == 1
    from squaremile.conversations import services

    services.reply_post(thread=thread, by=member, body="Yes")
    assert Notification.objects.filter(recipient=follower).count() == 1  # new conversations, not every reply


def test_a_private_group_cannot_be_followed_by_outsiders(client):
    group = factories.group(access=Access.PRIVATE)
    outsider = factories.PersonFactory()
    with pytest.raises(PermissionDenied):
        notify_services.follow(user=outsider, target=group)
    client.force_login(outsider)
    response = client.post(reverse("notifications:follow"), {"model": "conversations.group", "pk": group.pk})
    assert response.status_code == 403


def test_groups_layer_shows_groups_with_an_area_in_the_view_and_never_private_ones(client):
    assert "groups" in [layer.key for layer in layers.layers()]
    area = AreaFactory(name="Riverside", lat=52.63, lng=-1.13)
    factories.group(name="Riverside growers", area=area)
    factories.group(name="Riverside tenants", area=area, access=Access.PRIVATE)
    factories.group(name="No area")
    url = reverse("conversations:map_layer")
    data = json.loads(client.get(url, {"bbox": "-1.2,52.6,-1.1,52.7"}).content)
    assert [f["properties"]["title"] for f in data["features"]] == ["Riverside growers"]
    assert data["features"][0]["geometry"]["coordinates"] == [-1.13, 52.63]
    assert data["features"][0]["properties"]["url"].startswith("/groups/")
    assert json.loads(client.get(url, {"bbox": "0,0,1,1"}).content)["features"] == []
    response = client.get(url, {"bbox": "nonsense"})
    assert response.status_code == 400 and "bbox" in json.loads(response.content)["errors"]
