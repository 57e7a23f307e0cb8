"""iCalendar (RFC 5545) with the pinned `icalendar` library: one `.ics` per event, and feeds (an
area's, an organisation's, a person's) streamed a component at a time so a feed of thousands of
events starts at once and never sits whole in memory. Times are written in UTC ("Z")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from squaremile.core.site import absolute_url
from squaremile.core.text import clean_text, plain_text

PRODID = "-//Square Mile//Events//EN"


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(absolute_url("/")).hostname or "squaremile.invalid"


def _line(text: str) -> str:
    """A one-line value (a title, a place): no line breaks or control characters."""
    return " ".join(clean_text(str(text or ""), multiline=False).split())


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _line(name)[:200])
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def component(event, *, host: str, base_url: str, online_link: str = "") -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"event-{event.pk}@{host}")
    vevent.add("dtstamp", (event.updated_at or timezone.now()).astimezone(dt.UTC))
    vevent.add("dtstart", event.starts_at.astimezone(dt.UTC))
    vevent.add("dtend", event.ends_at.astimezone(dt.UTC))
    vevent.add("summary", _line(event.title))
    url = base_url.rstrip("/") + event.get_absolute_url()
    description = clean_text(plain_text(event.description or ""), multiline=True)[:4000]
    if online_link:
        description += f"\n\nJoin online: {online_link}"
    vevent.add("description", (description + f"\n\n{url}").strip())
    vevent.add("url", url)
    location = _line(", ".join(p for p in (event.venue_name, event.venue_address) if p))
    if location:
        vevent.add("location", location)
    if event.lat is not None and event.lng is not None:
        vevent.add("geo", (event.lat, event.lng))
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    if event.created_at:
        vevent.add("created", event.created_at.astimezone(dt.UTC))
    return vevent


def event_ics(event, *, online_link: str = "") -> bytes:
    cal = _calendar(event.title)
    cal.add_component(component(event, host=_host(), base_url=absolute_url("/"), online_link=online_link))
    return cal.to_ical()


def stream(events: Iterable, *, name: str) -> Iterator[bytes]:
    """The calendar in pieces: its header, one VEVENT at a time, its end."""
    head = _calendar(name).to_ical()
    end = b"END:VCALENDAR\r\n"
    yield head[: -len(end)]
    host, base = _host(), absolute_url("/")
    batch = []
    for event in events:
        batch.append(component(event, host=host, base_url=base).to_ical())
        if len(batch) >= 200:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)
    yield end


def parse(data: bytes) -> list[dict]:
    """The events of an iCalendar file as rows for the import pipeline (text cells)."""
    cal = Calendar.from_ical(data)
    rows = []
    for item in cal.walk("VEVENT"):
        start = item.get("dtstart")
        end = item.get("dtend")
        rows.append(
            {
                "uid": str(item.get("uid") or ""),
                "summary": str(item.get("summary") or ""),
                "description": str(item.get("description") or ""),
                "location": str(item.get("location") or ""),
                "url": str(item.get("url") or ""),
                "dtstart": _when(start.dt) if start else "",
                "dtend": _when(end.dt) if end else "",
                "status": str(item.get("status") or ""),
            }
        )
    return rows


def _when(value) -> str:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
