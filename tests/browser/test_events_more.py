"""Events in a real browser on a phone (390x844), beyond open space: an organiser imports events
from a spreadsheet through the shared wizard (a bad row named, the corrected file applied), names
a group they facilitate as an event's organiser (its members told, its page lists the event), and
opens skills-game tables from the event's page, whose result the event then shows."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.conversations.tests.factories import group, member
from squaremile.events.models import Event
from squaremile.notifications.models import Notification
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = (
    "Event,Date,Ends,Venue,Details\n"
    "Litter pick,14/05/2030 10:00,14/05/2030 12:00,Park gates,Gloves given\n"
    "Repair café,2030-05-20 18:30,,Library,Bring broken things\n"
    "Quiz night,sometime soon,,The Crown,\n"
)
FIXED = BAD.replace("sometime soon", "25/05/2030 19:30")


def upload(page, name: str, text: str):
    page.get_by_label("File to import").set_input_files({"name": name, "mimeType": "text/csv", "buffer": text.encode()})


def test_organiser_imports_events_from_a_spreadsheet_on_a_phone(new_context, login):
    organiser = make_user(email="organiser@example.org", role=Role.ORGANISER)
    page = new_context(viewport=PHONE).new_page()
    login(page, organiser)
    page.goto("/events/")
    page.get_by_role("link", name="from a spreadsheet (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import events from a spreadsheet")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "events CSV import start on a phone")

    upload(page, "events.csv", BAD)
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    expect(page.get_by_label("Title")).to_have_value("0")  # guessed from "Event"
    page.get_by_label("Description").select_option(label="Details")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "events CSV import columns on a phone")

    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("table.row-errors")).to_contain_text("“sometime soon” is not a date and time")
    expect(page.get_by_role("button", name="Apply the whole file")).to_be_disabled()
    assert not a11y_report(page, "events CSV import preview on a phone")
    assert not Event.objects.exists()

    upload(page, "events-fixed.csv", FIXED)
    page.get_by_role("button", name="Upload the corrected file").click()
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator(".counts")).to_contain_text("3 new events")
    page.get_by_role("button", name="Apply the whole file").click()
    expect(page.locator("#job-status")).to_contain_text("Imported: 3 new, 0 updated, 0 unchanged")
    assert_fits_the_screen(page)
    assert Event.objects.get(title="Repair café").description == "Bring broken things"


def test_group_event_and_skills_game_on_a_phone(new_context, login):
    organiser = make_user(email="facilitator@example.org", role=Role.ORGANISER)
    garden = group(owner=organiser, name="Allotment neighbours")
    neighbour = member(garden)
    page = new_context(viewport=PHONE).new_page()
    login(page, organiser)
    page.goto("/events/new/")
    page.get_by_label("Title").fill("Seed swap")
    page.get_by_label("Starts").fill("2030-04-12T10:00")
    page.get_by_label("Ends").fill("2030-04-12T12:00")
    page.locator("#id_venue_name").fill("Allotment hut")
    page.get_by_label("Organised by a group (optional)").select_option(label="Allotment neighbours")
    page.get_by_role("button", name="Publish the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seed swap")
    expect(page.locator(".event-facts")).to_contain_text("Allotment neighbours")
    event = Event.objects.get(title="Seed swap")
    assert event.group == garden
    assert Notification.objects.filter(recipient=neighbour, kind="events.group_event").exists()

    page.goto(garden.get_absolute_url())
    expect(page.get_by_role("link", name="Seed swap")).to_be_visible()
    page.goto(f"/events/?group={garden.slug}")
    expect(page.get_by_role("link", name="this group's calendar (.ics)")).to_be_visible()
    assert_fits_the_screen(page)

    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Play the skills game").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The skills game at")
    assert not a11y_report(page, "event game tables on a phone")
    page.get_by_label("Tables playing on phones").fill("2")
    page.get_by_role("button", name="Open the tables").click()
    expect(page.locator("#game-h")).to_have_text("The skills game")
    event.refresh_from_db()
    table = event.game.tables.order_by("id").first()
    expect(page.locator(".game-tables")).to_contain_text(table.code)
    expect(page.locator(".event-game")).to_contain_text("The 2 tables together")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "event page with the skills game on a phone")
