"""Conversations in a real browser, on a phone (the issue's "Done when"): a resident joins a group,
starts a thread mentioning a neighbour (who is notified), the neighbour replies from their mail
client (a real multipart message with quoted text fed to `receive_mail`) and the reply shows without
the quoted text; a facilitator runs a decision, closes the thread with an outcome that everyone in
it receives; a private group stays invisible to an outsider. axe on every page on the way."""

import io
import sys

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from squaremile.conversations.models import Access, Thread
from squaremile.conversations.tests import factories
from squaremile.conversations.tests.mail import reply_message
from squaremile.notifications.models import Notification
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, label):
    assert_fits_the_screen(page)
    assert a11y_report(page, label) == ""


@override_settings(INBOUND_MAIL_DOMAIN="in.example.org")
def test_join_post_mention_reply_by_mail_decide_and_close(new_context, login, transactional_db, monkeypatch):
    facilitator = factories.PersonFactory(email="fac@example.org")
    group = factories.group(owner=facilitator, name="Mill Lane allotments")
    resident = factories.PersonFactory(email="res@example.org")
    neighbour = factories.member(group, factories.PersonFactory(email="priya@example.org"), mode="each")
    neighbour.profile.display_name = "Priya Shah"
    neighbour.profile.save()

    phone = new_context(viewport=PHONE).new_page()
    login(phone, resident)
    phone.goto("/groups/")
    _check(phone, "group directory")
    phone.get_by_role("link", name="Mill Lane allotments").first.click()
    _check(phone, "group page")
    phone.get_by_role("button", name="Join this group").click()
    expect(phone.locator(".messages")).to_contain_text("Welcome to Mill Lane allotments")
    phone.get_by_role("link", name="Start a conversation").click()
    _check(phone, "new thread form")
    phone.get_by_label("Title").fill("Shared compost")
    phone.get_by_label("Your message").fill("Shall we share a compost bay? @PriyaShah what do you think?")
    mail.outbox.clear()
    phone.get_by_role("button", name="Post").click()
    expect(phone.get_by_role("heading", name="Shared compost")).to_be_visible()
    _check(phone, "thread page")
    thread = Thread.objects.get(title="Shared compost")
    assert Notification.objects.filter(recipient=neighbour, kind="conversations.mention").exists()
    sent = [m for m in mail.outbox if neighbour.email in m.to]
    assert sent and sent[0].reply_to, "the neighbour is e-mailed, with a reply address"

    # the neighbour answers from their mail client
    raw = reply_message(sender=neighbour.email, to=sent[0].reply_to[0], new_text="Yes please, next to the shed.",
                        quoted="Shall we share a compost bay? @PriyaShah what do you think?")  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as done:
        call_command("receive_mail", stdout=io.StringIO())
    assert done.value.code == 0
    phone.reload()
    reply = phone.locator(f"#post-{thread.posts.get(number=2).pk}")
    expect(reply).to_contain_text("Yes please, next to the shed.")
    expect(reply).not_to_contain_text("wrote:")
    expect(reply).not_to_contain_text("Allotment secretary")

    # the facilitator runs a decision and closes with an outcome
    desk = new_context(viewport=PHONE).new_page()
    login(desk, facilitator)
    desk.goto(thread.get_absolute_url())
    desk.get_by_text("Run a decision").click()
    desk.get_by_label("What is being decided?").fill("Build the bay by the shed?")
    desk.get_by_label("Closes on").fill("2099-01-01")
    desk.get_by_label("Show the results while it is open").check()
    desk.get_by_role("button", name="Open the decision").click()
    expect(desk.get_by_role("heading", name="Decision: Build the bay by the shed?")).to_be_visible()
    _check(desk, "thread with a decision")
    phone.reload()
    phone.get_by_role("radio", name="Agree", exact=True).check()
    phone.get_by_role("button", name="Give my answer").click()
    expect(phone.locator(".results-table")).to_contain_text("Agree")
    mail.outbox.clear()
    desk.reload()
    desk.get_by_text("Close with an outcome").click()
    desk.get_by_label("What came of it?").fill("We build the bay by the shed on Saturday.")
    desk.get_by_role("button", name="Close and send the outcome").click()
    expect(desk.locator(".outcome")).to_contain_text("We build the bay by the shed on Saturday.")
    _check(desk, "closed thread")
    for person in (resident, neighbour):
        assert Notification.objects.filter(recipient=person, kind="conversations.outcome").exists()
    assert any("We build the bay" in m.body for m in mail.outbox if resident.email in m.to)
    phone.reload()
    expect(phone.get_by_role("button", name="Post the reply")).to_have_count(0)  # read-only


def test_private_group_is_invisible_to_an_outsider(new_context, login, transactional_db):
    owner = factories.PersonFactory()
    group = factories.group(owner=owner, name="Tenants private", access=Access.PRIVATE)
    thread = factories.thread(group, title="Rent strike plan", body="Only for us")
    outsider = factories.PersonFactory()
    phone = new_context(viewport=PHONE).new_page()
    login(phone, outsider)
    phone.goto("/groups/")
    expect(phone.get_by_text("Tenants private")).to_have_count(0)
    assert phone.goto(group.get_absolute_url()).status == 404
    assert phone.goto(thread.get_absolute_url()).status == 404
    phone.goto("/search/?q=Rent+strike")
    expect(phone.get_by_text("Rent strike plan")).to_have_count(0)
    member_page = new_context(viewport=PHONE).new_page()
    login(member_page, owner)
    member_page.goto(thread.get_absolute_url())
    expect(member_page.get_by_role("heading", name="Rent strike plan")).to_be_visible()
