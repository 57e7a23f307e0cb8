"""People without an account: a body replies to the report mailed to it and a representative replies
to a question (through `manage.py receive_mail`, real multipart messages); residents report without
an account (the e-mail link); single-use answer links; problem reports in the shared moderation; a
body's staff page."""

import io
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic import services
from squaremile.civic.models import Report, ReportUpdate, SendState, StaffInvitation
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, RecipientFactory, ReportFactory
from squaremile.core.permissions import can
from squaremile.core.spaces import grant, holders
from squaremile.moderation import services as moderation
from squaremile.moderation.models import ModerationState
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
LAT, LNG = 53.80, -1.565


@pytest.fixture(autouse=True)
def inbound_domain(settings):
    settings.INBOUND_MAIL_DOMAIN = "in.example.org"
    cache.clear()


@pytest.fixture
def place():
    area = AreaFactory(name="Westfield", lat=LAT, lng=-1.56, half=0.01)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    body = BodyFactory(
        name="Westfield Parish", areas=[area], categories=[lights], email="Reports@Westfield.example.org"
    )
    return {"body": body, "lights": lights}


def reply(*, sender: str, to: str, text: str, quoted: str, headers: dict | None = None) -> bytes:
    """A multipart/alternative reply as Gmail sends it: new words, "On … wrote:", the quote, a signature."""
    msg = EmailMessage()
    msg["From"] = f"Council Officer <{sender}>"
    msg["To"] = to
    msg["Subject"] = "Re: Problem report"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="council.example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    quoted_lines = "\n".join(f"> {line}" for line in quoted.splitlines())
    msg.set_content(f"{text}\n\nOn Sun, 6 Dec 2026 at 10:01, Square Mile <noreply@example.org> wrote:\n\n"
                    f"{quoted_lines}\n\n-- \nJo Officer\nHighways team\n")  # fmt: skip
    msg.add_alternative(
        f"<div dir='ltr'><p>{text}</p></div><div class='gmail_quote'><div>On Sun, 6 Dec 2026 wrote:</div>"
        f"<blockquote>{quoted}</blockquote></div>",
        subtype="html",
    )
    return msg.as_bytes()


def receive_mail(raw: bytes, monkeypatch) -> int:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as done:
        call_command("receive_mail", stdout=io.StringIO(), stderr=io.StringIO())
    return done.value.code


# ---- 1. replies by e-mail from bodies and representatives ----------------------------------------
def test_a_bodys_reply_by_mail_is_a_public_update_from_the_body(place, monkeypatch, django_capture_on_commit_callbacks):
    reporter = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(by=reporter, category=place["lights"], lat=LAT, lng=LNG, title="Light out")
    sent = [m for m in mail.outbox if place["body"].email in m.to]
    assert len(sent) == 1 and sent[0].reply_to[0].startswith("reply+")
    assert "Reply to this e-mail" in sent[0].body
    address = sent[0].reply_to[0]
    # someone else using the address is refused (bounced), nothing posted
    assert (
        receive_mail(reply(sender="someone@else.example.org", to=address, text="Fake", quoted="x"), monkeypatch) == 77
    )
    # an auto-reply is ignored without a trace
    auto = reply(sender=place["body"].email, to=address, text="I am out of office", quoted="x",
                 headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    assert receive_mail(auto, monkeypatch) == 0
    assert not ReportUpdate.objects.filter(report=report).exists()
    # the body's own reply (the address in another case), quote and signature stripped
    raw = reply(sender="reports@westfield.example.org", to=address, text="Thank you, an engineer visits on Monday.",
                quoted="A problem has been reported to Westfield Parish")  # fmt: skip
    assert receive_mail(raw, monkeypatch) == 0
    update = ReportUpdate.objects.get(report=report)
    assert update.text == "Thank you, an engineer visits on Monday."
    assert update.author_kind == "body" and update.author is None
    from django.test import Client

    html = Client().get(report.get_absolute_url()).content.decode()
    assert "Thank you, an engineer visits on Monday." in html and "Westfield Parish ·" in html
    assert "Jo Officer" not in html and "has been reported" not in html


def test_a_forged_or_expired_body_address_posts_nothing(place, monkeypatch):
    from squaremile.notifications import inbound

    report = ReportFactory(category=place["lights"], body=place["body"])
    address = inbound.reply_address("civic.body_reply", user=None, obj=report)
    local, domain = address.split("@")
    forged = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + domain
    raw = reply(sender=place["body"].email, to=forged, text="Forged", quoted="x")
    assert receive_mail(raw, monkeypatch) == 77
    import datetime as dt

    late = inbound.receive(reply(sender=place["body"].email, to=address, text="Late", quoted="x"),
                           today=dt.date.today() + dt.timedelta(days=400))  # fmt: skip
    assert late.status == inbound.REFUSED and "expired" in late.reason
    assert not ReportUpdate.objects.filter(report=report).exists()


def test_a_representatives_reply_by_mail_is_the_answer_once(monkeypatch, django_capture_on_commit_callbacks):
    recipient = RecipientFactory(
        question__status=ModerationState.PUBLISHED, representative__email="cllr@council.example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.question_published(recipient.question) == 1
    sent = [m for m in mail.outbox if "cllr@council.example.org" in m.to]
    address = sent[0].reply_to[0]
    assert "reply to this e-mail" in sent[0].body
    raw = reply(sender="cllr@council.example.org", to=address, text="The lamp is fixed next week.", quoted="Dark")
    assert receive_mail(raw, monkeypatch) == 0
    recipient.refresh_from_db()
    assert recipient.answer == "The lamp is fixed next week." and recipient.answered_at
    assert recipient.representative.__class__.objects.get(pk=recipient.representative_id).questions_answered == 1
    # a second reply cannot overwrite it (a fresh link is the way to change an answer)
    again = reply(sender="cllr@council.example.org", to=address, text="Changed my mind.", quoted="Dark")
    assert receive_mail(again, monkeypatch) == 77
    recipient.refresh_from_db()
    assert recipient.answer == "The lamp is fixed next week."


# ---- 4. single-use, expiring answer links ---------------------------------------------------------
def _link(message) -> str:
    for line in message.body.splitlines():
        if "/civic/answer/" in line:
            return "/civic/answer/" + line.split("/civic/answer/", 1)[1].strip()
    raise AssertionError("no link")


def test_an_answer_link_answers_once_then_shows_the_answer_until_a_fresh_link(
    client, django_capture_on_commit_callbacks
):
    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED, representative__email="rep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_published(recipient.question)
    link = _link([m for m in mail.outbox if "rep@example.org" in m.to][-1])
    assert client.post(link, {"answer": "First answer."}).status_code == 302
    page = client.get(link)
    assert page.status_code == 200 and b"First answer." in page.content and b"fresh link" in page.content
    assert b'name="answer"' not in page.content
    client.post(link, {"answer": "Overwritten!"})
    recipient.refresh_from_db()
    assert recipient.answer == "First answer."
    with pytest.raises(ValidationError):
        services.question_answer(recipient=recipient, text="Again", version=recipient.link_version)
    # a fresh link, mailed to the representative only; the old one is replaced
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link.rstrip("/") + "/fresh/").status_code == 200
    fresh = _link(mail.outbox[-1])
    assert mail.outbox[-1].to == ["rep@example.org"] and fresh != link
    assert client.get(link).status_code == 410
    assert client.post(fresh, {"answer": "Corrected answer."}).status_code == 302
    recipient.refresh_from_db()
    assert recipient.answer == "Corrected answer."
    assert b'name="answer"' not in client.get(fresh).content


def test_an_answer_link_expires_after_30_days(client, monkeypatch):
    import time

    from squaremile.civic.notifications import ANSWER_LINK_DAYS, answer_token

    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED)
    token = answer_token(recipient)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + (ANSWER_LINK_DAYS + 1) * 86400)
    page = client.post(reverse("civic:answer", args=[token]), {"answer": "Too late"})
    assert page.status_code == 410 and b"fresh link" in page.content
    recipient.refresh_from_db()
    assert recipient.answered_at is None


# ---- 3. reporting without an account --------------------------------------------------------------
def _post_report(client, place, **extra):
    data = {"lat": LAT, "lng": LNG, "category": place["lights"].pk, "title": "Light out by the school",
            "description": "Dark", "name": "Jo Walker", "email": "jo@example.org", **extra}  # fmt: skip
    return client.post(reverse("civic:report_new"), data)


def test_reporting_without_an_account_waits_for_the_email_link(client, place, django_capture_on_commit_callbacks):
    details = client.get(reverse("civic:report_new"), {"lat": LAT, "lng": LNG, "category": place["lights"].pk})
    assert details.status_code == 200 and b'name="email"' in details.content
    with django_capture_on_commit_callbacks(execute=True):
        page = _post_report(client, place, title="<script>alert(1)</script> Light out", hide_name="")
    assert page.status_code == 200 and b"Check your e-mail" in page.content
    report = Report.objects.get()
    assert report.moderation == ModerationState.DRAFT and report.owner is None
    assert report.send_state == SendState.WAITING and not [m for m in mail.outbox if place["body"].email in m.to]
    assert client.get(report.get_absolute_url()).status_code == 404  # not public yet
    assert client.get("/open311/v2/requests.json").json() == []
    confirm = [m for m in mail.outbox if "jo@example.org" in m.to][0]
    link = "/civic/reports/confirm/" + confirm.body.split("/civic/reports/confirm/", 1)[1].split()[0]
    assert client.get(link).status_code == 200  # a button: a scanner opening the link confirms nothing
    assert Report.objects.get().moderation == ModerationState.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    report.refresh_from_db()
    assert report.moderation == ModerationState.PUBLISHED and report.send_state == SendState.SENT
    assert [m for m in mail.outbox if place["body"].email in m.to]
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Jo Walker" in html and "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "jo@example.org" not in html
    assert client.post(link).status_code == 302  # once only: nothing more happens
    # the body's update reaches the reporter by e-mail
    staff = UserFactory()
    grant(space=place["body"], user=staff, role="facilitator", by=None, checked_by_caller=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_set_status(report=report, by=staff, status="fixed", text="Replaced the lamp.")
    assert [m for m in mail.outbox if "jo@example.org" in m.to and "Replaced the lamp." in m.body]


def test_reporting_without_an_account_errors_and_rate_limit(client, place):
    page = _post_report(client, place, email="not an address", name="")
    assert page.status_code == 400 and b"Your name" in page.content and b"Light out by the school" in page.content
    assert not Report.objects.exists()
    bad = client.get("/civic/reports/confirm/forged-token/")
    assert bad.status_code == 404
    codes = [_post_report(client, place, title=f"Light {i}").status_code for i in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429  # 3 an hour for one address
    assert Report.objects.count() == 3


# ---- 2. problem reports in the shared moderation ---------------------------------------------------
def test_reports_are_flagged_hidden_after_n_and_restored_from_the_one_queue(client, place, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    report = ReportFactory(category=place["lights"], body=place["body"], title="Rude words here")
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    flagger = UserFactory()
    client.force_login(flagger)
    assert b"Report this report" in client.get(report.get_absolute_url()).content
    moderation.report(user=flagger, target=report, reason="offensive")
    moderation.report(user=UserFactory(), target=report, reason="offensive")
    report.refresh_from_db()
    assert report.moderation == ModerationState.HIDDEN
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get("/civic/reports/map.geojson", {"bbox": "-1.6,53.7,-1.5,53.9"}).json()["features"] == []
    moderator = UserFactory(role="moderator")
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue"))
    assert b"Rude words here" in queue.content
    moderation.take(kind="report", action="restore", user=moderator, obj=report)
    report.refresh_from_db()
    assert report.moderation == ModerationState.PUBLISHED
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 200


# ---- 5. a body's staff ------------------------------------------------------------------------------
def test_a_bodys_administrator_invites_staff_by_email_and_removes_them(
    client, place, django_capture_on_commit_callbacks
):
    body = place["body"]
    admin, outsider = UserFactory(), UserFactory()
    grant(space=body, user=admin, role="organiser", by=None, checked_by_caller=True)
    assert can(admin, "body.roles", body) and not can(outsider, "body.roles", body)
    client.force_login(outsider)
    assert client.get(reverse("civic:body_staff", args=[body.slug])).status_code == 403
    client.force_login(admin)
    assert client.post(reverse("civic:body_staff", args=[body.slug]),
                       {"action": "invite", "email": "nope", "role": "facilitator"}).status_code == 400  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("civic:body_staff", args=[body.slug]),
            {"action": "invite", "email": "officer@westfield.example.org", "role": "facilitator"},
        )
    assert done.status_code == 302
    invite = [m for m in mail.outbox if "officer@westfield.example.org" in m.to][0]
    link = "/civic/staff/join/" + invite.body.split("/civic/staff/join/", 1)[1].split()[0]
    # someone else signed in cannot take it
    client.force_login(outsider)
    assert client.post(link).status_code == 403
    officer = UserFactory(email="officer@westfield.example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=officer, email=officer.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(officer)
    assert client.post(link).status_code == 302
    assert officer.pk in {h.user_id for h in holders(body)}
    report = ReportFactory(category=place["lights"], body=body)
    assert can(officer, "report.status", report)
    assert client.post(link).status_code == 404  # used
    client.force_login(admin)
    page = client.get(reverse("civic:body_staff", args=[body.slug]))
    assert str(officer).encode() in page.content
    client.post(reverse("civic:body_staff", args=[body.slug]), {"action": "remove", "user": officer.pk})
    assert officer.pk not in {h.user_id for h in holders(body)}
    with pytest.raises(PermissionDenied):
        services.staff_invite(body=body, email="x@example.org", by=outsider)
    assert StaffInvitation.objects.count() == 1


def test_report_drafts_and_hidden_reports_leave_lists_and_duplicates(place):
    from squaremile.civic import selectors

    shown = ReportFactory(category=place["lights"], lat=LAT, lng=LNG)
    ReportFactory(category=place["lights"], lat=LAT, lng=LNG, moderation=ModerationState.DRAFT, owner=None)
    ReportFactory(category=place["lights"], lat=LAT, lng=LNG, moderation=ModerationState.HIDDEN)
    assert list(selectors.report_list()) == [shown]
    assert [r.pk for r in selectors.nearby_duplicates(lat=LAT, lng=LNG, category=place["lights"])] == [shown.pk]


def test_a_report_without_an_account_keeps_its_photo(client, place, django_capture_on_commit_callbacks):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = _io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    photo = SimpleUploadedFile("lamp.png", buffer.getvalue(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        page = _post_report(client, place, photos=photo, photo_alt="The dark lamp post")
    assert page.status_code == 200, page.content[:500]
    report = Report.objects.get()
    assert report.attachments.count() == 1 and report.attachments.get().alt == "The dark lamp post"
