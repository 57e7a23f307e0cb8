"""Reads for events: lists (by area, organisation, month) that stay fast at 100,000 events (an
index on the start, keyset pages, no COUNT over the table), the agenda, the proceedings, who may
see what (the online link only for registered people, answers only for organisers)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from squaremile.core.permissions import can, signed_in
from squaremile.events.models import (
    Action,
    ActionStatus,
    Answer,
    Event,
    EventStatus,
    Registration,
    Report,
    Room,
    Session,
    Slot,
)

PAGE = 30


def event_by_slug(slug: str) -> Event | None:
    return (
        Event.objects.select_related("area", "organisation", "owner", "survey", "group", "game__deck")
        .filter(slug=slug)
        .first()
    )


@dataclass
class EventPage:
    events: list
    next_cursor: str = ""
    prev_cursor: str = ""


def _cursor(event: Event) -> str:
    return f"{int(event.starts_at.timestamp() * 1_000_000)}.{event.pk}"


def _parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = text.split(".", 1)
        when = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
        return when, int(pk)
    except (ValueError, OverflowError, OSError):
        return None


def event_list(
    *,
    area=None,
    area_ids=None,
    organisation=None,
    group=None,
    past: bool = False,
    after: str = "",
    limit: int = PAGE,
    now=None,
) -> EventPage:
    """Upcoming (or past, newest first) events, a page at a time by keyset on (start, id): the same
    cost on page 1 and page 3,000."""
    now = now or timezone.now()
    from squaremile.directory.models import Organisation
    from squaremile.places.models import Area

    # no JOIN in the page's query: joined, SQLite sorts every upcoming event instead of walking the
    # start index; the page's few areas and organisers come in one small query each
    qs = Event.objects.only(
        "title",
        "slug",
        "starts_at",
        "ends_at",
        "mode",
        "venue_name",
        "status",
        "open_space",
        "area_id",
        "organisation_id",
    ).prefetch_related(
        Prefetch("area", queryset=Area.objects.only("name", "slug")),
        Prefetch("organisation", queryset=Organisation.objects.only("name", "slug")),
    )
    if group is not None:
        qs = qs.filter(group=group)
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    elif area is not None:
        qs = qs.filter(area=area)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    cursor = _parse_cursor(after) if after else None
    if past:
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
        if cursor:
            qs = qs.filter(Q(starts_at__lt=cursor[0]) | Q(starts_at=cursor[0], id__lt=cursor[1]))
    else:
        qs = qs.filter(ends_at__gte=now, starts_at__gte=running_since(now)).order_by("starts_at", "id")
        if cursor:
            qs = qs.filter(Q(starts_at__gt=cursor[0]) | Q(starts_at=cursor[0], id__gt=cursor[1]))
    rows = list(qs[: limit + 1])
    page = EventPage(events=rows[:limit])
    if len(rows) > limit:
        page.next_cursor = _cursor(rows[limit - 1])
    return page


RUNNING_KEY = "events:running-since"


def running_since(now) -> dt.datetime:
    """The start of the earliest event still running, remembered for five minutes: "coming up" then
    walks the start index from there instead of past every event already over (at 100,000 events,
    half of them). It only moves later as events end, so a remembered one is at worst early (a
    little slower, never wrong); a new event that began before it clears it (`forget_running_since`)."""
    from django.core.cache import cache

    found = cache.get(RUNNING_KEY)
    if found is None or found > now:
        first = Event.objects.filter(ends_at__gte=now).order_by("starts_at").values_list("starts_at", flat=True).first()
        found = first or now
        cache.set(RUNNING_KEY, found, 300)
    return found


def forget_running_since(starts_at=None) -> None:
    """Called when events are written: a new or moved event that began before the remembered start."""
    from django.core.cache import cache

    found = cache.get(RUNNING_KEY)
    if found is not None and (starts_at is None or starts_at < found):
        cache.delete(RUNNING_KEY)


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)
    more: int = 0

    # the day's words, written once here rather than by a template filter per cell
    @property
    def number(self) -> int:
        return self.date.day

    @property
    def weekday(self) -> str:
        return calendar.day_name[self.date.weekday()]

    @property
    def month_name(self) -> str:
        return calendar.month_name[self.date.month]


def month_grid(*, year: int, month: int, area=None, area_ids=None, organisation=None, group=None, per_day: int = 4):
    """Weeks (Monday first) of days with their events (at most `per_day` each, and how many more):
    one query on the start index for the six weeks shown, however many events they hold."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    last = weeks[-1][-1]
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    base = Event.objects.order_by()
    if group is not None:
        base = base.filter(group=group)
    if area_ids is not None:
        base = base.filter(area_id__in=area_ids)
    elif area is not None:
        base = base.filter(area=area)
    if organisation is not None:
        base = base.filter(organisation=organisation)
    today = timezone.localdate()
    dates = [d for week in weeks for d in week]
    # each day's bounds in UTC (local midnights: a day of 23 or 25 hours where the clocks change)
    bounds = [dt.datetime.combine(d, dt.time.min, tzinfo=tz) for d in dates] + [end]
    days = [Day(date=d, in_month=d.month == month, is_today=d == today) for d in dates]
    # two statements whatever the month holds, each a UNION ALL of one start-index range per day
    # (SQLite takes LIMIT inside a UNION only in a subquery, which the ORM does not write, so the
    # per-day queries' own SQL is joined here): how many start each day, and each day's first few
    per_day_qs = [base.filter(starts_at__gte=bounds[i], starts_at__lt=bounds[i + 1]) for i in range(len(dates))]
    totals = _union_rows([qs.values("id") for qs in per_day_qs], count=True)
    busy = [i for i, n in enumerate(totals) if n]
    rows = []
    if busy:
        firsts = _union_rows([per_day_qs[i].order_by("starts_at", "id").values("id")[:per_day] for i in busy])
        rows = Event.objects.filter(pk__in=firsts).order_by().values_list("title", "slug", "starts_at", "status")
    index_of = {d: i for i, d in enumerate(dates)}
    prefix = reverse("events:detail", args=["x"])[:-2]
    for title, slug, starts_at, status in rows:
        local = timezone.localtime(starts_at, tz)
        day = days[index_of[local.date()]]
        day.events.append(
            {
                "title": title,
                "slug": slug,
                "url": f"{prefix}{slug}/",
                "starts_at": starts_at,
                "iso": local.isoformat(),
                "time": local.strftime("%H:%M"),
                "cancelled": status == "cancelled",
            }
        )
    for i in busy:
        days[i].events.sort(key=lambda e: e["starts_at"])
        days[i].more = totals[i] - len(days[i].events)
    by_date = {day.date: day for day in days}
    return [[by_date[d] for d in week] for week in weeks]


def _union_rows(querysets, *, count: bool = False) -> list:
    """Run querysets as one UNION ALL statement: the first column of their rows (`count`: how many
    rows each would give, in the querysets' order)."""
    sqls, params = [], []
    for i, qs in enumerate(querysets):
        sql, p = qs.query.sql_with_params()
        # the ORM's own SQL, its values as parameters
        head = f"SELECT {i} AS part, COUNT(*) AS n" if count else "SELECT *"
        sqls.append(f"{head} FROM ({sql}) AS t{i}")  # noqa: S608
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        found = cursor.fetchall()
    if count:
        counts = [0] * len(querysets)
        for part, n in found:
            counts[part] = n
        return counts
    return [row[0] for row in found]


def registration_of(event: Event, user) -> Registration | None:
    if not signed_in(user):
        return None
    return Registration.objects.filter(event=event, user=user).first()


def may_see_link(user, event: Event, registration: Registration | None = None) -> bool:
    """The online link: for people registered (going, maybe, not the waiting list) and the runners."""
    if can(user, "event.facilitate", event):
        return True
    registration = registration if registration is not None else registration_of(event, user)
    return bool(registration and registration.confirmed and registration.answer in (Answer.GOING, Answer.MAYBE))


def counts(event: Event) -> dict:
    rows = dict(
        Registration.objects.filter(event=event, confirmed=True)
        .values("answer")
        .annotate(n=Count("id"))
        .values_list("answer", "n")
    )
    return {a: rows.get(a, 0) for a in Answer.values}


def registrations_for_organisers(event: Event):
    return Registration.objects.filter(event=event).select_related("user").order_by("answer", "created_at", "id")


# ---------------------------------------------------------------- open space
@dataclass
class Agenda:
    slots: list
    rooms: list
    rows: list  # [(slot, [(room, session or None) per room])]
    unplaced: list
    version: int


def agenda(event: Event) -> Agenda:
    """The grid: times down, places across (four queries whatever its size)."""
    slots = list(Slot.objects.filter(event=event).order_by("starts_at", "id"))
    rooms = list(Room.objects.filter(event=event).order_by("position", "id"))
    sessions = list(
        Session.objects.filter(event=event)
        .select_related("convener", "note_taker")
        .prefetch_related(Prefetch("report", queryset=Report.objects.only("id", "session_id", "no_report")))
        .order_by("created_at", "id")
    )
    placed = {(s.slot_id, s.room_id): s for s in sessions if s.slot_id and s.room_id}
    rows = [(slot, [(room, placed.get((slot.pk, room.pk))) for room in rooms]) for slot in slots]
    unplaced = [s for s in sessions if not (s.slot_id and s.room_id)]
    return Agenda(slots=slots, rooms=rooms, rows=rows, unplaced=unplaced, version=event.agenda_version)


def has_report(session: Session) -> bool:
    try:
        return session.report is not None
    except Report.DoesNotExist:
        return False


@dataclass
class Proceedings:
    sessions: list  # placed sessions in agenda order, each with .report (or None) and photos
    actions: list
    participants: int
    named: list


def proceedings_of(event: Event) -> Proceedings:
    sessions = list(
        Session.objects.filter(event=event, slot__isnull=False, room__isnull=False)
        .select_related("slot", "room", "convener", "note_taker", "report")
        .prefetch_related("remote_notes__author", "report__attachments")
        .order_by("slot__starts_at", "room__position", "id")
    )
    actions = list(Action.objects.filter(event=event).select_related("owner", "session").order_by("due", "id"))
    participants = Registration.objects.filter(
        event=event, confirmed=True, answer__in=(Answer.GOING, Answer.MAYBE)
    ).count()
    for session in sessions:
        session.the_report = session.report if has_report(session) else None
        session.photos = (
            [a for a in session.the_report.attachments.all() if a.kind == "image"] if session.the_report else []
        )
    return Proceedings(sessions=sessions, actions=actions, participants=participants, named=event.recipients())


def actions_of(event: Event):
    return Action.objects.filter(event=event).select_related("owner", "session").order_by("status", "due", "id")


def my_actions(user):
    if not signed_in(user):
        return Action.objects.none()
    return Action.objects.filter(owner=user).select_related("event").order_by("status", "due", "id")


def action_counts(event: Event) -> dict:
    rows = dict(Action.objects.filter(event=event).values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: rows.get(s, 0) for s in ActionStatus.values}


def events_of_person(user, *, limit: int = 500):
    """A person's events: the ones they registered for and the ones they run."""
    from squaremile.core.permissions import space_ids_q

    registered = Registration.objects.filter(
        user=user, confirmed=True, answer__in=(Answer.GOING, Answer.MAYBE, Answer.WAITING)
    ).values("event_id")
    return (
        Event.objects.filter(
            Q(pk__in=registered) | Q(owner=user) | space_ids_q(user, Event, ("organiser", "facilitator"))
        )
        .exclude(status=EventStatus.CANCELLED, ends_at__lt=timezone.now())
        .order_by("-starts_at")[:limit]
    )


def feed_events(*, area_ids=None, organisation=None, group=None, since_days: int = 365):
    """Events for a calendar feed: from a year ago on, oldest first, as an iterator of values
    (ical.FIELDS) read a thousand rows at a time (streamed)."""
    from squaremile.events.ical import FIELDS

    qs = Event.objects.filter(ends_at__gte=timezone.now() - dt.timedelta(days=since_days))
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if group is not None:
        qs = qs.filter(group=group)
    return qs.order_by("starts_at", "id").values(*FIELDS).iterator(chunk_size=1000)


def in_bbox(*, west: float, south: float, east: float, north: float, limit: int = 500):
    """Upcoming and recent events with a place inside the box, for the map layer."""
    since = timezone.now() - dt.timedelta(days=30)
    return (
        Event.objects.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east, ends_at__gte=since)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "id")
        .values("title", "slug", "lat", "lng", "starts_at")[:limit]
    )


def groups_to_organise(user):
    """The conversation groups a person may name as an event's organiser: the ones they facilitate
    (or own; moderators: any)."""
    from squaremile.conversations.models import Group
    from squaremile.core.permissions import space_ids_q

    if not signed_in(user):
        return Group.objects.none()
    if can(user, "group.facilitate"):
        return Group.objects.all()
    return Group.objects.filter(space_ids_q(user, Group, ("facilitator",)) | Q(owner_id=user.pk))


def group_visible(user, event: Event):
    """The event's organising group if this person may see it (a private group is not named to outsiders)."""
    if not event.group_id:
        return None
    from squaremile.conversations.selectors import may_see_group

    return event.group if may_see_group(user, event.group) else None
