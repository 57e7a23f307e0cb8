"""The daily digest of a group's posts: built once per group and shared by its members (each with
their own unsubscribe link), a private group's posts only to its members, never twice a day."""

import pytest
from django.core import mail
from django.test import Client

from squaremile.conversations import services
from squaremile.conversations.models import Access
from squaremile.conversations.tests import factories
from squaremile.notifications.digests import send_digests
from squaremile.notifications.models import Preference

pytestmark = pytest.mark.django_db


def test_members_share_one_digest_with_their_own_unsubscribe_link(django_capture_on_commit_callbacks):
    group = factories.group(name="Mill Lane allotments")
    ann, bob = factories.member(group), factories.member(group)
    with django_capture_on_commit_callbacks(execute=True):
        factories.thread(group, title="Water butts")
        factories.thread(group, title="Seed swap")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(period="daily") == 2  # the owner wrote them: nothing for them
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {ann.email, bob.email}
    for message in by_address.values():
        assert "Water butts" in message.body and "Seed swap" in message.body
        assert "unsubscribe.invalid" not in message.body + message.alternatives[0][0]
        assert "New posts in your groups" in message.body
    links = {}
    for person in (ann, bob):
        header = by_address[person.email].extra_headers["List-Unsubscribe"].strip("<>")
        assert header in by_address[person.email].body and header in by_address[person.email].alternatives[0][0]
        links[person.pk] = header
    assert links[ann.pk] != links[bob.pk]
    Client().post(links[bob.pk])  # one click: Bob only
    assert Preference.objects.filter(user=bob, kind="*", delivery="off").exists()
    assert not Preference.objects.filter(user=ann).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(period="daily") == 0  # never twice a day


def test_a_private_groups_posts_reach_only_its_members_in_the_digest(django_capture_on_commit_callbacks):
    group = factories.group(name="Tenants committee", access=Access.PRIVATE)
    stays, leaves = factories.member(group), factories.member(group)
    with django_capture_on_commit_callbacks(execute=True):
        factories.thread(group, title="Rent review")
    services.group_leave(group=group, by=leaves)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(period="daily")
    assert [m.to for m in mail.outbox] == [[stays.email]]
    assert "Rent review" in mail.outbox[0].body
