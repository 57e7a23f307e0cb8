"""The map's mails carry no visitor's words in their greeting or subject; quoted titles have their
links broken (issue 14, item 4). Absolute links come from SITE_URL (item 10)."""

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.entries import notifications, services
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db
HOSTILE = "URGENT: verify your bank at https://evil.example/login"


@pytest.fixture
def anonymous_entry():
    return EntryFactory(
        title=HOSTILE, status=EntryStatus.PENDING, owner=None, submitter_name="Bank Security Team",
        submitter_email="victim@example.org", category=CategoryFactory(),
    )  # fmt: skip


def _check(mail, *, subject):
    assert mail.subject == f"[Square Mile] {subject}"
    assert mail.body.startswith("Hello,\n")
    for text in (mail.body, mail.alternatives[0][0]):
        assert "Bank Security Team" not in text and "https://evil.example" not in text and "evil.example/" not in text
        assert "https[:]//evil[.]example/login" in text  # quoted as typed, not clickable


def test_published_and_rejected_mails(anonymous_entry, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://map.example.net"
    moderator = UserFactory(role=Role.MODERATOR)
    services.entry_reject(entry=anonymous_entry, by=moderator, reason="Not local.")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_rejected(anonymous_entry.pk) == 1
    _check(mailoutbox[-1], subject="Your map entry was not published")
    assert "https://map.example.net/map/add/" in mailoutbox[-1].body
    anonymous_entry.refresh_from_db()
    services.entry_publish(entry=anonymous_entry, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_published(anonymous_entry.pk) == 1
    _check(mailoutbox[-1], subject="Your entry is on the map")
    assert f"https://map.example.net/map/entries/{anonymous_entry.pk}/" in mailoutbox[-1].body
    # the visitor has no account: the mail says how to stop such mails, in one click
    assert "https://map.example.net/notifications/unsubscribe/" in mailoutbox[-1].extra_headers["List-Unsubscribe"]


def test_moderators_mails(anonymous_entry, mailoutbox, django_capture_on_commit_callbacks):
    moderator = UserFactory(role=Role.MODERATOR)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_new_entry(anonymous_entry.pk) == 1
    mail = mailoutbox[-1]
    assert mail.to == [moderator.email] and mail.subject == "[Square Mile] A new map entry waits for moderation"
    assert "evil.example/" not in mail.body and "https[:]//evil[.]example/login" in mail.body
