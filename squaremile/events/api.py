"""The events part of the JSON API (/api/v1/): events (public), an event's sessions and their
reports, the proceedings and the actions; pitching a topic, filing a report and marking an action
done with a personal token. Every error is {"message", "errors"} with a 4xx status."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.events import selectors, services
from squaremile.events.models import Action, Event, Session

router = Router(tags=["Events"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


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
    qs = Event.objects.select_related("area", "organisation")
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
    event = _event(slug)
    user = optional_user(request)
    counts = selectors.counts(event)
    event.going, event.waiting = counts["going"], counts["waiting"]
    event.online_url = event.online_url if event.is_online and selectors.may_see_link(user, event) else None
    return event


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
