"""Civic's "Done when" (issue 20), on a phone (390x844, touch): a resident reports a broken street light
near a parish boundary, is asked which side, is shown a similar report 30 m away and adds their voice
instead; a new report goes to the right body by e-mail and another body's report goes out by Open311
(to this project's own Open311 server); the body's staff update the status and the reporter is
notified; a question to a councillor is answered through the signed link and the responsiveness
figure changes. Each page is checked with axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from squaremile.accounts import services as account_services
from squaremile.civic import services as civic_services
from squaremile.civic.models import Delivery, Report, Representative
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, RepresentativeFactory
from squaremile.core import spaces
from squaremile.moderation import services as moderation
from squaremile.notifications.models import Notification
from squaremile.places.models import Place, PlaceKind
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, choose_place, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT = 53.80
BOUNDARY_LNG = -1.55  # Westfield parish west of it, Eastbrook east


@pytest.fixture
def locality(transactional_db, live_server):
    west = AreaFactory(name="Westfield", slug="westfield", lat=LAT, lng=-1.56, half=0.01)
    east = AreaFactory(name="Eastbrook", slug="eastbrook", lat=LAT, lng=-1.54, half=0.01)
    county = AreaFactory(name="Shire County", slug="shire", lat=LAT, lng=-1.55, half=0.2)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    potholes = CategoryFactory(name="Potholes", service_code="POT")
    operator = make_user(email="roads-system@county.example.org")
    _, key = account_services.api_token_create(user=operator, by=operator, name="county roads system")
    bodies = {
        "west": BodyFactory(name="Westfield Parish Council", areas=[west], categories=[lights],
                            email="clerk@westfield.example.org"),
        "east": BodyFactory(name="Eastbrook Parish Council", areas=[east], categories=[lights]),
        "county": BodyFactory(name="Shire County Council", areas=[county], categories=[potholes],
                              delivery=Delivery.OPEN311, open311_endpoint=f"{live_server.url}/open311/v2/",
                              open311_api_key=key),
    }  # fmt: skip
    # Mill Lane: about 40 m west of the boundary, inside Westfield
    Place.objects.create(name="Mill Lane", kind=PlaceKind.STREET, lat=LAT, lng=-1.5506, context="Westfield")
    neighbour = make_user(email="neighbour@example.org")
    existing = civic_services.report_create(
        by=neighbour, category=lights, lat=LAT, lng=-1.55095, title="Lamp post 14 dark", body=bodies["west"]
    )  # about 30 m from Mill Lane's point
    cllr = RepresentativeFactory(name="Cllr Ada Brook", area=west, email="ada.brook@westfield.example.org")
    return {**bodies, "lights": lights, "potholes": potholes, "existing": existing, "cllr": cllr, "west_area": west}


def _axe(page, label):
    report = a11y_report(page, label)
    assert not report, report


def test_done_when_on_a_phone(phone_page, new_context, login, locality, live_server):
    resident = make_user(email="rosa@example.org")
    page = phone_page
    login(page, resident)

    # 1. A broken street light near the parish boundary, found by its street name.
    page.goto("/civic/report/")
    _axe(page, "report: where and what")
    page.get_by_label("What is the problem?").select_option(label="Street lights")
    choose_place(page, page.get_by_label("Place name or postcode"), "Mill Lane", "Mill Lane")
    expect(page.get_by_label("Latitude")).to_have_value(re.compile(r"^53\.8"))
    page.get_by_role("button", name="Continue").tap()

    # 2. Asked which side; shown the similar report 30 m away first.
    expect(page.get_by_role("heading", name="Already reported nearby?")).to_be_visible()
    expect(page.get_by_text("Which side is it on?")).to_be_visible()
    expect(page.get_by_label("Westfield Parish Council")).to_be_visible()
    expect(page.get_by_label("Eastbrook Parish Council")).to_be_visible()
    card = page.locator(".civic-duplicates .card").filter(has_text="Lamp post 14 dark")
    expect(card).to_contain_text(re.compile(r"\b(2\d|3\d) m away"))
    assert_fits_the_screen(page)
    _axe(page, "report: duplicates and which side")
    # ...and adds their voice instead
    card.get_by_role("button", name="Add your voice to this one").tap()
    expect(page.get_by_role("heading", name="Lamp post 14 dark")).to_be_visible()
    expect(page.get_by_text("2 people have reported it")).to_be_visible()
    assert Report.objects.count() == 1

    # 3. A new report deep inside Westfield goes to Westfield by e-mail.
    mail.outbox.clear()
    page.goto(f"/civic/report/?category={locality['lights'].pk}&lat={LAT}&lng=-1.565")
    expect(page.get_by_text("This goes to")).to_contain_text("Westfield Parish Council")
    page.get_by_label("Sum it up in a few words").fill("Light flickering by the school gate")
    page.get_by_label("Don't show my name on the public page").check()
    page.get_by_role("button", name="Send the report").tap()
    expect(page.get_by_role("heading", name="Light flickering by the school gate")).to_be_visible()
    expect(page.get_by_text("Sent to Westfield Parish Council")).to_be_visible()
    expect(page.get_by_text("Reported by Someone who lives nearby")).to_be_visible()
    _axe(page, "report page")
    to_clerk = [m for m in mail.outbox if "clerk@westfield.example.org" in m.to]
    assert len(to_clerk) == 1 and "Light flickering by the school gate" in to_clerk[0].body
    emailed = Report.objects.get(title="Light flickering by the school gate")

    # 4. A pothole is the county's, whose own system takes it by Open311.
    page.goto(f"/civic/report/?category={locality['potholes'].pk}&lat={LAT}&lng=-1.565")
    page.get_by_label("Sum it up in a few words").fill("Deep pothole on Mill Lane")
    page.get_by_role("button", name="Send the report").tap()
    expect(page.get_by_text("Sent to Shire County Council")).to_be_visible()
    expect(page.get_by_text(re.compile(r"their reference \d+"))).to_be_visible()
    pothole = Report.objects.get(title="Deep pothole on Mill Lane", source="web")
    assert Report.objects.filter(pk=int(pothole.external_id), source="open311").exists()

    # 5. Westfield's clerk updates the status; the reporter is notified.
    clerk = make_user(email="clerk-account@westfield.example.org")
    spaces.grant(space=locality["west"], user=clerk, by=make_user(role="admin"))
    staff_page = new_context(viewport=PHONE).new_page()
    login(staff_page, clerk)
    staff_page.goto(emailed.get_absolute_url())
    staff_page.get_by_role("combobox", name="Status").select_option(label="In progress")
    staff_page.get_by_label("Update for the public page").fill("An engineer is booked for Thursday.")
    staff_page.get_by_role("button", name="Save the status").tap()
    expect(staff_page.get_by_text("An engineer is booked for Thursday.")).to_be_visible()
    assert Notification.objects.filter(recipient=resident, kind="civic.report_updated").exists()
    page.goto("/notifications/")
    expect(page.get_by_text(re.compile("is now in progress"))).to_be_visible()

    # 6. A question to the councillor, answered through the signed link; the figure changes.
    page.goto(f"/civic/questions/ask/?rep={locality['cllr'].pk}")
    page.get_by_label("Cllr Ada Brook (Councillor, Independent)").check()
    page.get_by_label("Your question in one line").fill("When will the school lights be fixed?")
    page.get_by_label("Your question in full").fill("They have flickered for a month.")
    page.get_by_role("button", name="Send for checking").tap()
    expect(page.get_by_text("only you and the moderators see it")).to_be_visible()
    question = locality["cllr"].questions.get()
    mail.outbox.clear()
    moderation.take(kind="repquestion", action="publish", user=make_user(role="moderator"), obj=question)
    page.goto(locality["cllr"].get_absolute_url())
    expect(page.get_by_text("Answered 0 of 1 question")).to_be_visible()
    to_cllr = [m for m in mail.outbox if "ada.brook@westfield.example.org" in m.to]
    assert len(to_cllr) == 1
    link = re.search(r"https?://\S+/civic/answer/\S+/", to_cllr[0].body).group(0)
    councillor = new_context(viewport=PHONE).new_page()
    councillor.goto("/civic/" + link.split("/civic/", 1)[1])
    _axe(councillor, "answer page")
    councillor.get_by_label("Your answer").fill("The contractor comes on Monday.")
    councillor.get_by_role("button", name="Publish my answer").tap()
    expect(councillor.get_by_text("The contractor comes on Monday.")).to_be_visible()
    rep = Representative.objects.get(pk=locality["cllr"].pk)
    assert (rep.questions_sent, rep.questions_answered) == (1, 1)
    page.goto(locality["cllr"].get_absolute_url())
    expect(page.get_by_text("Answered 1 of 1 question")).to_be_visible()
    _axe(page, "representative page")


def test_who_serves_my_square_mile_on_a_phone(phone_page, locality):
    page = phone_page
    page.goto(f"/civic/?lat={LAT}&lng=-1.565")
    expect(page.get_by_role("heading", name=re.compile("This place"))).to_be_visible()
    expect(page.get_by_role("link", name="Westfield Parish Council")).to_be_visible()
    expect(page.get_by_role("link", name="Cllr Ada Brook", exact=True)).to_be_visible()
    assert_fits_the_screen(page)
    _axe(page, "who serves")


def test_the_report_page_works_without_javascript(new_context, login, locality):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    resident = make_user(email="nojs@example.org")
    login(page, resident)
    page.goto("/civic/report/")
    page.get_by_label("What is the problem?").select_option(label="Street lights")
    page.get_by_label("Place name or postcode").fill("Mill Lane")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which side is it on?")).to_be_visible()
    page.get_by_label("Eastbrook Parish Council").check()
    page.get_by_label("Sum it up in a few words").fill("Another lamp")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Sent to Eastbrook Parish Council")).to_be_visible()
