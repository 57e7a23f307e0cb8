"""The events' pages: what each person sees, the forms' refusals, the wall's cheap poll, iCalendar
that a standard parser reads, schema.org metadata, the map layer and the feeds."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.events import services
from squaremile.events.models import Answer, Event, Registration
from squaremile.events.tests.factories import (
    EventFactory,
    OpenSpaceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SlotFactory,
)
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def test_list_and_calendar_show_events_by_area(client, django_assert_max_num_queries):
    area = AreaFactory()
    here = EventFactory(area=area, title="Here")
    EventFactory(title="Elsewhere")
    with django_assert_max_num_queries(8):
        page = client.get(reverse("events:list"), {"area": area.slug})
    assert page.status_code == 200
    assert b"Here" in page.content and b"Elsewhere" not in page.content
    month = timezone.localtime(here.starts_at).strftime("%Y-%m")
    with django_assert_max_num_queries(8):
        page = client.get(reverse("events:calendar"), {"month": month, "area": area.slug})
    assert b"Here" in page.content and b"Elsewhere" not in page.content
    assert client.get(reverse("events:calendar"), {"month": "nonsense"}).status_code == 200


def test_list_pages_by_keyset():
    from squaremile.events.selectors import event_list

    events = [
        EventFactory(
            starts_at=timezone.now() + dt.timedelta(days=i + 1),
            ends_at=timezone.now() + dt.timedelta(days=i + 1, hours=1),
        )
        for i in range(5)
    ]
    first = event_list(limit=2)
    second = event_list(limit=2, after=first.next_cursor)
    third = event_list(limit=2, after=second.next_cursor)
    assert [e.pk for e in first.events + second.events + third.events] == [e.pk for e in events]
    assert not third.next_cursor


def test_event_page_hides_the_online_link_from_strangers_and_has_json_ld(client):
    event = OpenSpaceFactory()
    page = client.get(event.get_absolute_url())
    assert event.online_url.encode() not in page.content
    data = json.loads(
        page.content.decode().split('id="event-json-ld" type="application/json">')[1].split("</script>")[0]
    )
    assert data["@type"] == "Event" and data["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    person = UserFactory()
    RegistrationFactory(event=event, user=person)
    client.force_login(person)
    assert event.online_url.encode() in client.get(event.get_absolute_url()).content


def test_register_form_keeps_answers_and_custom_questions_are_seen_only_by_organisers(client):
    from squaremile.questions.models import Question

    event = EventFactory()
    question = Question.objects.create(owner=event, label="Any access needs?", kind="longtext", position=0)
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("events:register", args=[event.slug]), {"answer": "going", f"q_{question.pk}": "Step-free"})
    registration = Registration.objects.get(event=event, user=person)
    assert registration.answers == {str(question.pk): "Step-free"}
    assert client.get(reverse("events:registrations", args=[event.slug])).status_code == 403
    client.force_login(event.owner)
    assert b"Step-free" in client.get(reverse("events:registrations", args=[event.slug])).content
    facilitator = UserFactory()
    from squaremile.core import spaces

    spaces.grant(space=event, user=facilitator, role="facilitator", by=event.owner)
    client.force_login(facilitator)
    page = client.get(reverse("events:registrations", args=[event.slug]))
    assert page.status_code == 200 and b"Step-free" not in page.content


def test_guest_registration_is_rate_limited(client, settings):
    settings.RATE_LIMITS = "event-guest=2/h/ip"
    event = EventFactory()
    url = reverse("events:guest_register", args=[event.slug])
    for n in range(2):
        assert client.post(url, {"name": "G", "email": f"g{n}@example.org", "answer": "going"}).status_code == 200
    assert client.post(url, {"name": "G", "email": "g9@example.org", "answer": "going"}).status_code == 429
    assert client.post(url, {"name": "", "email": "bad", "answer": "x"}).status_code in (400, 429)


def test_ics_validates_with_the_icalendar_parser(client):
    area = AreaFactory()
    event = EventFactory(area=area, title="Café; with, commas\nand a line", lat=52.6, lng=-1.1)
    EventFactory(area=area, status="cancelled")
    one = client.get(reverse("events:ics", args=[event.slug]))
    assert one["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(one.content)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["summary"]) == "Café; with, commas and a line"
    assert vevent["dtstart"].dt == event.starts_at
    assert vevent["dtstart"].dt.tzinfo is not None
    feed = client.get(reverse("events:area_ics", args=[area.slug]))
    cal = Calendar.from_ical(b"".join(feed.streaming_content))
    events = cal.walk("VEVENT")
    assert len(events) == 2 and {str(e["status"]) for e in events} == {"CONFIRMED", "CANCELLED"}


def test_ics_written_by_hand_is_escaped_folded_and_read_back_exactly(client):
    from squaremile.events import ical

    area = AreaFactory()
    hostile = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\u202e; a,b \\ c"
    long_text = "Ünïcødé " * 40 + "😀" * 30
    event = EventFactory(
        area=area,
        title=hostile,
        description=f"**Bold** [the park](https://example.org/p) <script>alert(1)</script>\n\n{long_text}",
        venue_name="Hall; room 2, floor 1",
        venue_address="1 High St\nTown",
        lat=52.6,
        lng=-1.1,
    )
    body = b"".join(client.get(reverse("events:area_ics", args=[area.slug])).streaming_content)
    lines = body.split(b"\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n") and all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets, never inside a character
    for line in lines:
        line.decode("utf-8")
    cal = Calendar.from_ical(body)
    (vevent,) = cal.walk("VEVENT")  # the hostile title made no event of its own
    assert str(vevent["summary"]) == "Evil END:VEVENT BEGIN:VEVENT SUMMARY:injected; a,b \\ c"
    description = str(vevent["description"])
    assert "Bold the park (https://example.org/p)" in description and "script" not in description
    assert long_text.strip() in description and description.endswith(event.get_absolute_url())
    assert str(vevent["location"]) == "Hall; room 2, floor 1, 1 High St Town"
    assert vevent["dtstart"].dt == event.starts_at and vevent["dtend"].dt == event.ends_at
    assert vevent["geo"].latitude == pytest.approx(52.6)
    assert ical.fold("a" * 75) == b"a" * 75 + b"\r\n"
    assert ical.fold("a" * 76) == b"a" * 75 + b"\r\n a\r\n"
    assert ical.fold("é" * 40).split(b"\r\n ")[0] == "é".encode() * 37  # 74 octets: é is two


def test_person_feed_needs_the_secret_token(client):
    person = UserFactory()
    event = EventFactory()
    RegistrationFactory(event=event, user=person)
    token = services.calendar_token_for(person).token
    feed = client.get(reverse("events:person_ics", args=[token]))
    cal = Calendar.from_ical(b"".join(feed.streaming_content))
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == [event.title]
    assert client.get(reverse("events:person_ics", args=["wrong"])).status_code == 404


def test_agenda_version_answers_304_when_unchanged(client, django_assert_num_queries):
    event = OpenSpaceFactory()
    url = reverse("events:agenda_version", args=[event.slug])
    first = client.get(url)
    assert first.json() == {"version": event.agenda_version}
    with django_assert_num_queries(0):  # cached: the poll costs no query
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    session = SessionFactory(event=event)
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    from django.test import TestCase

    before = event.agenda_version
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.session_place(session=session, by=event.owner, slot=slot, room=room)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["version"] > before
    fragment = client.get(reverse("events:agenda_fragment", args=[event.slug]), {"view": "wall"})
    assert session.title.encode() in fragment.content


def test_grid_place_answers_json_and_refuses_a_clash(client):
    event = OpenSpaceFactory()
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    a, b = SessionFactory(event=event), SessionFactory(event=event)
    client.force_login(event.owner)
    url = reverse("events:grid_place", args=[event.slug])
    ok = client.post(url, {"session": a.pk, "place": f"{slot.pk}-{room.pk}"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["ok"]
    clash = client.post(url, {"session": b.pk, "place": f"{slot.pk}-{room.pk}"}, HTTP_ACCEPT="application/json")
    assert clash.status_code == 409 and "already has" in clash.json()["message"]
    # without JavaScript: the select boxes post the same and come back to the grid with a message
    back = client.post(url, {"session": b.pk, "place": f"{slot.pk}-{room.pk}"}, follow=True)
    assert b"already has" in back.content
    client.force_login(UserFactory())
    assert client.post(url, {"session": b.pk, "place": ""}).status_code == 403


def test_every_open_space_page_renders(client):
    event = OpenSpaceFactory()
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    session = SessionFactory(event=event, slot=slot, room=room)
    client.force_login(event.owner)
    for name in (
        "marketplace",
        "grid",
        "agenda",
        "wall",
        "close",
        "proceedings",
        "actions",
        "detail",
        "edit",
        "questions",
        "registrations",
        "organisers",
        "cancel",
        "update_add",
    ):
        assert client.get(reverse(f"events:{name}", args=[event.slug])).status_code == 200, name
    for name in ("session", "report"):
        assert client.get(reverse(f"events:{name}", args=[event.slug, session.pk])).status_code == 200, name
    for name in ("list", "calendar", "create", "import", "my_calendar"):
        assert client.get(reverse(f"events:{name}")).status_code == 200, name


def test_report_form_files_a_report_with_an_action(client):
    event = OpenSpaceFactory()
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    session = SessionFactory(event=event, slot=slot, room=room)
    person = UserFactory()
    RegistrationFactory(event=event, user=person)
    client.force_login(person)
    url = reverse("events:report", args=[event.slug, session.pk])
    bad = client.post(url, {"summary": "", "action_1": "Do it"})
    assert bad.status_code == 400 and b"Every action needs an owner" in bad.content
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    done = client.post(
        url,
        {
            "summary": "Benches",
            "participant_count": "7",
            "action_1": "Ask for benches",
            "action_1_owner": str(person.pk),
            "action_1_due": due,
            "methods": "World Café",
        },
    )
    assert done.status_code == 302
    session.refresh_from_db()
    assert session.report.summary == "Benches" and session.methods == ["World Café"]
    assert session.actions.get().owner == person


def test_proceedings_pdf(client):
    event = OpenSpaceFactory()
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    session = SessionFactory(event=event, slot=slot, room=room)
    from squaremile.events.models import Report

    Report.objects.create(session=session, summary="Talked about *trees*")
    pdf = client.get(reverse("events:proceedings_pdf", args=[event.slug]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_map_layer_geojson(client):
    EventFactory(lat=52.6, lng=-1.1, title="On the map")
    EventFactory(lat=10, lng=10)
    found = client.get(reverse("events:map_layer"), {"bbox": "-2,52,0,53"}).json()
    assert [f["properties"]["title"].split(" · ")[0] for f in found["features"]] == ["On the map"]
    assert set(found["features"][0]["properties"]) == {"title", "url", "kind"}
    assert client.get(reverse("events:map_layer"), {"bbox": "x"}).status_code == 400


def test_feeds(client):
    EventFactory(title="Fête \x01 day")
    for name in ("feed_rss", "feed_atom"):
        page = client.get(reverse(f"events:{name}"))
        assert page.status_code == 200 and b"F\xc3\xaate" in page.content


def test_import_from_a_file_all_or_nothing_and_idempotent(client):
    organiser = UserFactory(role=Role.ORGANISER)
    client.force_login(organiser)
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a-1@example.org\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270110T180000Z\r\n"
        b"DTEND:20270110T200000Z\r\nSUMMARY:Imported meeting\r\nLOCATION:Hall\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("events:import")
    client.post(url, {"file": SimpleUploadedFile("c.ics", ics, "text/calendar")})
    assert Event.objects.filter(title="Imported meeting", venue_name="Hall").count() == 1
    client.post(url, {"file": SimpleUploadedFile("c.ics", ics, "text/calendar")})
    assert Event.objects.filter(title="Imported meeting").count() == 1
    bad = ics.replace(b"SUMMARY:Imported meeting\r\n", b"")
    page = client.post(url, {"file": SimpleUploadedFile("c.ics", bad, "text/calendar")})
    assert page.status_code == 400 and b"no title" in page.content
    assert client.post(url, {"url": "file:///etc/passwd"}).status_code == 400


def test_fetch_refuses_other_schemes_and_private_addresses():
    from squaremile.events import importers

    with pytest.raises(importers.FetchError):
        importers.fetch("ftp://example.org/x.ics")
    with pytest.raises(importers.FetchError):
        importers.fetch("http://127.0.0.1/x.ics")


def test_api_events_sessions_reports(client):
    event = OpenSpaceFactory()
    slot, room = SlotFactory(event=event), RoomFactory(event=event)
    session = SessionFactory(event=event, slot=slot, room=room)
    assert client.get("/api/v1/events").json()["count"] == 1
    detail = client.get(f"/api/v1/events/{event.slug}").json()
    assert detail["online_url"] is None
    assert client.get(f"/api/v1/events/{event.slug}/sessions").json()[0]["title"] == session.title
    assert client.get(f"/api/v1/events/{event.slug}/sessions/{session.pk}/report").status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/proceedings").json()["sessions"][0]["report"] is None
    assert client.get("/api/v1/events/nope").status_code == 404
    assert (
        client.post(f"/api/v1/events/{event.slug}/pitches", {"title": "x"}, content_type="application/json").status_code
        == 401
    )
    assert Registration.objects.count() == 0 and Answer.GOING


def test_month_grid_shows_each_days_first_events_and_how_many_more():
    from squaremile.events import selectors

    tz = timezone.get_current_timezone()
    day = dt.date(2031, 3, 12)
    for hour in range(6):
        EventFactory(title=f"Morning {hour}", starts_at=dt.datetime(2031, 3, 12, 8 + hour, tzinfo=tz),
                     ends_at=dt.datetime(2031, 3, 12, 9 + hour, tzinfo=tz))  # fmt: skip
    late = EventFactory(title="Late", starts_at=dt.datetime(2031, 3, 13, 23, 30, tzinfo=tz),
                        ends_at=dt.datetime(2031, 3, 14, 1, tzinfo=tz))  # fmt: skip
    weeks = selectors.month_grid(year=2031, month=3, per_day=4)
    days = {d.date: d for week in weeks for d in week}
    assert [e["title"] for e in days[day].events] == ["Morning 0", "Morning 1", "Morning 2", "Morning 3"]
    assert days[day].more == 2
    assert [e["slug"] for e in days[dt.date(2031, 3, 13)].events] == [late.slug]  # by local date
    assert days[dt.date(2031, 3, 14)].events == [] and days[dt.date(2031, 3, 14)].more == 0


def test_csv_import_through_the_shared_wizard_all_or_nothing_and_idempotent(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from squaremile.events import importers
    from squaremile.imports import pipeline
    from squaremile.imports.reading import read_table

    assert client.get(reverse("events:import_csv")).status_code == 302  # log in first
    client.force_login(UserFactory(role=Role.MEMBER))
    assert client.get(reverse("events:import_csv")).status_code == 403
    organiser = UserFactory(role=Role.ORGANISER)
    client.force_login(organiser)
    bad = (
        "What,When,Finish,Where,Notes\n"
        "Litter pick,14/05/2027 10:00,14/05/2027 12:00,Park gates,Gloves given\n"
        'Repair café,2027-05-20 18:30,,Library,"Bring things, broken ones"\n'
        "Quiz,next Tuesday,,Pub,\n"
    )
    page = client.post(reverse("events:import_csv"), {"file": SimpleUploadedFile("e.csv", bad.encode(), "text/csv")})
    assert page.status_code == 302
    columns = client.get(page["Location"])
    assert columns.status_code == 200
    table = read_table(bad.encode(), "e.csv")
    guess = importers.CSV_IMPORTER.guess(table)
    assert guess["summary"] == "What" and guess["dtstart"] == "When" and guess["location"] == "Where"
    options = pipeline.ImportOptions(mapping={**guess, "description": "Notes"})
    with pytest.raises(pipeline.ImportRejected) as refused:
        pipeline.apply(importers.CSV_IMPORTER, table=table, options=options, by=organiser)
    assert [e["row"] for e in refused.value.plan.errors] == [4]
    assert "“next Tuesday” is not a date and time" in str(refused.value.plan.errors)
    assert not Event.objects.exists()
    fixed = read_table(bad.replace("next Tuesday", "25/05/2027 19:00").encode(), "e.csv")
    result = pipeline.apply(importers.CSV_IMPORTER, table=fixed, options=options, by=organiser)
    assert (result.created, result.updated) == (3, 0)
    pick = Event.objects.get(title="Litter pick")
    tz = timezone.get_current_timezone()
    assert pick.starts_at == dt.datetime(2027, 5, 14, 10, tzinfo=tz) and pick.ends_at.hour == 11  # BST
    assert pick.venue_name == "Park gates" and pick.owner == organiser
    cafe = Event.objects.get(title="Repair café")
    assert cafe.ends_at - cafe.starts_at == dt.timedelta(hours=1) and cafe.description == "Bring things, broken ones"
    again = pipeline.apply(importers.CSV_IMPORTER, table=fixed, options=options, by=organiser)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_coming_up_includes_long_running_events_and_new_ones_that_began_earlier():
    from squaremile.events import selectors

    now = timezone.now()
    EventFactory(title="Over", starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(days=8))
    exhibition = EventFactory(
        title="Exhibition", starts_at=now - dt.timedelta(days=20), ends_at=now + dt.timedelta(days=5)
    )
    soon = EventFactory(title="Soon", starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=2))
    assert [e.title for e in selectors.event_list().events] == ["Exhibition", "Soon"]
    assert selectors.running_since(timezone.now()) == exhibition.starts_at  # remembered
    organiser = UserFactory(role=Role.ORGANISER)
    older = services.event_create(by=organiser, data={"title": "Festival", "starts_at": now - dt.timedelta(days=30),
                                                      "ends_at": now + dt.timedelta(days=30), "mode": "online",
                                                      "online_url": "https://example.org/f"})  # fmt: skip
    assert [e.pk for e in selectors.event_list().events] == [older.pk, exhibition.pk, soon.pk]
