"""The development mailbox is for this machine or staff only; the site's own name and address come
from SITE_NAME / SITE_URL everywhere, never Django's "example.com" (issue 14, item 10)."""

import pytest
from defusedxml import ElementTree
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.signals import site_from_settings
from squaremile.mapping.tests.factories import EntryFactory

pytestmark = pytest.mark.django_db
MAILBOX = "/dev/mail/"


@pytest.fixture
def mailbox(settings):
    settings.SHOW_DEV_MAILBOX = True


def test_dev_mailbox_only_for_this_machine_or_staff(client, mailbox):
    assert client.get(MAILBOX, REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get(MAILBOX, REMOTE_ADDR="::1").status_code == 200
    assert client.get(MAILBOX, REMOTE_ADDR="203.0.113.5").status_code == 404
    # a proxy on this machine relays someone else's request: not local
    assert client.get(MAILBOX, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    client.force_login(UserFactory())
    assert client.get(MAILBOX, REMOTE_ADDR="203.0.113.5").status_code == 404
    client.force_login(UserFactory(role="admin", is_staff=True))  # an administrator (site.administer)
    assert client.get(MAILBOX, REMOTE_ADDR="203.0.113.5").status_code == 200


def test_dev_mailbox_off_is_404_even_locally(client, settings):
    settings.SHOW_DEV_MAILBOX = False
    assert client.get(MAILBOX, REMOTE_ADDR="127.0.0.1").status_code == 404


def test_migrate_sets_the_site_from_the_settings(settings):
    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME  # set when the test database was migrated
    assert site.domain != "example.com"  # no SITE_URL in the tests: the first allowed host
    settings.SITE_NAME, settings.SITE_URL = "Kettleby Network", "https://net.example.org"
    site_from_settings()
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("net.example.org", "Kettleby Network")


def _feed_links(client, **extra):
    root = ElementTree.fromstring(client.get(reverse("mapping:feed_rss"), **extra).content)
    channel = root.find("channel")
    links = [channel.find("link").text] + [item.find("link").text for item in channel.findall("item")]
    links += [el.get("href") for el in channel if el.get("href")]  # atom:link rel=self
    return links


def test_feed_links_come_from_site_url(client, settings):
    EntryFactory(title="Hall")
    settings.SITE_URL = "https://map.example.net"
    links = _feed_links(client)
    assert len(links) >= 3 and all(link.startswith("https://map.example.net/") for link in links), links


def test_feed_links_without_site_url_come_from_the_request(client, settings):
    EntryFactory(title="Hall")
    settings.SITE_URL = ""
    links = _feed_links(client, HTTP_HOST="localhost")
    assert all(link.startswith("http://localhost/") for link in links), links


def test_account_mails_use_the_site_name(client):
    UserFactory(email="sam@example.org")
    client.post(reverse("account_reset_password"), {"email": "sam@example.org"})
    [message] = mail.outbox
    assert "example.com" not in message.subject + message.body
    assert "Square Mile" in message.subject


def test_account_mail_links_use_site_url(client, settings):
    settings.SITE_URL = "https://net.example.org"
    UserFactory(email="sam@example.org")
    client.post(reverse("account_reset_password"), {"email": "sam@example.org"})
    [message] = mail.outbox
    assert "https://net.example.org/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body
