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


def test_mention_suggestions_name_members_first_and_only_to_writers(client):
    from squaremile.conversations import services

    group = factories.group(name="Mill Lane allotments", access=Access.PRIVATE)
    writer = factories.member(group)
    priya = factories.member(group)
    priya.profile.display_name = "Priya Shah"
    priya.profile.save()
    prince = factories.PersonFactory()  # not a member: never suggested in a private group
    prince.profile.display_name = "Prince Outsider"
    prince.profile.save()
    thread = factories.thread(group)
    url = reverse("conversations:mention_suggest", kwargs={"slug": group.slug})
    client.force_login(writer)
    data = json.loads(client.get(url, {"q": "pri", "thread": thread.pk}).content)
    assert data["people"] == [{"handle": "PriyaShah", "name": "Priya Shah"}]
    assert json.loads(client.get(url, {"q": ""}).content)["people"] == []
    services.group_leave(group=group, by=priya)  # she wrote nothing here: no longer suggested
    assert json.loads(client.get(url, {"q": "pri"}).content)["people"] == []
    client.force_login(prince)
    assert client.get(url, {"q": "pri"}).status_code == 404  # a private group is not even named
    client.logout()
    assert client.get(url, {"q": "pri"}).status_code == 404
    page = client.get(reverse("conversations:group_list")).content.decode()
    assert "Mill Lane" not in page
    open_group = factories.group(name="Open lot")
    assert client.get(reverse("conversations:mention_suggest", kwargs={"slug": open_group.slug}),
                      {"q": "a"}).status_code == 403  # fmt: skip


def test_reply_form_carries_the_suggestions_address(client):
    group = factories.group()
    member = factories.member(group)
    thread = factories.thread(group)
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert f'data-mention-url="/groups/{group.slug}/people/?thread={thread.pk}"' in page
    assert "js/mentions.js" in page
