"""Events from an iCalendar feed or file, through the shared import pipeline (`squaremile.imports`):
the calendar is read into rows (one per VEVENT), every row checked, all or nothing, idempotent by
the event's UID (kept as `Event.external_id`). Fetching a URL is bounded: http/https only, a few
redirects, a timeout and a size limit; addresses on private networks are refused."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from squaremile.core.text import clean_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target
from squaremile.imports.reading import Table

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_S = 10
MAX_REDIRECTS = 3
MAX_EVENTS = 5000


class FetchError(ValueError):
    pass


def _public_host(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The address {host} could not be found.") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global and not settings.EVENTS_IMPORT_ALLOW_PRIVATE:
            raise FetchError("That address is on a private network: it cannot be fetched.")


def fetch(url: str, *, opener=None) -> bytes:
    """The calendar at `url`: http/https only, at most MAX_REDIRECTS redirects, TIMEOUT_S seconds
    and MAX_BYTES bytes."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = opener or urllib.request.build_opener(NoRedirect)
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("Only http and https addresses can be fetched.")
        _public_host(parts.hostname)
        headers = {"User-Agent": "SquareMile-events-import/1", "Accept": "text/calendar"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
        try:
            response = opener.open(request, timeout=TIMEOUT_S)  # noqa: S310 (scheme checked above)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                url = urljoin(url, exc.headers["Location"])
                continue
            raise FetchError(f"The calendar's server answered {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise FetchError("The calendar could not be fetched (no answer in time).") from exc
        with response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchError(f"The calendar is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            data = response.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FetchError(f"The calendar is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return data
    raise FetchError("Too many redirects.")


def table_from_ics(data: bytes) -> Table:
    from squaremile.events.ical import parse

    try:
        rows = parse(data)
    except ValueError as exc:
        raise FetchError("This is not an iCalendar file (.ics).") from exc
    if not rows:
        raise FetchError("The calendar has no events.")
    if len(rows) > MAX_EVENTS:
        raise FetchError(f"The calendar has more than {MAX_EVENTS:,} events.")
    return Table.from_dicts(rows)


TARGETS = (
    Target("uid", "UID", required=True, synonyms=("uid",)),
    Target("summary", "Title", required=True, synonyms=("summary", "title")),
    Target("description", "Description", synonyms=("description",)),
    Target("location", "Location", synonyms=("location",)),
    Target("url", "Link", synonyms=("url",)),
    Target("dtstart", "Start", required=True, synonyms=("dtstart", "start")),
    Target("dtend", "End", synonyms=("dtend", "end")),
    Target("status", "Status", synonyms=("status",)),
)
MAPPING = {t.key: t.key for t in TARGETS}
COMPARED = ("title", "description", "venue_name", "starts_at", "ends_at", "status")


# what people type in a spreadsheet besides ISO 8601 (day first, as in the UK)
LOCAL_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H.%M",
)


def _when(text: str) -> dt.datetime | None:
    text = " ".join((text or "").split())
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            value = dt.datetime.combine(day, dt.time.min)
    if value is None:
        for fmt in LOCAL_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@dataclass
class EventsContext:
    existing: dict
    area_id: int | None
    organisation_id: int | None


class EventsImporter(pipeline.Importer):
    key = "events.ical"
    title = "Import events"
    permission = "event.import"
    words = ("event", "events")
    targets = TARGETS
    inline_rows = MAX_EVENTS

    def prepare(self, table: Table, options) -> EventsContext:
        extra = options.extra or {}
        return EventsContext(existing={}, area_id=extra.get("area_id"), organisation_id=extra.get("organisation_id"))

    uid_required = True
    id_prefix = "ical:"

    def check_row(self, row: Row, context, options):
        problems = []
        uid = clean_text(row.get("uid") or "", multiline=False).strip()
        title = clean_text(row.get("summary") or "", multiline=False).strip()
        starts = _when(row.get("dtstart") or "")
        ends = _when(row.get("dtend") or "") or (starts + dt.timedelta(hours=1) if starts else None)
        if not uid and self.uid_required:
            problems.append("the event has no UID")
        if not title:
            problems.append("the event has no title")
        if starts is None:
            shown = (row.get("dtstart") or "").strip()[:40]
            problems.append(f"the start “{shown}” is not a date and time" if shown else "the event has no start")
        elif row.get("dtend") and _when(row.get("dtend")) is None:
            problems.append(f"the end “{(row.get('dtend') or '').strip()[:40]}” is not a date and time")
        elif ends < starts:
            problems.append("the end is before the start")
        if problems:
            return None, problems
        status = "cancelled" if (row.get("status") or "").strip().upper() in ("CANCELLED", "CANCELED") else "open"
        if not uid:  # a spreadsheet without an id column: the same title at the same time is the same event
            uid = f"{slugify(title)[:200]}@{starts.astimezone(dt.UTC):%Y%m%dT%H%M}"
        location = clean_text(row.get("location") or "", multiline=False).strip()
        return {
            "external_id": (self.id_prefix + uid)[:300],
            "title": title[:200],
            "description": clean_text(row.get("description") or "", multiline=True).strip()[:10000],
            "venue_name": location[:200],
            "starts_at": starts,
            "ends_at": ends,
            "status": status,
        }, []

    def key_of(self, values: dict) -> str:
        return values["external_id"]

    def match(self, checked, context, options, plan: Plan) -> None:
        from squaremile.events.models import Event

        keys = [values["external_id"] for _, values in checked]
        for start in range(0, len(keys), 900):
            for event in Event.objects.filter(external_id__in=keys[start : start + 900]):
                context.existing[event.external_id] = event
        for number, values in checked:
            found = context.existing.get(values["external_id"])
            if found is None:
                plan.creates.append((number, values))
                continue
            changes = {k: [getattr(found, k), values[k]] for k in COMPARED if getattr(found, k) != values[k]}
            if changes:
                plan.updates.append((number, found, changes))
            else:
                plan.unchanged += 1

    def write(self, plan: Plan, *, by, options) -> None:
        from squaremile.core.search import index_document
        from squaremile.events.models import Event

        context = plan.context
        owner = by if getattr(by, "pk", None) else None
        taken = set()
        new = []
        for _, values in plan.creates:
            base = slugify(values["title"])[:170] or "event"
            slug = f"{base}-{values['starts_at']:%Y%m%d}"
            n = 2
            while slug in taken or Event.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{values['starts_at']:%Y%m%d}-{n}", n + 1
            taken.add(slug)
            new.append(
                Event(
                    **values, slug=slug, owner=owner, area_id=context.area_id, organisation_id=context.organisation_id
                )
            )
        Event.objects.bulk_create(new)
        from squaremile.events.selectors import forget_running_since

        forget_running_since()
        for _, event, changes in plan.updates:
            for key, (_, value) in changes.items():
                setattr(event, key, value)
            event.save()
        for event in [*new, *(e for _, e, _ in plan.updates)]:
            if event.pk:
                index_document(
                    kind="event",
                    object_id=event.pk,
                    title=event.title,
                    body=event.description,
                    url=event.get_absolute_url(),
                    area_id=event.area_id,
                )

    def describe(self, record) -> str:
        return record["title"] if isinstance(record, dict) else str(record)

    def urls(self, job) -> dict:
        from django.urls import reverse

        return {"start": reverse("events:import"), "done": reverse("events:list"), "done_label": "Events"}


EVENTS_IMPORTER = pipeline.register(EventsImporter())


CSV_TARGETS = (
    Target("summary", "Title", required=True, synonyms=("title", "name", "event", "event name", "summary", "what")),
    Target("dtstart", "Start", required=True,
           synonyms=("start", "starts", "start time", "start date", "date", "when", "begins", "dtstart"),
           help="A date and time: 2026-05-14 18:30 or 14/05/2026 18:30 (day first)."),
    Target("dtend", "End", synonyms=("end", "ends", "end time", "finish", "until", "dtend"),
           help="Empty: an hour after the start."),
    Target("description", "Description", synonyms=("description", "details", "about", "notes")),
    Target("location", "Venue", synonyms=("venue", "location", "place", "where", "address")),
    Target("status", "Status", synonyms=("status",), help="“Cancelled” marks an event cancelled."),
    Target("uid", "Id", synonyms=("id", "uid", "ref", "reference", "event id"),
           help="Optional: an id that stays the same, so a later import updates the event."),
)  # fmt: skip


class CsvEventsImporter(EventsImporter):
    """Events from a spreadsheet saved as CSV: the shared wizard (upload, choose the columns,
    preview every bad row, all or nothing). Without an id column, the same title at the same start
    is the same event, so importing the file again changes nothing."""

    key = "events.csv"
    title = "Import events from a spreadsheet"
    targets = CSV_TARGETS
    uid_required = False
    id_prefix = "csv:"
    inline_rows = 2_000
    file_help = "A spreadsheet saved as CSV (UTF-8, comma or semicolon), one event a row, with a header row."

    def limits(self):
        from squaremile.imports.reading import Limits

        return Limits(max_bytes=MAX_BYTES, max_rows=MAX_EVENTS, max_columns=Limits.default().max_columns)

    urls = pipeline.Importer.urls  # the shared wizard's pages, named below (not the iCalendar page's)
    url_names = "events:import"
    start_url = "events:import_csv"
    done_url = "events:list"
    done_label = "See the events"


CSV_IMPORTER = pipeline.register(CsvEventsImporter())


def import_ics(*, data: bytes, by, area_id=None, organisation_id=None):
    """Read, check and apply a calendar all or nothing; `ImportRejected` names every bad event."""
    table = table_from_ics(data)
    options = pipeline.ImportOptions(
        mapping=dict(MAPPING), source="ical", extra={"area_id": area_id, "organisation_id": organisation_id}
    )
    return pipeline.apply(EVENTS_IMPORTER, table=table, options=options, by=by)
