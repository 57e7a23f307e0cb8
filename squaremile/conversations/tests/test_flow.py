"""The issue's "Done when", server side: join, start a thread, mention, reply by e-mail, decide,
close with an outcome that everyone receives; and a private group invisible to outsiders in pages,
search, feeds, API and e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from squaremile.accounts.models import ApiToken
from squaremile.conversations import services
from squaremile.conversations.models import Access, Post, Thread
from squaremile.conversations.notifications import REPLY
from squaremile.conversations.tests import factories
from squaremile.conversations.tests.mail import reply_message
from squaremile.core import search
from squaremile.notifications import inbound
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inbound(settings):
    settings.INBOUND_MAIL_DOMAIN = "in.example.org"


def test_done_when(client, django_capture_on_commit_callbacks):
    facilitator = factories.PersonFactory()
    group = factories.group(owner=facilitator, name="Mill Lane allotments")
    resident = factories.PersonFactory()
    neighbour = factories.member(group, mode="each")
    neighbour.profile.display_name = "Priya Shah"
    neighbour.profile.save()
    client.force_login(resident)
    assert client.post(reverse("conversations:group_join", kwargs={"slug": group.slug})).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        data = {"title": "Shared compost", "body": "Shall we share a compost bay? @PriyaShah"}
        response = client.post(reverse("conversations:thread_create", kwargs={"slug": group.slug}), data)
    thread = Thread.objects.get(title="Shared compost")
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=neighbour, kind="conversations.mention").exists()
    to_neighbour = [m for m in mail.outbox if neighbour.email in m.to]
    assert to_neighbour and to_neighbour[0].reply_to
    raw = reply_message(sender=neighbour.email, to=to_neighbour[0].reply_to[0], new_text="Yes please, by the shed.",
                        quoted="Shall we share a compost bay?")  # fmt: skip
    assert inbound.receive(raw).status == inbound.ACCEPTED
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Yes please, by the shed." in page and "wrote:" not in page.split("Yes please")[1].split("</li>")[0]
    client.force_login(facilitator)
    decide = reverse("conversations:facilitate", kwargs={"pk": thread.pk, "action": "decide"})
    client.post(decide, {"kind": "proposal", "question": "Build the bay by the shed?", "closes_on": "2099-01-01"})
    assert thread.decision.question == "Build the bay by the shed?"
    for person, choice in ((resident, "agree"), (neighbour, "agree"), (facilitator, "abstain")):
        client.force_login(person)
        client.post(reverse("conversations:vote", kwargs={"pk": thread.pk}), {"choice": choice})
    assert thread.decision.votes.count() == 3
    client.force_login(facilitator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conversations:facilitate", kwargs={"pk": thread.pk, "action": "close"}),
                    {"outcome": "We build the bay by the shed on Saturday."})  # fmt: skip
    thread.refresh_from_db()
    assert thread.is_closed
    told = {n.recipient_id for n in Notification.objects.filter(kind="conversations.outcome")}
    assert {resident.pk, neighbour.pk} <= told
    assert any("We build the bay" in m.body for m in mail.outbox if resident.email in m.to)
    client.force_login(resident)
    closed = client.post(reverse("conversations:reply", kwargs={"pk": thread.pk}), {"body": "One more"})
    assert closed.status_code == 400 and not Post.objects.filter(body="One more").exists()


def test_private_group_is_invisible_to_outsiders(client, django_capture_on_commit_callbacks):
    owner = factories.PersonFactory()
    group = factories.group(owner=owner, name="Tenants private", access=Access.PRIVATE)
    insider = factories.member(group, mode="each")
    outsider = factories.PersonFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread = factories.thread(group, title="Rent strike plan", body="Secret zanzibar plan")
        services.reply_post(thread=thread, by=insider, body="Secret zanzibar reply")
    # e-mail: only members got it
    assert any(insider.email in m.to for m in mail.outbox)
    assert not any(outsider.email in m.to for m in mail.outbox)
    # search: nothing of it in the site search, whoever asks
    assert search.search("zanzibar").total == 0
    assert search.search("Tenants private").total == 0
    for who in (None, outsider):
        if who:
            client.force_login(who)
        assert client.get(group.get_absolute_url()).status_code == 404
        assert client.get(thread.get_absolute_url()).status_code == 404
        assert client.get(reverse("conversations:group_rss", kwargs={"slug": group.slug})).status_code == 404
        assert client.get(reverse("conversations:group_atom", kwargs={"slug": group.slug})).status_code == 404
        listing = client.get(reverse("conversations:group_list")).content.decode()
        assert "Tenants private" not in listing
        assert client.get(f"/api/v1/groups/{group.slug}").status_code == 404
        assert client.get(f"/api/v1/threads/{thread.pk}").status_code == 404
        assert "Tenants" not in client.get("/api/v1/groups").content.decode()
        found = client.get("/search/?q=zanzibar").content.decode()
        assert "Rent strike plan" not in found and "Secret zanzibar reply" not in found
    # with a token, an outsider still sees nothing; an insider sees it
    client.logout()
    from squaremile.accounts import services as accounts

    token = accounts.api_token_create(user=insider, by=insider, name="t")
    key = token[1] if isinstance(token, tuple) else token
    ok = client.get(f"/api/v1/threads/{thread.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and "zanzibar" in ok.content.decode()
    client.force_login(insider)
    assert "zanzibar" in client.get(thread.get_absolute_url()).content.decode()
    assert ApiToken.objects.filter(user=insider).exists()


def test_public_group_posts_are_searchable_and_in_feeds(client):
    group = factories.group(name="Open garden")
    factories.thread(group, title="Pumpkin contest", body="Biggest pumpkin wins a quokka")
    assert search.search("quokka").total == 1
    assert "Pumpkin contest" in client.get("/search/?q=quokka").content.decode()
    rss = client.get(reverse("conversations:group_rss", kwargs={"slug": group.slug}))
    assert rss.status_code == 200 and b"Pumpkin contest" in rss.content
    assert client.get(reverse("conversations:group_atom", kwargs={"slug": group.slug})).status_code == 200


def test_reply_address_names_the_thread(settings):
    group = factories.group()
    person = factories.member(group)
    thread = factories.thread(group)
    address = inbound.reply_address(REPLY, user=person, obj=thread)
    token = inbound.read_token(address.split("+")[1].split("@")[0])
    assert token.user_id == person.pk and token.object_id == thread.pk
