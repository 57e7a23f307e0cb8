"""Writes for events: keyword-only, atomic, permission-checked; audit, search and notifications kept
in step. Open space (pitches, the grid, reports, closing, proceedings) and what comes after (actions,
updates) are here too; reading is in `selectors.py`, the mails' words in `notifications.py`."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from squaremile.attachments import services as attachments
from squaremile.audit import services as audit
from squaremile.core.permissions import can, require
from squaremile.core.records import ref_of
from squaremile.core.search import index_document, remove_document
from squaremile.core.text import plain_text
from squaremile.events import notifications as tell
from squaremile.events import selectors
from squaremile.events.models import (
    Action,
    ActionStatus,
    Answer,
    CalendarToken,
    Event,
    EventStatus,
    Registration,
    RemoteNote,
    Report,
    Room,
    Session,
    Slot,
    Update,
)
from squaremile.methods.models import Game, Method, UsageReport
from squaremile.methods.services import usage_report_create
from squaremile.moderation.models import ModerationState
from squaremile.places.selectors import area_for_point

EVENT_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "mode",
    "venue_name",
    "venue_address",
    "lat",
    "lng",
    "access_info",
    "online_url",
    "area",
    "organisation",
    "group",
    "capacity",
    "open_space",
    "proceedings_to",
    "survey",
)
# a change to one of these is told to everyone registered
TOLD_FIELDS = ("starts_at", "ends_at", "mode", "venue_name", "venue_address", "online_url", "lat", "lng")
GUEST_SALT = "squaremile.events.guest"
GUEST_MAX_AGE = 7 * 86400
VERSION_KEY = "events:agenda:{}"


# ---------------------------------------------------------------- helpers
def _unique_slug(title: str, exclude_pk=None) -> str:
    base = slugify(title)[:180] or "event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _index(event: Event) -> None:
    index_document(
        kind="event",
        object_id=event.pk,
        title=event.title,
        body=plain_text(event.description or "") + " " + event.venue_name,
        url=event.get_absolute_url(),
        area_id=event.area_id,
    )


def _check_group(by, group, *, was=None) -> None:
    """Only a facilitator of a group (or its owner, or a moderator) names it as an event's organiser."""
    if group is None or (was is not None and group.pk == was):
        return
    if not can(by, "group.facilitate", group):
        raise ValidationError({"group": ["Only a facilitator of the group can name it as the organiser."]})


def _check_times(starts_at, ends_at) -> None:
    if starts_at and ends_at and ends_at < starts_at:
        raise ValidationError({"ends_at": ["The end is before the start."]})


def bump_agenda(event: Event) -> int:
    """Raise the agenda's version (the wall and phones see it on their next poll)."""
    Event.objects.filter(pk=event.pk).update(agenda_version=F("agenda_version") + 1)
    version = Event.objects.filter(pk=event.pk).values_list("agenda_version", flat=True).first() or 0
    event.agenda_version = version
    transaction.on_commit(lambda: cache.set(VERSION_KEY.format(event.pk), version, 3600))
    return version


def event_id_for(slug: str) -> int | None:
    """An event's id from its slug, remembered in the cache (the wall's poll asks it every few seconds)."""
    key = f"events:slug:{slug[:220]}"
    found = cache.get(key)
    if found is None:
        found = Event.objects.filter(slug=slug[:220]).values_list("pk", flat=True).first()
        if found is not None:
            cache.set(key, found, 3600)
    return found


def agenda_version(event_id: int) -> int | None:
    """The agenda's version, from the cache when it is there (the poll every few seconds costs no query)."""
    key = VERSION_KEY.format(event_id)
    version = cache.get(key)
    if version is None:
        version = Event.objects.filter(pk=event_id).values_list("agenda_version", flat=True).first()
        if version is not None:
            cache.set(key, version, 3600)
    return version


# ---------------------------------------------------------------- events
@transaction.atomic
def event_create(*, by, data: dict) -> Event:
    require(by, "event.add")
    values = {k: v for k, v in data.items() if k in EVENT_FIELDS}
    _check_times(values.get("starts_at"), values.get("ends_at"))
    _check_group(by, values.get("group"))
    event = Event(**values, owner=by if getattr(by, "pk", None) else None)
    if event.area_id is None and event.lat is not None and event.lng is not None:
        event.area = area_for_point(lat=event.lat, lng=event.lng)
    event.slug = _unique_slug(event.title)
    event.save()
    selectors.forget_running_since(event.starts_at)
    _index(event)
    audit.record(actor=by, action="event.created", target=event)
    if event.group_id:
        tell.group_event(event=event, by=by)
    return event


@transaction.atomic
def event_update(*, event: Event, by, data: dict) -> Event:
    require(by, "event.change", event)
    before = audit.snapshot(event, EVENT_FIELDS)
    was_group = event.group_id
    if "group" in data:
        _check_group(by, data["group"], was=was_group)
    for key, value in data.items():
        if key in EVENT_FIELDS:
            setattr(event, key, value)
    _check_times(event.starts_at, event.ends_at)
    selectors.forget_running_since(event.starts_at)
    if ("lat" in data or "lng" in data) and "area" not in data and event.lat is not None and event.lng is not None:
        event.area = area_for_point(lat=event.lat, lng=event.lng)
    event.save()
    changes = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
    _index(event)
    if changes:
        audit.record(actor=by, action="event.changed", target=event, changes=changes)
        told = [k for k in changes if k in TOLD_FIELDS]
        if told:
            tell.event_changed(event=event, by=by, fields=told)
    if "capacity" in changes:
        promote_waiting(event=event)
    if event.group_id and event.group_id != was_group:
        tell.group_event(event=event, by=by)
    bump_agenda(event)
    return event


@transaction.atomic
def event_cancel(*, event: Event, by, reason: str = "") -> Event:
    require(by, "event.change", event)
    if event.is_cancelled:
        return event
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="event.cancelled", target=event, note=reason[:300])
    tell.event_cancelled(event=event, by=by, reason=reason)
    bump_agenda(event)
    return event


@transaction.atomic
def event_delete(*, event: Event, by) -> None:
    require(by, "event.change", event)
    from squaremile.core.spaces import drop_space

    audit.record(actor=by, action="event.deleted", target=event)
    remove_document(kind="event", object_id=event.pk)
    drop_space(event)
    event.delete()


# ---------------------------------------------------------------- registration
def going_count(event: Event) -> int:
    return Registration.objects.filter(event=event, answer=Answer.GOING, confirmed=True).count()


def _has_room(event: Event, *, excluding: Registration | None = None) -> bool:
    if event.capacity is None:
        return True
    taken = Registration.objects.filter(event=event, answer=Answer.GOING, confirmed=True)
    if excluding is not None and excluding.pk:
        taken = taken.exclude(pk=excluding.pk)
    return taken.count() < event.capacity


def _check_open(event: Event) -> None:
    if event.is_cancelled:
        raise ValidationError("This event was cancelled.")
    if event.is_closed or event.is_past:
        raise ValidationError("This event is over.")


def _settle(event: Event, registration: Registration, wanted: str) -> str:
    """Going when there is room, else the waiting list."""
    if wanted == Answer.GOING and not _has_room(event, excluding=registration):
        return Answer.WAITING
    return wanted


@transaction.atomic
def register(*, event: Event, user, answer: str, answers: dict | None = None) -> Registration:
    """A member's answer: going / maybe / can't (going becomes the waiting list when full)."""
    require(user, "event.register", event)
    if answer not in (Answer.GOING, Answer.MAYBE, Answer.CANT):
        raise ValidationError({"answer": ["Choose going, maybe or can't go."]})
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_open(event)
    registration = Registration.objects.filter(event=event, user=user).first() or Registration(event=event, user=user)
    was_going = registration.pk and registration.answer == Answer.GOING
    if registration.answer == Answer.WAITING and answer == Answer.GOING and registration.pk:
        settled = Answer.WAITING  # keeps its place in the queue
    else:
        settled = _settle(event, registration, answer)
    registration.answer = settled
    registration.confirmed = True
    if answers is not None:
        registration.answers = answers
    registration.save()
    if was_going and settled != Answer.GOING:
        promote_waiting(event=event)
    return registration


def guest_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "e": registration.email}, salt=GUEST_SALT, compress=True)


@transaction.atomic
def guest_register(*, event: Event, name: str, email: str, answer: str, answers: dict | None = None) -> Registration:
    """Someone without an account: kept unconfirmed until they follow the link mailed to them (the
    view rate-limits this per address and per e-mail)."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": ["Give an e-mail address."]})
    if answer not in (Answer.GOING, Answer.MAYBE, Answer.CANT):
        raise ValidationError({"answer": ["Choose going, maybe or can't go."]})
    _check_open(event)
    registration = Registration.objects.filter(event=event, user=None, email=email).first()
    if registration is None:
        registration = Registration(event=event, email=email, confirmed=False)
    registration.name = name.strip()[:120]
    registration.answers = answers or {}
    # the wanted answer waits for the confirmation; "can't" needs no place
    registration.answer = answer if not registration.confirmed else _settle(event, registration, answer)
    registration.save()
    tell.guest_confirm(
        registration=registration, link=reverse("events:guest_confirm", args=[guest_token(registration)])
    )
    return registration


@transaction.atomic
def guest_confirm(*, token: str) -> Registration:
    try:
        data = signing.loads(token, salt=GUEST_SALT, max_age=GUEST_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError("This link is not valid or has expired: please register again.") from exc
    registration = (
        Registration.objects.select_related("event").filter(pk=data.get("r"), email=data.get("e"), user=None).first()
    )
    if registration is None:
        raise ValidationError("This registration no longer exists: please register again.")
    if registration.confirmed:
        return registration
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration.confirmed = True
    registration.answer = _settle(event, registration, registration.answer)
    registration.save(update_fields=["confirmed", "answer", "updated_at"])
    return registration


@transaction.atomic
def guest_withdraw(*, token: str) -> Registration:
    registration = guest_confirm(token=token)
    was_going = registration.answer == Answer.GOING
    registration.answer = Answer.CANT
    registration.save(update_fields=["answer", "updated_at"])
    if was_going:
        promote_waiting(event=registration.event)
    return registration


def promote_waiting(*, event: Event) -> list[Registration]:
    """Fill free places from the waiting list, first come first served, and tell those promoted."""
    promoted = []
    while _has_room(event):
        nxt = (
            Registration.objects.filter(event=event, answer=Answer.WAITING, confirmed=True)
            .order_by("created_at", "id")
            .first()
        )
        if nxt is None:
            break
        nxt.answer = Answer.GOING
        nxt.save(update_fields=["answer", "updated_at"])
        promoted.append(nxt)
        tell.promoted(registration=nxt)
    return promoted


def is_registered(event: Event, user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Registration.objects.filter(
            event=event, user=user, answer__in=(Answer.GOING, Answer.MAYBE, Answer.WAITING)
        ).exists()
    )


def _runs(user, event) -> bool:
    return can(user, "event.facilitate", event)


# ---------------------------------------------------------------- open space: the grid
@transaction.atomic
def room_add(*, event: Event, by, name: str, link: str = "") -> Room:
    require(by, "event.facilitate", event)
    position = (event.rooms.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    room = Room.objects.create(event=event, name=name.strip()[:80], link=link, position=position)
    bump_agenda(event)
    return room


@transaction.atomic
def slot_add(*, event: Event, by, starts_at: dt.datetime, ends_at: dt.datetime, label: str = "") -> Slot:
    require(by, "event.facilitate", event)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ["The end is before the start."]})
    for other in event.slots.all():
        if other.starts_at < ends_at and starts_at < other.ends_at:
            raise ValidationError({"starts_at": [f"This time overlaps the slot at {other}."]})
    slot = Slot.objects.create(event=event, starts_at=starts_at, ends_at=ends_at, label=label.strip()[:80])
    bump_agenda(event)
    return slot


@transaction.atomic
def pitch(*, event: Event, by, title: str, description: str = "", convener_name: str = "") -> Session:
    """A topic for the marketplace. Registered people pitch their own (they convene it); the
    facilitators type in the paper ones with the convener's name."""
    require(by, "event.pitch", event)
    if not event.open_space:
        raise ValidationError("This event has no open space.")
    if event.is_cancelled or event.is_closed:
        raise ValidationError("This event's agenda is closed.")
    runs = _runs(by, event)
    if not runs and not is_registered(event, by):
        raise PermissionDenied("Register for the event first, then pitch your topic.")
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["Give your topic a title."]})
    session = Session.objects.create(
        event=event,
        title=title[:200],
        description=description,
        convener=None if (runs and convener_name) else by,
        convener_name=convener_name.strip()[:120] if runs else "",
        created_by=by,
    )
    audit.record(actor=by, action="event.pitched", target=event, note=session.title)
    bump_agenda(event)
    return session


@transaction.atomic
def session_place(*, session: Session, by, slot: Slot | None, room: Room | None) -> Session:
    """Put a session on the grid (or take it off with no slot and room). A place already taken, or
    a convener in two places at once, is refused."""
    event = session.event
    require(by, "event.facilitate", event)
    if (slot is None) != (room is None):
        raise ValidationError("Choose both a time and a place, or neither.")
    if slot is not None and (slot.event_id != event.pk or room.event_id != event.pk):
        raise ValidationError("That time or place belongs to another event.")
    Event.objects.select_for_update().filter(pk=event.pk).first()  # one placement at a time per event
    if slot is not None:
        taken = Session.objects.filter(slot=slot, room=room).exclude(pk=session.pk).first()
        if taken is not None:
            raise ValidationError(f"{room} at {slot} already has “{taken.title}”.")
        if session.convener_id:
            busy = Session.objects.filter(slot=slot, convener_id=session.convener_id).exclude(pk=session.pk).first()
            if busy is not None:
                raise ValidationError(f"The convener already runs “{busy.title}” at {slot}.")
    session.slot, session.room = slot, room
    try:
        with transaction.atomic():
            session.save(update_fields=["slot", "room", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError("That place was taken a moment ago: choose another.") from exc
    audit.record(
        actor=by,
        action="event.session_placed",
        target=event,
        note=f"{session.title}: {room} at {slot}" if slot else f"{session.title}: taken off the grid",
    )
    bump_agenda(event)
    return session


@transaction.atomic
def session_update(
    *, session: Session, by, title: str | None = None, description: str | None = None, methods=None
) -> Session:
    event = session.event
    if not (_runs(by, event) or (by.is_authenticated and session.convener_id == by.pk)):
        raise PermissionDenied("Only the convener or the event's facilitators can change this session.")
    if title is not None and title.strip():
        session.title = title.strip()[:200]
    if description is not None:
        session.description = description
    if methods is not None:
        session.methods = [m.strip()[:120] for m in methods if m.strip()][:10]
    session.save()
    bump_agenda(event)
    return session


@transaction.atomic
def take_notes(*, session: Session, by) -> Session:
    """`by` offers to take notes (a registered participant, or anyone who runs the event)."""
    require(by, "session.report", session)
    if not (_runs(by, session.event) or is_registered(session.event, by)):
        raise PermissionDenied("Register for the event first.")
    session.note_taker = by
    session.note_taker_name = ""
    session.save(update_fields=["note_taker", "note_taker_name", "updated_at"])
    bump_agenda(session.event)
    return session


def may_report(user, session: Session) -> bool:
    if not can(user, "session.report", session):
        return False
    return (
        session.convener_id == user.pk
        or session.note_taker_id == user.pk
        or _runs(user, session.event)
        or is_registered(session.event, user)
    )


REPORT_FIELDS = (
    "participant_count",
    "participant_names",
    "summary",
    "recommendations",
    "requests",
    "resources",
)


@attachments.removes_stored_files_on_failure
@transaction.atomic
def report_save(
    *, session: Session, by, data: dict, actions: list[dict] = (), photos=(), photo_alts=(), methods=None
) -> Report:
    """The session's report (a second save edits it): who was there, what was found, the actions
    (each with an owner and a date) and flip-chart photos."""
    require(by, "session.report", session)
    if not may_report(by, session):
        raise PermissionDenied("Only people at the event can report a session.")
    if session.event.is_closed:
        raise ValidationError("The event is closed: its proceedings were sent.")
    report, created = Report.objects.get_or_create(session=session, defaults={"filed_by": by})
    before = audit.snapshot(report, REPORT_FIELDS)
    for key in REPORT_FIELDS:
        if key in data:
            setattr(report, key, data[key])
    if not (report.summary or "").strip():
        raise ValidationError({"summary": ["Write a short summary of what was said."]})
    report.no_report, report.no_report_reason = False, ""
    report.filed_by = report.filed_by or by
    report.save()
    for item in actions:
        Action.objects.create(
            event=session.event,
            session=session,
            description=item["description"][:300],
            owner=item.get("owner"),
            owner_name="" if item.get("owner") else (item.get("owner_name") or "")[:120],
            due=item.get("due"),
        )
        if item.get("owner") is not None:
            tell.action_assigned(description=item["description"], owner=item["owner"], event=session.event, by=by)
    if photos:
        attachments.attach_all(owner=report, files=photos, alts=photo_alts, user=by)
    if methods is not None and list(methods) != list(session.methods):
        session.methods = [m.strip()[:120] for m in methods if m.strip()][:10]
        session.save(update_fields=["methods", "updated_at"])
    _record_methods_used(session=session, report=report, by=by)
    changes = audit.diff(before, audit.snapshot(report, REPORT_FIELDS))
    audit.record(
        actor=by,
        action="event.report_filed" if created else "event.report_changed",
        target=session.event,
        changes=changes,
        note=session.title,
    )
    bump_agenda(session.event)
    return report


def _record_methods_used(*, session: Session, report: Report, by) -> None:
    """The methods a reported session names feed the method library's "we used this" (once per method
    and event): a name that matches no published method is kept on the session only."""
    names = {name.strip().lower() for name in session.methods if name.strip()}
    if not names:
        return
    event = session.event
    named = Q()
    for name in names:
        named |= Q(name__iexact=name) | Q(slug=name)
    for method in Method.objects.filter(named, status=ModerationState.PUBLISHED):
        if UsageReport.objects.filter(method=method, event_ref=ref_of(event)).exists():
            continue
        usage_report_create(
            by=by,
            method=method,
            used_on=min(timezone.localdate(event.starts_at), timezone.localdate()),
            people=report.participant_count or 1,
            place=(event.venue_name or event.title)[:160],
            worked=plain_text(report.summary or "", 2000),
            event=event,
        )


@transaction.atomic
def report_none(*, session: Session, by, reason: str) -> Report:
    """A session that met but leaves no report: the facilitators say why."""
    require(by, "event.facilitate", session.event)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why there is no report (e.g. “nobody came”)."]})
    report, _ = Report.objects.get_or_create(session=session, defaults={"filed_by": by})
    report.no_report, report.no_report_reason = True, reason[:300]
    report.save()
    audit.record(actor=by, action="event.no_report", target=session.event, note=f"{session.title}: {reason[:200]}")
    bump_agenda(session.event)
    return report


@transaction.atomic
def remote_note_add(*, session: Session, by, body: str) -> RemoteNote:
    require(by, "session.report", session)
    if not may_report(by, session):
        raise PermissionDenied("Register for the event first.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write your note."]})
    note = RemoteNote.objects.create(session=session, author=by, body=body[:5000])
    return note


# ---------------------------------------------------------------- closing and proceedings
def unreported(event: Event):
    """The sessions on the grid that have neither a report nor a "no report"."""
    return event.sessions.filter(slot__isnull=False, room__isnull=False, report__isnull=True).select_related(
        "slot", "room", "convener"
    )


@transaction.atomic
def remind_conveners(*, event: Event, by=None) -> int:
    """Tell the convener and note-taker of each unreported session (by: None for the daily command)."""
    if by is not None:
        require(by, "event.facilitate", event)
    count = 0
    for session in unreported(event):
        people = [p for p in (session.convener, session.note_taker) if p is not None]
        if people:
            tell.report_missing(session=session, people=people)
            count += 1
    return count


@transaction.atomic
def event_close(*, event: Event, by, request=None) -> Event:
    """Close the event: refused until every session on the grid has a report or "no report"; then
    the proceedings go to every participant and to the named recipients."""
    require(by, "event.facilitate", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_closed:
        raise ValidationError("This event is already closed.")
    missing = list(unreported(event))
    if missing:
        names = ", ".join(f"“{s.title}”" for s in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ValidationError(
            f"{len(missing)} session{'s have' if len(missing) != 1 else ' has'} no report yet: {names}{more}. "
            "Ask the conveners, or mark a session “no report” with a reason."
        )
    event.status = EventStatus.CLOSED
    event.closed_at = event.proceedings_sent_at = timezone.now()
    event.save(update_fields=["status", "closed_at", "proceedings_sent_at", "updated_at"])
    audit.record(actor=by, action="event.closed", target=event, note=f"{len(event.recipients())} named recipients")
    tell.proceedings(event=event, by=by)
    bump_agenda(event)
    return event


# ---------------------------------------------------------------- after the event
@transaction.atomic
def action_set_status(*, action: Action, by, status: str, note: str = "") -> Action:
    require(by, "action.change", action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": ["Choose to do, done or stuck."]})
    before = audit.snapshot(action, ("status", "note"))
    action.status = status
    action.note = (note or "").strip()[:300]
    action.save(update_fields=["status", "note", "updated_at"])
    audit.record(
        actor=by,
        action="event.action_changed",
        target=action.event,
        changes=audit.diff(before, audit.snapshot(action, ("status", "note"))),
        note=action.description[:200],
    )
    tell.action_changed(action=action, by=by)
    return action


@transaction.atomic
def action_add(*, event: Event, by, description: str, owner=None, owner_name: str = "", due=None) -> Action:
    require(by, "event.facilitate", event)
    if not description.strip():
        raise ValidationError({"description": ["Say what is to be done."]})
    action = Action.objects.create(
        event=event, description=description.strip()[:300], owner=owner, owner_name=owner_name[:120], due=due
    )
    if owner is not None:
        tell.action_assigned(description=action.description, owner=owner, event=event, by=by)
    return action


@transaction.atomic
def update_add(*, event: Event, by, body: str) -> Update:
    """ "What happened next": the event's runners add a note to its page."""
    require(by, "event.facilitate", event)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write what happened."]})
    update = Update.objects.create(event=event, author=by, body=body[:10000])
    audit.record(actor=by, action="event.update_added", target=event)
    tell.update_added(event=event, by=by)
    return update


def remind_actions(*, today: dt.date | None = None, every_days: int = 7) -> int:
    """Remind owners of open actions due within a week or overdue, at most once every `every_days`
    (the daily command; safe to run twice)."""
    today = today or timezone.localdate()
    now = timezone.now()
    quiet_since = now - dt.timedelta(days=every_days)
    due = (
        Action.objects.filter(status=ActionStatus.OPEN, owner__isnull=False, due__lte=today + dt.timedelta(days=7))
        .exclude(reminded_at__gte=quiet_since)
        .select_related("owner", "event")
    )
    count = 0
    for action in due:
        with transaction.atomic():
            tell.action_due(action=action, today=today)
            Action.objects.filter(pk=action.pk).update(reminded_at=now)
        count += 1
    return count


def remind_registered(*, now: dt.datetime | None = None, ahead_hours: int = 24) -> int:
    """Remind people registered for an event that starts within `ahead_hours`, once."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(
        event__starts_at__gt=now,
        event__starts_at__lte=now + dt.timedelta(hours=ahead_hours),
        event__status=EventStatus.OPEN,
        answer__in=(Answer.GOING, Answer.MAYBE),
        confirmed=True,
        reminded_at__isnull=True,
    ).select_related("event", "user")
    count = 0
    for registration in registrations:
        with transaction.atomic():
            tell.reminder(registration=registration)
            Registration.objects.filter(pk=registration.pk).update(reminded_at=now)
        count += 1
    return count


def remind_unreported(*, now: dt.datetime | None = None) -> int:
    """Conveners of sessions of events that ended (not yet closed) and have no report."""
    now = now or timezone.now()
    count = 0
    for event in Event.objects.filter(
        open_space=True, status=EventStatus.OPEN, ends_at__lt=now, ends_at__gte=now - dt.timedelta(days=30)
    ):
        count += remind_conveners(event=event)
    return count


def calendar_token_for(user) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_renew(*, user) -> CalendarToken:
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


# ---------------------------------------------------------------- the skills game at an event
def _game_group(event: Event, by) -> str:
    from squaremile.conversations.selectors import may_see_group

    if event.group_id and may_see_group(by, event.group):
        return event.group.get_absolute_url()
    if event.organisation_id:
        return event.organisation.get_absolute_url()
    return ""


GAME_TABLE_WORDS = (("phones", "Table"), ("screen", "Screen"), ("paper", "Paper table"))


@transaction.atomic
def game_tables_open(*, event: Event, by, deck=None, tables: dict[str, int]) -> Game:
    """Open skills-game tables for the event (methods' game services do the work): the first call
    makes the event's game, later ones add tables to it. `tables`: how many per mode (phones,
    screen, paper). The game's organiser is the person who opened it (they run it from its page)."""
    from squaremile.methods.game import services as game_services

    require(by, "event.facilitate", event)
    if event.is_cancelled:
        raise ValidationError("The event is cancelled.")
    counts = {mode: max(0, int(tables.get(mode) or 0)) for mode, _ in GAME_TABLE_WORDS}
    if not sum(counts.values()):
        raise ValidationError("Add at least one table.")
    game = Game.objects.select_for_update().filter(pk=event.game_id).first() if event.game_id else None
    if game is None:
        if deck is None:
            raise ValidationError({"deck": ["Choose a deck of cards."]})
        names = []
        for mode, word in GAME_TABLE_WORDS:
            names += [(f"{word} {n + 1}", mode) for n in range(counts[mode])]
        game = game_services.game_create(
            by=by,
            name=f"Skills game: {event.title}"[:140],
            deck=deck,
            played_on=timezone.localtime(event.starts_at).date(),
            tables=names,
            area=event.area,
            event_ref=event.slug[:80],
            # the organising group (or organisation) plays it: its games are compared over time
            group=_game_group(event, by),
        )
        event.game = game
        event.save(update_fields=["game", "updated_at"])
        audit.record(actor=by, action="event.game_opened", target=event, note=f"{len(names)} tables")
        return game
    have = {mode: game.tables.filter(mode=mode).count() for mode, _ in GAME_TABLE_WORDS}
    for mode, word in GAME_TABLE_WORDS:
        for n in range(counts[mode]):
            game_services.table_add(by=by, game=game, name=f"{word} {have[mode] + n + 1}", mode=mode)
    audit.record(actor=by, action="event.game_tables_added", target=event, note=f"{sum(counts.values())} tables")
    return game


def people_recorder(event: Event):
    """What `core.space_people` calls inside each change to an event's organisers: one audit event."""
    return audit.people_recorder(event, kind="event")
