"""Adding one's voice without an account, on a phone (390x844, touch): a resident about to report a
problem is shown the same one already reported nearby, adds their voice with a name and an e-mail
address (mistakes shown, nothing typed lost), opens the link mailed to them, and is counted once;
the body's status change reaches them by e-mail with a link to stop such mails. Each new page is
checked with axe."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from squaremile.civic import services as civic_services
from squaremile.civic.models import Report, ReportSupport
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.core import spaces
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT, LNG = 53.80, -1.565


@pytest.fixture
def locality(transactional_db, live_server):
    cache.clear()
    west = AreaFactory(name="Westfield", slug="westfield", lat=LAT, lng=-1.56, half=0.01)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    body = BodyFactory(name="Westfield Parish Council", slug="westfield-pc", areas=[west], categories=[lights],
                       email="clerk@westfield.example.org")  # fmt: skip
    report = ReportFactory(category=lights, body=body, lat=LAT, lng=LNG + 0.0002, title="Lamp post 14 dark")
    return {"body": body, "lights": lights, "report": report}


def _axe(page, label):
    report = a11y_report(page, label)
    assert not report, report


def test_adding_ones_voice_without_an_account_on_a_phone(phone_page, locality):
    page = phone_page
    report = locality["report"]
    form_url = f"/civic/report/?category={locality['lights'].pk}&lat={LAT}&lng={LNG}"
    page.goto(form_url)
    card = page.locator(".civic-duplicates .card").filter(has_text="Lamp post 14 dark")
    card.get_by_role("link", name="Add your voice to this one").tap()

    expect(page.get_by_role("heading", name="Add your voice")).to_be_visible()
    page.get_by_role("button", name="E-mail me the link").tap()  # nothing filled: clear errors
    expect(page.locator(".error-summary")).to_contain_text("Your name")
    page.get_by_label("Your name").fill("<img src=x onerror=alert(1)> Sam Reed")
    page.get_by_label("Your e-mail address").fill("sam@")
    page.get_by_role("button", name="E-mail me the link").tap()
    expect(page.locator(".error-summary")).to_contain_text("Your e-mail address")
    expect(page.get_by_label("Your name")).to_have_value("<img src=x onerror=alert(1)> Sam Reed")  # kept
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0
    assert page.get_by_label("Your e-mail address").get_attribute("type") == "email"
    assert_fits_the_screen(page)
    _axe(page, "add your voice: the form with errors")
    page.get_by_label("Your e-mail address").fill("sam@example.org")
    page.get_by_role("button", name="E-mail me the link").tap()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("sam@example.org")
    _axe(page, "add your voice: check your e-mail")
    page.get_by_role("link", name="Back to the report form").tap()
    expect(page.get_by_role("heading", name="Already reported nearby?")).to_be_visible()
    assert not ReportSupport.objects.filter(report=report).exists()  # nothing until the link is opened

    sent = [m for m in mail.outbox if m.to == ["sam@example.org"]]
    assert len(sent) == 1 and "Lamp post 14 dark" in sent[0].body
    link = "/civic/reports/voice/" + sent[0].body.split("/civic/reports/voice/", 1)[1].split()[0]
    page.goto(link)
    expect(page.get_by_text("as sam@example.org")).to_be_visible()
    assert_fits_the_screen(page)
    _axe(page, "add your voice: the link")
    page.get_by_role("button", name="Add my voice").tap()
    expect(page.get_by_role("heading", name="Lamp post 14 dark")).to_be_visible()
    expect(page.get_by_text(re.compile("your voice is added"))).to_be_visible()
    expect(page.get_by_text("2 people have reported it")).to_be_visible()
    expect(page.get_by_text("You have added your voice to this report.")).to_be_visible()
    _axe(page, "report page after adding one's voice")

    page.goto(link)  # the second click
    expect(page.get_by_role("heading", name="Your voice is already added")).to_be_visible()
    _axe(page, "add your voice: already added")
    assert Report.objects.get(pk=report.pk).supporters == 2

    # the body fixes it: the supporter is told, with a link to stop such mails
    staff = make_user()
    spaces.grant(space=locality["body"], user=staff, role="facilitator", by=None, checked_by_caller=True)
    mail.outbox.clear()
    civic_services.report_set_status(report=report, by=staff, status="fixed", text="New lamp fitted.")
    update = [m for m in mail.outbox if m.to == ["sam@example.org"]]
    assert len(update) == 1 and "New lamp fitted." in update[0].body
    stop = update[0].extra_headers["List-Unsubscribe"].strip("<>")
    page.goto("/" + stop.split("/", 3)[3])
    page.get_by_role("button", name="Yes, stop these e-mails").tap()
    expect(page.get_by_role("status")).to_contain_text("You will not get e-mails about")
    mail.outbox.clear()
    civic_services.report_set_status(report=report, by=staff, status="closed", text="Closed.")
    assert not [m for m in mail.outbox if m.to == ["sam@example.org"]]
