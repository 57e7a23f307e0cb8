"""The events part of the JSON API (/api/v1/): events (public, with their organising group and
skills game), an event's sessions and their reports, the proceedings and the actions; publishing and
changing an event, pitching a topic, filing a report and marking an action done with a personal
token. Every error is {"message", "errors"} with a 4xx status."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.core.permissions import require
from squaremile.events import selectors, services
from squaremile.events.forms import EventForm
from squaremile.events.models import Action, Event, Mode, Session

router = Router(tags=["Events"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class GroupRef(Schema):
    id: int
    slug: str
    name: str
    url: str


class GameRef(Schema):
    id: int
    name: str
    url: str


def _asker(request):
    """Who asks (a token's person or the session's), looked up once per request."""
    if not hasattr(request, "_events_asker"):
        request._events_asker = optional_user(request)
    return request._events_asker


class EventOut(Schema):
    slug: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: str
    venue_name: str
    status: str
    open_space: bool
    area: str | None = None
    organisation: str | None = None
    url: str
    ics_url: str
    group: GroupRef | None = Field(
        None, description="The conversation group organising it (a private group only for people who may see it)."
    )
    game: GameRef | None = Field(None, description="The skills game played at the event, once its tables are open.")

    @staticmethod
    def resolve_group(obj, context):
        group = selectors.group_visible(_asker(context["request"]), obj)
        if group is None:
            return None
        return {"id": group.pk, "slug": group.slug, "name": group.name, "url": group.get_absolute_url()}

    @staticmethod
    def resolve_game(obj):
        if not obj.game_id:
            return None
        return {"id": obj.game.pk, "name": obj.game.name, "url": obj.game.get_absolute_url()}

    @staticmethod
    def resolve_area(obj):
        return obj.area.slug if obj.area_id else None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug if obj.organisation_id else None

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_ics_url(obj):
        return reverse("events:ics", args=[obj.slug])


class EventDetailOut(EventOut):
    description: str
    venue_address: str
    access_info: str
    lat: float | None = None
    lng: float | None = None
    capacity: int | None = None
    going: int
    waiting: int
    online_url: str | None = Field(None, description="Only for people registered (and the event's runners).")


class EventIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field("", max_length=20000, description="Markdown.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: Literal["in_person", "online", "hybrid"] = Mode.IN_PERSON.value
    venue_name: Text = Field("", max_length=200)
    venue_address: Text = Field("", max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    access_info: Text = Field("", max_length=5000)
    online_url: Text = Field("", max_length=500, description="Shown only to people who registered.")
    area: Text | None = Field(None, max_length=220, description="An area's slug.")
    organisation: Text | None = Field(None, max_length=220, description="An organisation's slug.")
    group: Text | None = Field(
        None, max_length=140, description="The slug of a conversation group you facilitate, organising the event."
    )
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    open_space: bool = False


class EventPatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20000)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    mode: Literal["in_person", "online", "hybrid"] | None = None
    venue_name: Text | None = Field(None, max_length=200)
    venue_address: Text | None = Field(None, max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    access_info: Text | None = Field(None, max_length=5000)
    online_url: Text | None = Field(None, max_length=500)
    area: Text | None = Field(None, max_length=220)
    organisation: Text | None = Field(None, max_length=220)
    group: Text | None = Field(None, max_length=140, description="A group you facilitate; null: no group.")
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    open_space: bool | None = None


class ReportOut(Schema):
    no_report: bool
    no_report_reason: str
    participant_count: int | None
    participant_names: list[str]
    summary: str
    recommendations: str
    requests: str
    resources: str
    photos: list[str]


class SessionOut(Schema):
    id: int
    title: str
    description: str
    convener: str
    note_taker: str
    slot: str | None
    room: str | None
    methods: list[str]
    reported: bool
    url: str


class ActionOut(Schema):
    id: int
    description: str
    owner: str
    due: dt.date | None
    status: str
    note: str
    session: str | None


class ProceedingsOut(Schema):
    event: EventOut
    closed: bool
    participants: int
    sessions: list[dict]
    actions: list[ActionOut]
    pdf_url: str


class PitchIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field("", max_length=2000)


class ActionIn(Schema):
    description: Text = Field(..., min_length=1, max_length=300)
    owner_name: Text = Field(..., min_length=1, max_length=120)
    due: dt.date


class ReportIn(Schema):
    participant_count: int | None = Field(None, ge=0, le=10000)
    participant_names: list[Text] = Field(default_factory=list, max_length=200)
    summary: Text = Field(..., min_length=1, max_length=20000)
    recommendations: Text = Field("", max_length=10000)
    requests: Text = Field("", max_length=10000)
    resources: Text = Field("", max_length=10000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)


class ActionStatusIn(Schema):
    status: Literal["open", "done", "stuck"]
    note: Text = Field("", max_length=300)


def _event(slug: str) -> Event:
    event = selectors.event_by_slug(slug[:220])
    if event is None:
        raise HttpError(404, "No such event.")
    return event


def _detail(event: Event, user) -> Event:
    counts = selectors.counts(event)
    event.going, event.waiting = counts["going"], counts["waiting"]
    event.online_url = event.online_url if event.is_online and selectors.may_see_link(user, event) else None
    return event


def _by_slug(model, field: str, slug: str | None, user=None):
    """The area, organisation or group a payload names by its slug (a private group only for people
    who may see it: it is not named to outsiders)."""
    if not slug:
        return None
    found = model.objects.filter(slug=slug[:220]).first()
    if found is not None and field == "group":
        from squaremile.conversations.selectors import may_see_group

        found = found if may_see_group(user, found) else None
    if found is None:
        raise ValidationError({field: [f"No such {field}."]})
    return found


def _checked(raw: dict, user, event: Event | None = None) -> dict:
    """What the payload changes, checked by the web form (times, venue or link for the mode, the
    point); the organising group is checked by the service, as on the web."""
    from squaremile.conversations.models import Group
    from squaremile.directory.models import Organisation
    from squaremile.places.models import Area

    refs = {"area": Area, "organisation": Organisation}
    named = {key: _by_slug(model, key, raw[key]) for key, model in refs.items() if key in raw}
    values = {}
    if event is not None:  # a change: the form sees the event as it would be afterwards
        for name in EventForm.Meta.fields:
            field = Event._meta.get_field(name)
            values[name] = getattr(event, field.attname)
    values.update({k: v for k, v in raw.items() if k not in refs and k != "group"})
    values.update({k: (v.pk if v else None) for k, v in named.items()})
    form = EventForm(data=values, instance=event, user=user)
    form.fields.pop("group", None)
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    data = {k: form.cleaned_data[k] for k in form.cleaned_data if event is None or k in raw}
    if "group" in raw:
        data["group"] = _by_slug(Group, "group", raw["group"], user)
    return data


def _session_out(session: Session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "description": session.description,
        "convener": session.convener_label,
        "note_taker": session.note_taker_label,
        "slot": str(session.slot) if session.slot_id else None,
        "room": str(session.room) if session.room_id else None,
        "methods": list(session.methods or []),
        "reported": selectors.has_report(session),
        "url": reverse("events:session", args=[session.event.slug, session.pk]),
    }


def _report_out(report) -> dict:
    return {
        "no_report": report.no_report,
        "no_report_reason": report.no_report_reason,
        "participant_count": report.participant_count,
        "participant_names": report.names,
        "summary": report.summary,
        "recommendations": report.recommendations,
        "requests": report.requests,
        "resources": report.resources,
        "photos": [a.file.url for a in report.attachments.all() if a.kind == "image"],
    }


def _action_out(action: Action) -> dict:
    return {
        "id": action.pk,
        "description": action.description,
        "owner": action.owner_label,
        "due": action.due,
        "status": action.status,
        "note": action.note,
        "session": action.session.title if action.session_id else None,
    }


@router.get("/events", response={200: Page[EventOut], **ERRORS}, summary="Events coming up (or past, newest first)")
def list_events(
    request,
    page: Query[PageParams],
    area: Text | None = None,
    organisation: Text | None = None,
    when: Literal["upcoming", "past"] = "upcoming",
):
    qs = Event.objects.select_related("area", "organisation", "group", "game")
    now = timezone.now()
    qs = (
        qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
        if when == "past"
        else qs.filter(ends_at__gte=now).order_by("starts_at", "id")
    )
    if area:
        qs = qs.filter(area__slug=area[:220])
    if organisation:
        qs = qs.filter(organisation__slug=organisation[:220])
    return paginate(qs, page)


@router.get("/events/{slug}", response={200: EventDetailOut, **ERRORS}, summary="One event")
def get_event(request, slug: Text):
    return _detail(_event(slug), _asker(request))


@router.post(
    "/events",
    response={201: EventDetailOut, **ERRORS},
    auth=TokenAuth(),
    summary="Publish an event (organisers; a group you facilitate may organise it)",
)
def create_event(request, payload: EventIn):
    require(request.auth, "event.add")
    event = services.event_create(by=request.auth, data=_checked(payload.dict(), request.auth))
    return Status(201, _detail(_event(event.slug), request.auth))


@router.patch(
    "/events/{slug}",
    response={200: EventDetailOut, **ERRORS},
    auth=TokenAuth(),
    summary="Change an event (its runners); name a group you facilitate, or null for none",
)
def update_event(request, slug: Text, payload: EventPatch):
    event = _event(slug)
    require(request.auth, "event.change", event)
    raw = payload.dict(exclude_unset=True)
    for key in ("title", "starts_at", "ends_at", "mode", "open_space"):
        if key in raw and raw[key] is None:
            raise ValidationError({key: ["This cannot be empty."]})
    data = _checked(raw, request.auth, event)
    event.refresh_from_db()  # the form's check wrote the new values onto it: the service compares with the stored ones
    services.event_update(event=event, by=request.auth, data=data)
    return _detail(_event(event.slug), request.auth)


@router.get("/events/{slug}/sessions", response={200: list[SessionOut], **ERRORS}, summary="An event's sessions")
def list_sessions(request, slug: Text):
    event = _event(slug)
    sessions = Session.objects.filter(event=event).select_related(
        "event", "slot", "room", "convener", "note_taker", "report"
    )
    return [_session_out(s) for s in sessions[:500]]


@router.get(
    "/events/{slug}/sessions/{session_id}/report", response={200: ReportOut, **ERRORS}, summary="A session's report"
)
def get_report(request, slug: Text, session_id: int):
    event = _event(slug)
    session = get_object_or_404(Session, event=event, pk=session_id)
    if not selectors.has_report(session):
        raise HttpError(404, "This session has no report yet.")
    return _report_out(session.report)


@router.post(
    "/events/{slug}/pitches",
    response={201: SessionOut, **ERRORS},
    auth=TokenAuth(),
    summary="Pitch a topic (people registered; the event's facilitators)",
)
def create_pitch(request, slug: Text, payload: PitchIn):
    event = _event(slug)
    session = services.pitch(event=event, by=request.auth, title=payload.title, description=payload.description)
    return 201, _session_out(session)


@router.post(
    "/events/{slug}/sessions/{session_id}/report",
    response={200: ReportOut, **ERRORS},
    auth=TokenAuth(),
    summary="File (or change) a session's report",
)
def file_report(request, slug: Text, session_id: int, payload: ReportIn):
    event = _event(slug)
    session = get_object_or_404(Session.objects.select_related("event"), event=event, pk=session_id)
    data = payload.dict()
    actions = [
        {"description": a["description"], "owner_name": a["owner_name"], "due": a["due"]} for a in data.pop("actions")
    ]
    data["participant_names"] = "\n".join(data["participant_names"])
    report = services.report_save(session=session, by=request.auth, data=data, actions=actions)
    return _report_out(report)


@router.get(
    "/events/{slug}/proceedings",
    response={200: ProceedingsOut, **ERRORS},
    summary="The proceedings: every session's report and the actions",
)
def get_proceedings(request, slug: Text):
    event = _event(slug)
    if not event.open_space:
        raise HttpError(404, "This event has no open space.")
    data = selectors.proceedings_of(event)
    return {
        "event": event,
        "closed": event.is_closed,
        "participants": data.participants,
        "sessions": [
            {**_session_out(s), "report": _report_out(s.the_report) if s.the_report else None} for s in data.sessions
        ],
        "actions": [_action_out(a) for a in data.actions],
        "pdf_url": reverse("events:proceedings_pdf", args=[event.slug]),
    }


@router.get("/events/{slug}/actions", response={200: list[ActionOut], **ERRORS}, summary="An event's actions")
def list_actions(request, slug: Text):
    event = _event(slug)
    return [_action_out(a) for a in selectors.actions_of(event)[:1000]]


@router.patch(
    "/events/{slug}/actions/{action_id}",
    response={200: ActionOut, **ERRORS},
    auth=TokenAuth(),
    summary="Mark an action done or stuck (its owner; the event's runners)",
)
def update_action(request, slug: Text, action_id: int, payload: ActionStatusIn):
    event = _event(slug)
    action = get_object_or_404(Action.objects.select_related("event", "session", "owner"), event=event, pk=action_id)
    services.action_set_status(action=action, by=request.auth, status=payload.status, note=payload.note)
    return _action_out(action)
