"""Inbound mail (notifications/inbound.py) end to end through conversations' handlers: a reply from a
mail client posts the reply without its quoted text; forged, expired, unknown, automatic mail leaves
no trace."""

import datetime as dt
import io
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from squaremile.conversations.models import Post
from squaremile.conversations.notifications import REPLY, group_address
from squaremile.conversations.tests import factories
from squaremile.conversations.tests.mail import reply_message
from squaremile.notifications import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbound_domain")]


@pytest.fixture
def inbound_domain(settings):
    settings.INBOUND_MAIL_DOMAIN = "in.example.org"
    settings.INBOUND_MAIL_SECRET = "s3cret-for-tests"


@pytest.fixture
def setup():
    group = factories.group()
    replier = factories.member(group, mode="each")
    thread = factories.thread(group, body="Shall we buy **water butts** together?")
    return group, replier, thread


def _address(thread, person):
    return inbound.reply_address(REPLY, user=person, obj=thread)


def test_mail_to_members_carries_a_reply_address(setup, django_capture_on_commit_callbacks):
    group, replier, _ = setup
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.thread(group, title="Seed swap", body="Saturday at the hall?")
    sent = [m for m in mail.outbox if replier.email in m.to]
    assert len(sent) == 1
    assert sent[0].reply_to[0].startswith("reply+") and sent[0].reply_to[0].endswith("@in.example.org")
    assert "Saturday at the hall?" in sent[0].body
    assert "Reply above this line" in sent[0].body


def test_reply_by_mail_posts_the_new_words_only(setup):
    _, replier, thread = setup
    raw = reply_message(sender=replier.email, to=_address(thread, replier), new_text="Yes, count me in for two.",
                        quoted="Shall we buy water butts together?")  # fmt: skip
    outcome = inbound.receive(raw)
    assert outcome.status == inbound.ACCEPTED, outcome.reason
    post = Post.objects.get(thread=thread, number=2)
    assert post.body == "Yes, count me in for two."
    assert post.via_email and post.author == replier


def test_receive_mail_command_reads_stdin(setup, monkeypatch):
    _, replier, thread = setup
    raw = reply_message(sender=replier.email, to=_address(thread, replier), new_text="From the command.",
                        quoted="Shall we")  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as done:
        call_command("receive_mail", stdout=io.StringIO())
    assert done.value.code == 0
    assert Post.objects.filter(thread=thread, body="From the command.").exists()


def test_forged_token_is_refused_with_bounce_code(setup, monkeypatch):
    _, replier, thread = setup
    good = _address(thread, replier)
    local, domain = good.split("@")
    forged = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + domain
    raw = reply_message(sender=replier.email, to=forged, new_text="Forged", quoted="x")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as done:
        call_command("receive_mail", stdout=io.StringIO(), stderr=io.StringIO())
    assert done.value.code == 77
    assert not Post.objects.filter(body="Forged").exists()


def test_expired_token_is_refused(setup):
    _, replier, thread = setup
    raw = reply_message(sender=replier.email, to=_address(thread, replier), new_text="Late", quoted="x")
    outcome = inbound.receive(raw, today=dt.date.today() + dt.timedelta(days=400))
    assert outcome.status == inbound.REFUSED and "expired" in outcome.reason
    assert not Post.objects.filter(body="Late").exists()


def test_someone_else_using_the_address_is_refused(setup):
    group, replier, thread = setup
    stranger = factories.PersonFactory()
    raw = reply_message(sender=stranger.email, to=_address(thread, replier), new_text="Not mine", quoted="x")
    assert inbound.receive(raw).status == inbound.REFUSED
    raw = reply_message(sender="nobody@elsewhere.example", to=_address(thread, replier), new_text="Who", quoted="x")
    outcome = inbound.receive(raw)
    assert outcome.status == inbound.REFUSED and outcome.reason == "unknown sender"
    assert not Post.objects.filter(body__in=["Not mine", "Who"]).exists()


@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"Precedence": "bulk"}, {"Precedence": "auto_reply"},
     {"Precedence": "list"}],
)  # fmt: skip
def test_auto_replies_are_ignored(setup, headers, caplog):
    _, replier, thread = setup
    raw = reply_message(sender=replier.email, to=_address(thread, replier), new_text="I am away", quoted="x",
                        headers=headers)  # fmt: skip
    with caplog.at_level("INFO", logger="squaremile.inbound"):
        outcome = inbound.receive(raw)
    assert outcome.status == inbound.IGNORED
    assert not Post.objects.filter(body__contains="away").exists()
    assert "ignored" in caplog.text  # logged for operators


def test_bounces_are_ignored(setup):
    _, replier, thread = setup
    dsn = EmailMessage()
    dsn["From"] = "MAILER-DAEMON@mx.example.org"
    dsn["To"] = _address(thread, replier)
    dsn["Subject"] = "Undelivered Mail Returned to Sender"
    dsn.set_content("This is the mail system at host mx.example.org.")
    assert inbound.receive(dsn.as_bytes()).status == inbound.IGNORED
    report = EmailMessage()
    report["From"] = replier.email
    report["To"] = _address(thread, replier)
    report["Content-Type"] = "multipart/report; report-type=delivery-status; boundary=x"
    report.set_payload("--x\r\n\r\nfailed\r\n--x--\r\n")
    assert inbound.receive(report.as_bytes()).status == inbound.IGNORED
    assert Post.objects.filter(thread=thread).count() == 1


def test_html_only_reply_is_made_plain(setup):
    _, replier, thread = setup
    msg = EmailMessage()
    msg["From"] = replier.email
    msg["To"] = _address(thread, replier)
    msg["Subject"] = "Re: x"
    msg.set_content("<p>Only <b>HTML</b> here</p><blockquote>old words</blockquote>", subtype="html")
    assert inbound.receive(msg.as_bytes()).status == inbound.ACCEPTED
    assert Post.objects.get(thread=thread, number=2).body == "Only HTML here"


def test_new_thread_by_mail_to_the_group_address(setup):
    group, replier, _ = setup
    raw = reply_message(sender=replier.email, to=group_address(group), new_text="Who has a spare wheelbarrow?",
                        subject="Wheelbarrow", html=False)  # fmt: skip
    assert inbound.receive(raw).status == inbound.ACCEPTED
    assert group.threads.filter(title="Wheelbarrow").exists()
    outsider = factories.PersonFactory()
    raw = reply_message(sender=outsider.email, to=group_address(group), new_text="Spam", subject="Buy", html=False)
    assert inbound.receive(raw).status == inbound.REFUSED
    assert not group.threads.filter(title="Buy").exists()


def test_http_endpoint_needs_the_secret(client, setup):
    _, replier, thread = setup
    raw = reply_message(sender=replier.email, to=_address(thread, replier), new_text="Over HTTP", quoted="x")
    assert client.post("/mail/inbound/", raw, content_type="message/rfc822").status_code == 403
    wrong = client.post("/mail/inbound/", raw, content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    ok = client.post("/mail/inbound/", raw, content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer s3cret-for-tests")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert Post.objects.filter(thread=thread, body="Over HTTP").exists()
    form = client.post("/mail/inbound/", {"body-mime": raw.decode()}, HTTP_X_INBOUND_SECRET="s3cret-for-tests")
    assert form.status_code == 200


@override_settings(INBOUND_MAIL_SECRET="")
def test_http_endpoint_is_closed_without_a_secret(client):
    assert (
        client.post("/mail/inbound/", b"x", content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer ").status_code
        == 403
    )


def test_strip_quoted_variants():
    assert inbound.strip_quoted("Thanks!\n\n-----Original Message-----\nFrom: x") == "Thanks!"
    assert inbound.strip_quoted("Yes\nOn Mon, 1 Jan 2026, Someone <a@b.c>\nwrote:\n> old") == "Yes"
    assert inbound.strip_quoted("Fine\n\nSent from my iPhone") == "Fine"
    assert inbound.strip_quoted("A\n> quoted\nB") == "A\nB"
