"""iCalendar (RFC 5545): one `.ics` per event, and feeds (an area's, a group's, an organisation's,
a person's) streamed a few hundred events at a time from a values() iterator, so a feed of
thousands of events starts at once and never sits whole in memory. Written line by line (TEXT
escaped, lines folded at 75 octets, CRLF); times in UTC ("Z"). Files are read (imports) with the
pinned `icalendar` library."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator

import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from squaremile.core.site import absolute_url
from squaremile.core.text import clean_text

PRODID = "-//Square Mile//Events//EN"


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(absolute_url("/")).hostname or "squaremile.invalid"


def _line(text: str) -> str:
    """A one-line value (a title, a place): no line breaks or control characters."""
    return " ".join(clean_text(str(text or ""), multiline=False).split())


# ---------------------------------------------------------------- writing (RFC 5545, by hand)
# Feeds are written line by line rather than through `icalendar` objects: building a component per
# event cost 0.7 ms each (3.7 s of CPU for an area's 5,000), writing the lines costs a few µs.
# `icalendar` still reads files (imports) and the tests parse every feed with it.
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[^)]*)?\)")
_MD_MARKS = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?)|(\*\*|__|\*|`+|~~)(?=\S)|(?<=\S)(\*\*|__|\*|`+|~~)")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped; no other
    control character (clean_text removed them), so a value can never end its line or start a
    property of its own."""
    text = clean_text(str(value or ""), multiline=True).replace("\r", "").replace("\t", " ")
    return text.translate(_TEXT_ESCAPES)


def fold(line: str) -> bytes:
    """One content line as CRLF-ended octets, folded at 75 octets (3.1) without splitting a UTF-8
    character: each continuation starts with one space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, width = [], 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never inside a character
            end -= 1
        parts.append(data[start:end])
        start, width = end, 74  # the leading space of a continuation counts
    return b"\r\n ".join(parts) + b"\r\n"


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def plain_description(markdown: str) -> str:
    """The description as plain text for calendars: tags (and scripts) removed by nh3, Markdown's
    marks dropped, a link as "text (address)"; line breaks kept."""
    if not markdown:
        return ""
    text = html.unescape(nh3.clean(markdown, tags=set())) if ("<" in markdown or "&" in markdown) else markdown
    if any(ch in text for ch in "[*_`~#>-+"):
        text = _MD_LINK.sub(lambda m: f"{m[1]} ({m[2]})" if m[2] and m[2] != m[1] else m[1], text)
        text = _MD_MARKS.sub("", text)
    return text.strip()


def _header(name: str) -> bytes:
    return b"".join(
        (
            b"BEGIN:VCALENDAR\r\n",
            fold(f"PRODID:{PRODID}"),
            b"VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
            fold(f"X-WR-CALNAME:{escape_text(_line(name)[:200])}"),
            fold(f"X-WR-TIMEZONE:{escape_text(settings.TIME_ZONE)}"),
        )
    )


END = b"END:VCALENDAR\r\n"


def vevent(row: dict, *, host: str, base_url: str, stamp: str, online_link: str = "", prefix: str = "") -> bytes:
    """One VEVENT from a row of values (FIELDS: title, slug, description, times, place, status)."""
    url = base_url + (prefix or _detail_prefix()) + row["slug"] + "/"
    description = plain_description(row["description"] or "")[:4000]
    if online_link:
        description += f"\n\nJoin online: {online_link}"
    description = (description + f"\n\n{url}").strip()
    location = _line(", ".join(p for p in (row["venue_name"], row["venue_address"]) if p))
    updated = row.get("updated_at")
    lines = [
        b"BEGIN:VEVENT\r\n",
        fold(f"UID:event-{row['id']}@{host}"),
        f"DTSTAMP:{utc(updated) if updated else stamp}\r\n".encode(),
        f"DTSTART:{utc(row['starts_at'])}\r\nDTEND:{utc(row['ends_at'])}\r\n".encode(),
        fold(f"SUMMARY:{escape_text(_line(row['title']))}"),
        fold(f"DESCRIPTION:{escape_text(description)}"),
        fold(f"URL:{url}"),
    ]
    if location:
        lines.append(fold(f"LOCATION:{escape_text(location)}"))
    if row["lat"] is not None and row["lng"] is not None:
        lines.append(f"GEO:{float(row['lat']):.6f};{float(row['lng']):.6f}\r\n".encode())
    lines.append(b"STATUS:CANCELLED\r\n" if row["status"] == "cancelled" else b"STATUS:CONFIRMED\r\n")
    if row.get("created_at"):
        lines.append(f"CREATED:{utc(row['created_at'])}\r\n".encode())
    lines.append(b"END:VEVENT\r\n")
    return b"".join(lines)


FIELDS = (
    "id",
    "title",
    "slug",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "lat",
    "lng",
    "status",
    "updated_at",
    "created_at",
)


def _detail_prefix() -> str:
    return reverse("events:detail", args=["x"])[:-2]


def _row(event) -> dict:
    return {f: getattr(event, "pk" if f == "id" else f) for f in FIELDS}


def event_ics(event, *, online_link: str = "") -> bytes:
    base = absolute_url("/").rstrip("/")
    stamp = utc(timezone.now())
    return (
        _header(event.title)
        + vevent(_row(event), host=_host(), base_url=base, stamp=stamp, online_link=online_link)
        + END
    )


def stream(rows: Iterable, *, name: str, chunk: int = 250) -> Iterator[bytes]:
    """The calendar in pieces: its header, VEVENTs a few hundred at a time, its end. `rows`: dicts
    of FIELDS (a values() iterator) or Event objects."""
    yield _header(name)
    host, base, stamp = _host(), absolute_url("/").rstrip("/"), utc(timezone.now())
    prefix = _detail_prefix()
    batch = []
    for row in rows:
        if not isinstance(row, dict):
            row = _row(row)
        batch.append(vevent(row, host=host, base_url=base, stamp=stamp, prefix=prefix))
        if len(batch) >= chunk:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)
    yield END


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
