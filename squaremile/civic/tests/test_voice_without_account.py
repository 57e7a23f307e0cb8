"""Adding one's voice to a report without an account (as on FixMyStreet): a name and an e-mail
address, a signed single-purpose link mailed to it, the voice counted once per address, and the
status changes mailed to that address with a link to stop them."""

import time
from urllib.parse import quote

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.models import AuditEvent
from squaremile.civic import services
from squaremile.civic.models import Report, ReportSupport
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.core.spaces import grant
from squaremile.moderation.models import ModerationState
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
LAT, LNG = 53.80, -1.565
VOICE_LINK = "/civic/reports/voice/"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def place():
    area = AreaFactory(name="Westfield", lat=LAT, lng=-1.56, half=0.01)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    body = BodyFactory(name="Westfield Parish", areas=[area], categories=[lights], email="clerk@westfield.example.org")
    report = ReportFactory(category=lights, body=body, lat=LAT, lng=LNG, title="Lamp 14 dark")
    return {"body": body, "lights": lights, "report": report}


def _ask(client, report, **data):
    return client.post(reverse("civic:report_voice", args=[report.pk]), {"name": "Sam Reed", "email": "sam@example.org",
                                                                         **data})  # fmt: skip


def _link(address: str) -> str:
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"nothing mailed to {address}"
    body = sent[-1].body
    return VOICE_LINK + body.split(VOICE_LINK, 1)[1].split()[0]


# ---- services ------------------------------------------------------------------------------------
def test_the_voice_is_added_once_per_address_whatever_its_case(place, django_capture_on_commit_callbacks):
    report = place["report"]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_support_request(report=report, name="  Sam   Reed ", email="Sam@Example.org")
    assert (
        not ReportSupport.objects.filter(report=report).exclude(user__isnull=False).exists()
    )  # nothing before the click
    link = services.support_link(_link("Sam@Example.org").removeprefix(VOICE_LINK).rstrip("/"))
    assert link.report == report and link.email == "sam@example.org" and link.name == "Sam Reed" and not link.expired
    assert services.report_support_confirm(report=report, email=link.email, name=link.name) is True
    assert services.report_support_confirm(report=report, email="SAM@example.ORG ") is False
    report.refresh_from_db()
    assert report.supporters == 2
    support = ReportSupport.objects.get(report=report, user__isnull=True)
    assert (support.email, support.name) == ("sam@example.org", "Sam Reed")
    event = AuditEvent.objects.get(action="report.supported", object_id=report.pk)
    assert event.actor is None and "e-mail link" in event.note


def test_the_request_refuses_what_is_not_a_name_an_address_or_a_public_report(place):
    report = place["report"]
    with pytest.raises(ValidationError) as no_name:
        services.report_support_request(report=report, name=" \n\t\x00 ", email="sam@example.org")
    assert "name" in no_name.value.message_dict
    for bad in ("", "not an address", "a@b", "x" * 250 + "@example.org", "sam@example.org\r\nBcc: x@example.org"):
        with pytest.raises(ValidationError) as no_email:
            services.report_support_request(report=report, name="Sam", email=bad)
        assert "email" in no_email.value.message_dict
    Report.objects.filter(pk=report.pk).update(moderation=ModerationState.HIDDEN)
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        services.report_support_request(report=report, name="Sam", email="sam@example.org")
    with pytest.raises(ValidationError):
        services.report_support_confirm(report=report, email="sam@example.org")
    assert report.supporters == 1 and not mail.outbox


def test_an_address_that_already_has_a_voice_is_not_counted_again(place):
    report = place["report"]
    # the reporter without an account
    mine = ReportFactory(category=place["lights"], owner=None, reporter_name="Jo", reporter_email="Jo@Example.org")
    assert services.report_support_confirm(report=mine, email="jo@example.org") is False
    # an account with that verified address that reported it, or supported it signed in
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=report.owner, email=report.owner.email,
                                          defaults={"verified": True, "primary": True})  # fmt: skip
    assert services.report_support_confirm(report=report, email=report.owner.email.upper()) is False
    member = UserFactory(email="member@example.org")
    EmailAddress.objects.update_or_create(user=member, email=member.email, defaults={"verified": True, "primary": True})
    services.report_support(report=report, by=member)
    assert services.report_support_confirm(report=report, email="Member@example.org") is False
    report.refresh_from_db()
    assert report.supporters == 2  # the reporter and the member, nobody twice


def test_the_database_keeps_one_voice_per_person_and_per_address(place):
    report, other = place["report"], ReportFactory(category=place["lights"])
    ReportSupport.objects.create(report=report, email="sam@example.org")
    ReportSupport.objects.create(report=other, email="sam@example.org")  # another report: fine
    ReportSupport.objects.create(report=report, user=UserFactory())
    ReportSupport.objects.create(report=report, user=UserFactory())  # two accounts: both without an address
    ReportSupport.objects.create(report=report, user=report.owner)
    for row in (
        {"email": "SAM@example.org"},  # the same address in other letters
        {"user": report.owner},  # the same account twice
        {},  # nobody at all
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReportSupport.objects.create(report=report, **row)


def test_a_link_is_refused_when_altered_from_elsewhere_or_too_old(place, monkeypatch):
    report = place["report"]
    token = services.support_token(report=report, email="sam@example.org", name="Sam")
    assert services.support_link(token).report == report
    assert services.support_link(token[:-2] + ("aa" if not token.endswith("aa") else "bb")).report is None
    assert services.support_link("nonsense").report is None
    # signed by this site but for another purpose (a report's confirmation link): refused
    other = signing.dumps({"r": report.pk, "e": "sam@example.org"}, salt=services.CONFIRM_SALT, compress=True)
    assert services.support_link(other).report is None
    assert services.support_link(signing.dumps([report.pk], salt=services.SUPPORT_SALT)).report is None
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + (services.SUPPORT_DAYS + 1) * 86400)
    late = services.support_link(token)
    assert late.expired and late.report == report


# ---- pages -----------------------------------------------------------------------------------------
def test_signed_out_a_resident_adds_their_voice_by_email(client, place, django_capture_on_commit_callbacks):
    report = place["report"]
    page = client.get(report.get_absolute_url()).content.decode()
    voice = reverse("civic:report_voice", args=[report.pk])
    assert f'href="{voice}"' in page and "I have this problem too" in page
    # on the report form, the similar report offers it too, and the way back to the form
    form_page = client.get(reverse("civic:report_new"), {"lat": LAT, "lng": LNG, "category": place["lights"].pk})
    assert "Add your voice to this one" in form_page.content.decode()
    assert f"{voice}?back=" in form_page.content.decode()
    back = f"/civic/report/?category={place['lights'].pk}&lat={LAT}&lng={LNG}"
    asked = client.get(voice, {"back": back})
    assert asked.status_code == 200 and b'name="email"' in asked.content and b'autocomplete="email"' in asked.content
    assert back.replace("&", "&amp;").encode() in asked.content
    assert client.get(voice, {"back": "https://evil.example.org/civic/report/?x"}).content.count(b"evil") == 0

    # errors keep what was typed; hostile text is inert
    wrong = _ask(client, report, name="<script>alert(1)</script> Sam", email="not an address")
    html = wrong.content.decode()
    assert wrong.status_code == 400 and "Your e-mail address" in html and "error-summary" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sam" in html and "<script>alert(1)" not in html
    assert 'value="not an address"' in html and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        sent = _ask(client, report, name="<b>Sam</b>\r\nReed", back=back)
    assert sent.status_code == 200 and b"Check your e-mail" in sent.content and b"sam@example.org" in sent.content
    assert b"Back to the report form" in sent.content
    assert not ReportSupport.objects.filter(email="sam@example.org").exists()
    message = [m for m in mail.outbox if m.to == ["sam@example.org"]][-1]
    assert "Lamp 14 dark" in message.body and "7 days" in message.body
    assert "<b>Sam</b>" not in message.alternatives[0][0]

    link = _link("sam@example.org")
    shown = client.get(link)  # a scanner opening the link adds nothing
    assert shown.status_code == 200 and b"Add my voice" in shown.content
    assert not report.supports.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, follow=True)
    html = done.content.decode()
    assert done.redirect_chain[0] == (report.get_absolute_url(), 302)
    assert "your voice is added" in html and "We will e-mail sam@example.org" in html
    assert "You have added your voice to this report." in html and "2 people have reported it" in html
    support = ReportSupport.objects.get(report=report, email="sam@example.org")
    assert support.user is None and "\n" not in support.name and support.name == "<b>Sam</b> Reed"
    assert "sam@example.org" not in client.__class__().get(report.get_absolute_url()).content.decode()
    # the second click: already added, counted once
    again = client.get(link)
    assert again.status_code == 200 and b"Your voice is already added" in again.content
    assert b"Your voice is already added" in client.post(link).content
    # asking again with the same address in other letters only ever says so
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client.__class__(), report, email="SAM@example.org")
    assert b"already added" in client.__class__().post(_link("SAM@example.org")).content
    report.refresh_from_db()
    assert report.supporters == 2 and report.supports.filter(user__isnull=True).count() == 1


def test_a_supporter_by_email_hears_of_status_changes_and_can_stop_them(
    client, place, django_capture_on_commit_callbacks
):
    report = place["report"]
    staff = UserFactory()
    grant(space=place["body"], user=staff, role="facilitator", by=None, checked_by_caller=True)
    assert services.report_support_confirm(report=report, email="sam@example.org", name="Sam Reed")
    assert services.report_support_confirm(report=report, email="lee@example.org", name="Lee")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_set_status(report=report, by=staff, status="fixed", text="New lamp fitted.")
    got = {m.to[0]: m for m in mail.outbox if m.to[0] in ("sam@example.org", "lee@example.org")}
    assert set(got) == {"sam@example.org", "lee@example.org"}
    message = got["sam@example.org"]
    assert "Dear Sam Reed" in message.body and "New lamp fitted." in message.body and "now fixed" in message.body
    assert "added your voice to" in message.body and message.subject.endswith(
        "Update on a report you support: Lamp 14 dark"
    )
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in message.body  # the stop link, in the mail and its header
    path = "/" + unsubscribe.split("/", 3)[3]
    assert client.post(path).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_set_status(report=report, by=staff, status="closed", text="Closed.")
    assert not [m for m in mail.outbox if "sam@example.org" in m.to]
    assert [m for m in mail.outbox if "lee@example.org" in m.to]


def test_the_anonymous_reporter_and_supporters_hear_of_a_bodys_reply_once_each(
    place, django_capture_on_commit_callbacks
):
    mine = ReportFactory(category=place["lights"], body=place["body"], owner=None, reporter_name="Jo",
                         reporter_email="jo@example.org")  # fmt: skip
    assert services.report_support_confirm(report=mine, email="sam@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_body_reply(report=mine, text="An engineer visits on Monday.")
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["jo@example.org", "sam@example.org"]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "Update on your report" in subjects["jo@example.org"]
    assert "a report you support" in subjects["sam@example.org"]


def test_tampered_expired_and_taken_down_links(client, place, monkeypatch):
    report = place["report"]
    token = services.support_token(report=report, email="sam@example.org", name="Sam")
    link = reverse("civic:report_support_confirm", args=[token])
    forged = reverse("civic:report_support_confirm", args=[token[:-3] + "zzz"])
    assert client.get(forged).status_code == 404 and client.post(forged).status_code == 404
    other_purpose = reverse("civic:report_support_confirm", args=[services.confirm_token(
        ReportFactory(category=place["lights"], owner=None, reporter_email="sam@example.org"))])  # fmt: skip
    assert client.post(other_purpose).status_code == 404
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + (services.SUPPORT_DAYS + 1) * 86400)
    expired = client.post(link)
    assert expired.status_code == 410 and b"Ask for a new one" in expired.content
    assert reverse("civic:report_voice", args=[report.pk]).encode() in expired.content
    monkeypatch.setattr(time, "time", lambda: now)
    Report.objects.filter(pk=report.pk).update(moderation=ModerationState.HIDDEN)
    assert client.post(link).status_code == 404
    assert client.get(reverse("civic:report_voice", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.supporters == 1 and not report.supports.filter(email__gt="").exists()


def test_asking_is_rate_limited_per_address(client, place, django_capture_on_commit_callbacks):
    report = place["report"]
    assert _ask(client, report, email="bad").status_code == 400  # a mistake is not counted
    with django_capture_on_commit_callbacks(execute=True):
        codes = [_ask(client, report).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert len([m for m in mail.outbox if m.to == ["sam@example.org"]]) == 5
    limited = _ask(client, report)
    assert limited.status_code == 429 and limited["Retry-After"] and b"Please wait" in limited.content
    assert b'value="Sam Reed"' in limited.content  # what was typed is kept
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, report, email="lee@example.org").status_code == 200  # another address


def test_signed_in_people_keep_todays_path(client, place):
    report = place["report"]
    member = UserFactory()
    client.force_login(member)
    voice = reverse("civic:report_voice", args=[report.pk])
    assert client.get(voice).status_code == 302 and client.post(voice, {"name": "x"}).status_code == 302
    page = client.get(report.get_absolute_url()).content.decode()
    assert reverse("civic:report_support", args=[report.pk]) in page and f'href="{voice}"' not in page
    assert client.post(reverse("civic:report_support", args=[report.pk])).status_code == 302
    assert ReportSupport.objects.filter(report=report, user=member, email="").exists()
    assert "You have added your voice to this report." in client.get(report.get_absolute_url()).content.decode()
    assert quote(voice) not in page
