"""Issue 19's "Done when", in real browsers: an organiser creates a hybrid open-space event; 20
people register (two without accounts, confirming by the mailed link); participants pitch from
their phones, the facilitator builds the grid by drag and drop while the agenda wall follows by
itself; note-takers file reports on phones with a photo; the event closes only when every session
is reported; every participant and the named council receive the proceedings with the actions;
an action's owner is reminded and marks it done. The `.ics` files are read back with the
`icalendar` parser."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.events import services
from squaremile.events.models import Action, ActionStatus, Answer, Event, EventStatus, Registration, Session
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "clerk@kettleby-council.example.org"


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), "white")
    ImageDraw.Draw(image).rectangle((40, 40, 600, 440), outline="black", width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _phone(new_context, login, user=None):
    page = new_context(viewport=PHONE).new_page()
    if user is not None:
        login(page, user)
    return page


def _drag(page, source, target):
    """Drag with the mouse, as a facilitator at a laptop does (HTML5 drag and drop)."""
    source.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    target.hover()
    page.mouse.up()


def _report_on_phone(page, slug, session, owner, *, photo: bytes, summary: str, action: str):
    page.goto(f"/events/{slug}/sessions/{session.pk}/")
    page.get_by_role("button", name="I'll take notes").click()
    expect(page.get_by_role("status").first).to_contain_text("note-taker")
    page.get_by_role("link", name="Write the report").click()
    page.get_by_label("How many were there?").fill("9")
    page.get_by_label("Names of those who agree to be named (optional)").fill("Ada\nBen")
    page.get_by_label("What was said").fill(summary)
    page.get_by_label("Recommendations (optional)").fill("Meet monthly.")
    page.get_by_label("Action 1: what will be done").fill(action)
    page.locator("#id_action_1_owner").select_option(label=str(owner))
    page.locator("#id_action_1_due").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.locator("input[name=photos]").set_input_files(
        files=[{"name": "flipchart.png", "mimeType": "image/png", "buffer": photo}]
    )
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("heading", name="Report", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text(summary)


def test_hybrid_open_space_from_registration_to_proceedings(new_context, login, live_server):
    organiser = make_user(email="olu@example.org", role=Role.ORGANISER)
    now = timezone.now()

    # --- the organiser creates a hybrid open-space event
    desk = new_context().new_page()
    login(desk, organiser)
    desk.goto("/events/new/")
    desk.get_by_label("Title").fill("Kettleby open space")
    desk.get_by_label("Description").fill("Bring a topic. **Everyone** reports back.")
    desk.get_by_label("Starts").fill(_local(now - dt.timedelta(minutes=30)))
    desk.get_by_label("Ends").fill(_local(now + dt.timedelta(hours=4)))
    desk.get_by_label("In person and online").check()
    desk.locator("#id_venue_name").fill("Kettleby Library")
    desk.get_by_label("Access information").fill("Step-free entrance; hearing loop.")
    desk.get_by_label("Online link").fill("https://meet.example.org/kettleby")
    desk.get_by_label("Capacity").fill("30")
    desk.get_by_label("Open space").check()
    desk.get_by_label("Send the proceedings to").fill(COUNCIL)
    desk.get_by_role("button", name="Publish the event").click()
    expect(desk.get_by_role("heading", name="Kettleby open space")).to_be_visible()
    event = Event.objects.get(title="Kettleby open space")
    assert event.mode == "hybrid" and event.open_space
    slug = event.slug

    # --- 20 people register: 18 members (two on their phones) and two guests without accounts
    people = [make_user(email=f"p{n}@example.org") for n in range(18)]
    phones = [_phone(new_context, login, person) for person in people[:3]]
    for phone in phones[:2]:
        phone.goto(f"/events/{slug}/")
        expect(phone.locator("main")).not_to_contain_text("meet.example.org")
        phone.get_by_label("Going").check()
        phone.get_by_role("button", name="Send my answer").click()
        expect(phone.get_by_role("status").first).to_contain_text("You are going")
        expect(phone.get_by_role("link", name="https://meet.example.org/kettleby")).to_be_visible()
    for person in people[2:]:
        services.register(event=event, user=person, answer=Answer.GOING)
    for n in range(2):
        guest = _phone(new_context, login)
        guest.goto(f"/events/{slug}/")
        guest.get_by_label("Your name").fill(f"Guest {n}")
        guest.get_by_label("Your e-mail address").fill(f"guest{n}@example.net")
        guest.locator("#guest_answer_0").check()
        guest.get_by_role("button", name="Register").click()
        expect(guest.get_by_role("heading", name="Check your e-mail")).to_be_visible()
        message = next(m for m in reversed(mail.outbox) if m.to == [f"guest{n}@example.net"])
        link = re.search(r"/events/guest/\S+/", message.body).group(0)
        guest.goto(link)
        expect(guest.get_by_role("heading", name="Your place is confirmed")).to_be_visible()
    assert Registration.objects.filter(event=event, confirmed=True, answer=Answer.GOING).count() == 20

    # --- the wall is on the projector before the grid exists
    wall = new_context().new_page()
    wall.goto(f"/events/{slug}/wall/")
    expect(wall.locator(".wall-empty")).to_be_visible()

    # --- participants pitch from their phones; the facilitator types in a paper one
    topics = ["Saving the library", "A repair café", "Safer crossings"]
    for phone, topic in zip(phones, topics, strict=True):
        phone.goto(f"/events/{slug}/marketplace/")
        phone.get_by_label("Your topic").fill(topic)
        phone.get_by_role("button", name="Pitch it").click()
        expect(phone.locator(".pitches")).to_contain_text(topic)
    assert a11y_report(phones[0], "marketplace (phone)") == ""
    assert_fits_the_screen(phones[0])
    desk.goto(f"/events/{slug}/marketplace/")
    desk.get_by_label("Your topic").fill("Allotments")
    desk.get_by_label("Convener's name (for a pitch from paper)").fill("Mrs Khan")
    desk.get_by_role("button", name="Pitch it").click()
    expect(desk.locator(".pitches")).to_contain_text("Mrs Khan")

    # --- the facilitator builds the grid: two times, two places, by drag and drop
    desk.goto(f"/events/{slug}/grid/")
    for start in (now + dt.timedelta(minutes=30), now + dt.timedelta(minutes=90)):
        desk.get_by_label("Starts").fill(_local(start))
        desk.get_by_label("Ends").fill(_local(start + dt.timedelta(minutes=50)))
        desk.get_by_role("button", name="Add the time").click()
    for name in ("Main hall", "Breakout online"):
        desk.get_by_label("Room, table or breakout").fill(name)
        desk.get_by_role("button", name="Add the place").click()
    cells = desk.locator("td[data-drop]")
    expect(cells).to_have_count(4)
    desk.wait_for_load_state("load")
    for index, topic in enumerate(topics + ["Allotments"]):
        _drag(desk, desk.locator(".grid-unplaced .topic", has_text=topic), cells.nth(index))
        expect(desk.locator("#grid-status")).to_contain_text("is at")
        expect(cells.nth(index)).to_contain_text(topic)
    # a clash is refused: the first session onto the second's place
    _drag(desk, desk.locator("td[data-drop] .topic", has_text=topics[0]), cells.nth(1))
    expect(desk.locator("#grid-status")).to_contain_text("already has")
    assert a11y_report(desk, "grid") == ""

    # --- the wall has followed by itself (polling), without a reload
    expect(wall.locator(".wall-grid")).to_contain_text("Saving the library", timeout=5000)
    expect(wall.locator(".wall-grid")).to_contain_text("Allotments", timeout=5000)
    assert a11y_report(wall, "wall") == ""
    phones[2].goto(f"/events/{slug}/agenda/")
    expect(phones[2].locator(".agenda")).to_contain_text("A repair café")

    # --- note-takers report on their phones, with a photo of the flip-chart
    sessions = {s.title: s for s in Session.objects.filter(event=event)}
    photo = _photo()
    _report_on_phone(
        phones[0],
        slug,
        sessions["Saving the library"],
        people[0],
        photo=photo,
        summary="Keep it open on Saturdays",
        action="Write to the council about Saturdays",
    )
    _report_on_phone(
        phones[1],
        slug,
        sessions["A repair café"],
        people[1],
        photo=photo,
        summary="Start in March",
        action="Find a room for the repair café",
    )
    assert a11y_report(phones[1], "session with its report (phone)") == ""
    _report_on_phone(
        phones[2],
        slug,
        sessions["Safer crossings"],
        people[2],
        photo=photo,
        summary="Ask for a zebra crossing",
        action="Count the cars on Mill Lane",
    )

    # --- closing is refused until every session has a report or "no report"
    desk.goto(f"/events/{slug}/close/")
    expect(desk.locator("main")).to_contain_text("Allotments")
    desk.get_by_role("button", name="Close and send the proceedings").click()
    expect(desk.get_by_role("alert")).to_contain_text("no report yet")
    assert Event.objects.get(pk=event.pk).status == EventStatus.OPEN
    desk.get_by_label("No report because…").fill("The convener left early")
    desk.get_by_role("button", name="Mark “no report”").click()
    mail.outbox.clear()
    desk.get_by_role("button", name="Close and send the proceedings").click()
    expect(desk.get_by_role("heading", name="Proceedings: Kettleby open space")).to_be_visible()
    expect(desk.locator("main")).to_contain_text("Write to the council about Saturdays")
    expect(desk.locator(".proc-photos img")).to_have_count(3)
    assert a11y_report(desk, "proceedings") == ""

    # every participant and the council have the proceedings, with the actions
    received = {m.to[0]: m for m in mail.outbox if "proceedings" in m.subject.lower()}
    expected = {p.email for p in people} | {"guest0@example.net", "guest1@example.net", COUNCIL}
    assert expected <= set(received), expected - set(received)
    assert "Write to the council about Saturdays" in received[COUNCIL].body
    assert "Count the cars on Mill Lane" in received["guest1@example.net"].body
    pdf = desk.request.get(f"/events/{slug}/proceedings.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # --- an action's owner is reminded (the daily command) and marks it done on the phone
    assert services.remind_actions() == 3
    owner_phone = phones[0]
    owner_phone.goto("/notifications/")
    expect(owner_phone.locator("main")).to_contain_text("Write to the council about Saturdays")
    owner_phone.goto(f"/events/{slug}/actions/")
    card = owner_phone.locator(".action-cards li", has_text="Write to the council about Saturdays")
    card.get_by_label("Done").check()
    card.get_by_label("A note (optional)").fill("Letter sent")
    card.get_by_role("button", name="Update").click()
    expect(owner_phone.locator(".action-cards li", has_text="Write to the council")).to_contain_text("Done")
    assert Action.objects.get(description__startswith="Write to the council").status == ActionStatus.DONE
    owner_phone.goto(f"/events/{slug}/")
    expect(owner_phone.locator("main")).to_contain_text("1 action done")

    # --- the .ics files validate with a standard parser
    one = Calendar.from_ical(desk.request.get(f"/events/{slug}/event.ics").body())
    (vevent,) = one.walk("VEVENT")
    assert str(vevent["summary"]) == "Kettleby open space"
    assert vevent["dtstart"].dt == Event.objects.get(pk=event.pk).starts_at
    token = services.calendar_token_for(people[0]).token
    mine = Calendar.from_ical(desk.request.get(f"/events/calendars/person/{token}.ics").body())
    assert [str(e["summary"]) for e in mine.walk("VEVENT")] == ["Kettleby open space"]
