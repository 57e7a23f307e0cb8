"""Civic for people without an account, on a phone (390x844, touch): a resident reports a problem with
their name and e-mail, and the report goes public and to the body only after the e-mail link; the
body replies by e-mail and the reply shows as its update; a representative's answer link answers once,
then shows the answer, and a fresh link changes it; a body's administrator invites staff by e-mail
and removes them. Each page is checked with axe."""

import re
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from squaremile.civic import services as civic_services
from squaremile.civic.models import Report
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, RecipientFactory
from squaremile.core import spaces
from squaremile.moderation.models import ModerationState
from squaremile.notifications import inbound
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT, LNG = 53.80, -1.565


@pytest.fixture
def locality(transactional_db, live_server, settings):
    settings.INBOUND_MAIL_DOMAIN = "in.example.org"
    cache.clear()
    west = AreaFactory(name="Westfield", slug="westfield", lat=LAT, lng=-1.56, half=0.01)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    body = BodyFactory(name="Westfield Parish Council", slug="westfield-pc", areas=[west], categories=[lights],
                       email="clerk@westfield.example.org")  # fmt: skip
    return {"body": body, "lights": lights}


def _axe(page, label):
    report = a11y_report(page, label)
    assert not report, report


def _path(text: str, marker: str) -> str:
    return marker + text.split(marker, 1)[1].split()[0]


def test_reporting_without_an_account_and_the_bodys_reply_by_mail(phone_page, locality):
    page = phone_page
    page.goto(f"/civic/report/?category={locality['lights'].pk}&lat={LAT}&lng={LNG}")
    expect(page.get_by_role("group", name="About you")).to_be_visible()
    page.get_by_role("button", name="Send the report").tap()  # nothing filled: clear errors, nothing lost
    expect(page.locator(".error-summary")).to_contain_text("Your e-mail address")
    page.get_by_label("Sum it up in a few words").fill("<img src=x onerror=alert(1)> Lamp out by the bus stop")
    page.get_by_label("Your name").fill("Jo Walker")
    page.get_by_label("Your e-mail address").fill("jo@example.org")
    assert_fits_the_screen(page)
    _axe(page, "report without an account: details")
    page.get_by_role("button", name="Send the report").tap()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    _axe(page, "report without an account: check your e-mail")
    report = Report.objects.get()
    assert report.moderation == ModerationState.DRAFT
    assert not [m for m in mail.outbox if "clerk@westfield.example.org" in m.to]

    confirm = [m for m in mail.outbox if "jo@example.org" in m.to][0]
    page.goto(_path(confirm.body, "/civic/reports/confirm/"))
    _axe(page, "confirm a report")
    page.get_by_role("button", name="Confirm and send my report").tap()
    expect(page.get_by_role("heading", name=re.compile("Lamp out by the bus stop"))).to_be_visible()
    expect(page.get_by_text("Reported by Jo Walker")).to_be_visible()
    expect(page.get_by_text("Sent to Westfield Parish Council")).to_be_visible()
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0  # hostile text is inert
    to_body = [m for m in mail.outbox if "clerk@westfield.example.org" in m.to]
    assert len(to_body) == 1

    # the clerk replies from their mail client; the reply is a public update from the body
    msg = EmailMessage()
    msg["From"] = "Parish Clerk <clerk@westfield.example.org>"
    msg["To"] = to_body[0].reply_to[0]
    msg["Subject"] = "Re: Problem report"
    msg.set_content("We have asked the lighting contractor to visit.\n\nOn Sun, 6 Dec 2026, Square Mile wrote:\n> A "
                    "problem has been reported\n")  # fmt: skip
    msg.add_alternative("<p>We have asked the lighting contractor to visit.</p><blockquote>A problem</blockquote>",
                        subtype="html")  # fmt: skip
    assert inbound.receive(msg.as_bytes()).status == inbound.ACCEPTED
    page.reload()
    update = page.locator(".civic-updates li").filter(has_text="lighting contractor")
    expect(update).to_contain_text("Westfield Parish Council")
    assert "A problem has been reported" not in update.inner_text()
    _axe(page, "report page with the body's reply")


def test_an_answer_link_answers_once_on_a_phone(new_context, locality):
    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED, question__title="When is the lamp fixed?",
                                 representative__email="ada@westfield.example.org")  # fmt: skip
    civic_services.question_published(recipient.question)
    link = _path([m for m in mail.outbox if "ada@westfield.example.org" in m.to][-1].body, "/civic/answer/")
    page = new_context(viewport=PHONE).new_page()
    page.goto(link)
    page.get_by_label("Your answer").fill("Next Tuesday.")
    page.get_by_role("button", name="Publish my answer").tap()
    expect(page.get_by_text("Next Tuesday.")).to_be_visible()
    page.goto(link)  # the link has given its answer: it shows it, no form
    expect(page.get_by_role("heading", name=re.compile("Your answer, published"))).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    _axe(page, "a used answer link")
    mail.outbox.clear()
    page.get_by_role("button", name="E-mail me a fresh link").tap()
    expect(page.get_by_text("We have e-mailed a fresh link")).to_be_visible()
    fresh = _path(mail.outbox[-1].body, "/civic/answer/")
    page.goto(link)
    expect(page.get_by_text("A newer link was sent")).to_be_visible()
    _axe(page, "a replaced answer link")
    page.goto(fresh)
    page.get_by_label("Your answer").fill("Next Wednesday, in fact.")
    page.get_by_role("button", name="Publish my answer").tap()
    expect(page.get_by_text("Next Wednesday, in fact.")).to_be_visible()


def test_a_bodys_administrator_manages_staff_on_a_phone(phone_page, login, locality):
    admin = make_user(email="head@westfield.example.org")
    spaces.grant(space=locality["body"], user=admin, role="organiser", by=None, checked_by_caller=True)
    officer = make_user(email="officer@westfield.example.org")
    spaces.grant(space=locality["body"], user=officer, role="facilitator", by=None, checked_by_caller=True)
    page = phone_page
    login(page, admin)
    page.goto(locality["body"].get_absolute_url())
    page.get_by_role("link", name="Staff of Westfield Parish Council").tap()
    expect(page.get_by_role("heading", name="Staff of Westfield Parish Council")).to_be_visible()
    page.get_by_label("E-mail address to invite").fill("not-an-address")
    page.get_by_role("button", name="Send the invitation").tap()
    expect(page.locator(".error-summary")).to_contain_text("E-mail address to invite")
    page.get_by_label("E-mail address to invite").fill("new.officer@westfield.example.org")
    page.get_by_role("button", name="Send the invitation").tap()
    expect(page.get_by_text("Invitation sent to new.officer@westfield.example.org")).to_be_visible()
    expect(page.get_by_role("heading", name="Invited, not joined yet")).to_be_visible()
    assert [m for m in mail.outbox if "new.officer@westfield.example.org" in m.to]
    assert_fits_the_screen(page)
    _axe(page, "a body's staff")
    page.get_by_role("button", name=f"Remove {officer}").tap()
    expect(page.get_by_text(f"{officer} is no longer staff")).to_be_visible()
    assert officer.pk not in {h.user_id for h in spaces.holders(locality["body"])}
