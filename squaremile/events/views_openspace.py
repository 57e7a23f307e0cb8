"""Open-space pages: the marketplace (pitches from phones, paper ones typed in), the grid (drag and
drop with `static/js/events.js`, select boxes without JavaScript), the agenda on phones and the
wall (polling a cheap version with an ETag), sessions and their reports on a phone, closing,
the proceedings (page, PDF, e-mail), and the actions and updates that come after."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from squaremile.core.pdf import pdf_response
from squaremile.core.permissions import can
from squaremile.core.site import absolute_url
from squaremile.core.text import render_markdown
from squaremile.events import selectors, services
from squaremile.events.forms import (
    ActionForm,
    ActionStatusForm,
    NoReportForm,
    PitchForm,
    PlaceForm,
    RemoteNoteForm,
    ReportForm,
    RoomForm,
    SlotForm,
    UpdateForm,
)
from squaremile.events.models import Action, Answer, Registration, Room, Session, Slot
from squaremile.events.views import event_or_404, require_may


def _open_space(slug: str):
    event = event_or_404(slug)
    if not event.open_space:
        raise Http404("This event has no open space.")
    return event


def _session(event, pk) -> Session:
    return get_object_or_404(
        Session.objects.select_related("convener", "note_taker", "slot", "room"), event=event, pk=pk
    )


def _qr(event, request):
    if event.survey_id is None:
        return ""
    from squaremile.network.views.surveys import qr_svg, respond_url

    return qr_svg(respond_url(request, event.survey), scale=6, title=f"QR code for the questionnaire {event.survey}")


# ---------------------------------------------------------------- marketplace
def marketplace(request, slug):
    event = _open_space(slug)
    facilitator = can(request.user, "event.facilitate", event)
    form = PitchForm(request.POST or None, facilitator=facilitator)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if form.is_valid():
            try:
                services.pitch(
                    event=event,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data.get("description", ""),
                    convener_name=form.cleaned_data.get("convener_name", ""),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                messages.success(request, "Your topic is on the marketplace.")
                return redirect("events:marketplace", event.slug)
        status = 400 if status == 200 else status
    agenda = selectors.agenda(event)
    return render(
        request,
        "events/marketplace.html",
        {
            "event": event,
            "form": form,
            "agenda": agenda,
            "may_pitch": facilitator or services.is_registered(event, request.user),
            "may_facilitate": facilitator,
        },
        status=status,
    )


# ---------------------------------------------------------------- the grid
@login_required
def grid(request, slug):
    event = _open_space(slug)
    require_may(request, "event.facilitate", event)
    agenda = selectors.agenda(event)
    return render(
        request,
        "events/grid.html",
        {
            "event": event,
            "agenda": agenda,
            "place_form": PlaceForm(agenda=agenda),
            "room_form": RoomForm(),
            "slot_form": SlotForm(),
        },
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def grid_place(request, slug):
    event = _open_space(slug)
    require_may(request, "event.facilitate", event)
    agenda = selectors.agenda(event)
    form = PlaceForm(request.POST, agenda=agenda)
    if not form.is_valid():
        message = "Choose a session and a place."
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
        return redirect("events:grid", event.slug)
    session = get_object_or_404(Session, event=event, pk=form.cleaned_data["session"])
    slot = room = None
    if form.cleaned_data["place"]:
        slot_id, room_id = form.cleaned_data["place"]
        slot = get_object_or_404(Slot, event=event, pk=slot_id)
        room = get_object_or_404(Room, event=event, pk=room_id)
    try:
        services.session_place(session=session, by=request.user, slot=slot, room=room)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": " ".join(exc.messages)}, status=409)
        messages.error(request, " ".join(exc.messages))
        return redirect("events:grid", event.slug)
    message = f"“{session.title}” is at {room} at {slot}." if slot else f"“{session.title}” is off the grid."
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message, "version": event.agenda_version})
    messages.success(request, message)
    return redirect("events:grid", event.slug)


@login_required
@require_POST
def grid_room(request, slug):
    event = _open_space(slug)
    require_may(request, "event.facilitate", event)
    form = RoomForm(request.POST)
    if form.is_valid():
        services.room_add(event=event, by=request.user, name=form.cleaned_data["name"], link=form.cleaned_data["link"])
        messages.success(request, "Place added.")
    else:
        messages.error(request, "Give the room, table or breakout a name (and a valid link, if any).")
    return redirect("events:grid", event.slug)


@login_required
@require_POST
def grid_slot(request, slug):
    event = _open_space(slug)
    require_may(request, "event.facilitate", event)
    form = SlotForm(request.POST)
    if form.is_valid():
        try:
            services.slot_add(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Time added.")
    else:
        messages.error(request, "Give the time's start and end.")
    return redirect("events:grid", event.slug)


# ---------------------------------------------------------------- agenda: phones and the wall
def agenda(request, slug):
    event = _open_space(slug)
    return render(
        request,
        "events/agenda.html",
        {"event": event, "agenda": selectors.agenda(event), "qr": _qr(event, request)},
    )


def wall(request, slug):
    event = _open_space(slug)
    return render(
        request,
        "events/wall.html",
        {
            "event": event,
            "agenda": selectors.agenda(event),
            "qr": _qr(event, request),
            "agenda_url": absolute_url(reverse("events:agenda", args=[event.slug]), request),
        },
    )


@require_GET
def agenda_version(request, slug):
    """The agenda's version: what the wall and phones poll every few seconds. From the cache (no
    query) and with an ETag, so an unchanged agenda answers 304 with no body."""
    event_id = services.event_id_for(slug)
    if event_id is None:
        raise Http404("No such event.")
    version = services.agenda_version(event_id)
    etag = f'"agenda-{event_id}-{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = JsonResponse({"version": version})
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def agenda_fragment(request, slug):
    event = _open_space(slug)
    template = (
        "events/includes/_wall_grid.html" if request.GET.get("view") == "wall" else "events/includes/_agenda.html"
    )
    response = render(request, template, {"event": event, "agenda": selectors.agenda(event)})
    response["X-Agenda-Version"] = str(event.agenda_version)
    return response


# ---------------------------------------------------------------- sessions and reports
def session_detail(request, slug, pk):
    event = _open_space(slug)
    session = _session(event, pk)
    report = session.report if selectors.has_report(session) else None
    user = request.user
    return render(
        request,
        "events/session_detail.html",
        {
            "event": event,
            "session": session,
            "report": report,
            "report_md": {
                k: mark_safe(render_markdown(getattr(report, k) or ""))  # noqa: S308 - sanitised by nh3
                for k in ("summary", "recommendations", "requests", "resources")
            }
            if report
            else {},
            "photos": list(report.attachments.all()) if report else [],
            "actions": list(session.actions.select_related("owner")),
            "notes": list(session.remote_notes.select_related("author")),
            "note_form": RemoteNoteForm(),
            "no_report_form": NoReportForm(),
            "may_report": user.is_authenticated and services.may_report(user, session),
            "may_facilitate": can(user, "event.facilitate", event),
        },
    )


def _people(event):
    """Members registered (going or maybe) and the event's runners: who can own an action."""
    from django.contrib.auth import get_user_model

    ids = set(
        Registration.objects.filter(
            event=event, user__isnull=False, confirmed=True, answer__in=(Answer.GOING, Answer.MAYBE)
        ).values_list("user_id", flat=True)
    )
    ids |= set(event.space_roles.values_list("user_id", flat=True))
    if event.owner_id:
        ids.add(event.owner_id)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("email"))


@login_required
def report(request, slug, pk):
    event = _open_space(slug)
    session = _session(event, pk)
    if not services.may_report(request.user, session):
        raise PermissionDenied("Only people registered for the event can report a session.")
    existing = session.report if selectors.has_report(session) else None
    initial = {}
    if existing and not existing.no_report:
        initial = {k: getattr(existing, k) for k in services.REPORT_FIELDS}
    initial["methods"] = ", ".join(session.methods)
    people = _people(event)
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in services.REPORT_FIELDS}
        try:
            services.report_save(
                session=session,
                by=request.user,
                data=data,
                actions=form.cleaned_data["actions"],
                photos=form.cleaned_data.get("photos") or [],
                photo_alts=form.cleaned_data.get("photo_alt") or [],
                methods=form.cleaned_data["method_list"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Thank you: the report is saved.")
            return redirect(session)
    return render(
        request,
        "events/report_form.html",
        {"event": event, "session": session, "form": form, "existing": existing},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def take_notes(request, slug, pk):
    event = _open_space(slug)
    session = _session(event, pk)
    services.take_notes(session=session, by=request.user)
    messages.success(request, "You are the note-taker of this session. The report form is below.")
    return redirect(session)


@login_required
@require_POST
def no_report(request, slug, pk):
    event = _open_space(slug)
    session = _session(event, pk)
    require_may(request, "event.facilitate", event)
    form = NoReportForm(request.POST)
    if form.is_valid():
        services.report_none(session=session, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"“{session.title}” is marked “no report”.")
    else:
        messages.error(request, "Say why there is no report.")
    return redirect(
        request.POST.get("next") == "close" and reverse("events:close", args=[event.slug]) or session.get_absolute_url()
    )


@login_required
@require_POST
def remote_note(request, slug, pk):
    event = _open_space(slug)
    session = _session(event, pk)
    form = RemoteNoteForm(request.POST)
    if form.is_valid():
        services.remote_note_add(session=session, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your note is added to the session.")
    else:
        messages.error(request, "Write your note.")
    return redirect(session)


# ---------------------------------------------------------------- closing and proceedings
@login_required
def close(request, slug):
    event = _open_space(slug)
    require_may(request, "event.facilitate", event)
    problem = ""
    if request.method == "POST":
        if request.POST.get("remind"):
            count = services.remind_conveners(event=event, by=request.user)
            messages.success(request, f"Reminded the conveners and note-takers of {count} sessions.")
            return redirect("events:close", event.slug)
        try:
            services.event_close(event=event, by=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "The event is closed. The proceedings are on their way to everyone.")
            return redirect("events:proceedings", event.slug)
    return render(
        request,
        "events/close.html",
        {
            "event": event,
            "missing": list(services.unreported(event)),
            "problem": problem,
            "no_report_form": NoReportForm(),
        },
        status=400 if problem else 200,
    )


def _proceedings_context(event, request):
    from squaremile.events import proceedings as documents

    return documents.context(event, request)


def proceedings(request, slug):
    event = _open_space(slug)
    return render(request, "events/proceedings.html", _proceedings_context(event, request))


def proceedings_pdf(request, slug):
    event = _open_space(slug)
    from squaremile.events import proceedings as documents

    return pdf_response(documents.pdf(event, request), filename=documents.filename(event))


# ---------------------------------------------------------------- after the event
def actions(request, slug):
    event = event_or_404(slug)
    rows = []
    for action in selectors.actions_of(event):
        may = can(request.user, "action.change", action)
        rows.append(
            (
                action,
                ActionStatusForm(initial={"status": action.status, "note": action.note}, prefix=f"a{action.pk}")
                if may
                else None,
            )
        )
    add_form = ActionForm() if can(request.user, "event.facilitate", event) else None
    return render(request, "events/actions.html", {"event": event, "rows": rows, "add_form": add_form})


@login_required
@require_POST
def action_status(request, slug, pk):
    event = event_or_404(slug)
    action = get_object_or_404(Action.objects.select_related("event"), event=event, pk=pk)
    require_may(request, "action.change", action)
    form = ActionStatusForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        services.action_set_status(action=action, by=request.user, **form.cleaned_data)
        messages.success(request, f"“{action.description}”: {action.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose to do, done or stuck.")
    return redirect("events:actions", event.slug)


@login_required
@require_POST
def action_add(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.facilitate", event)
    form = ActionForm(request.POST)
    if form.is_valid():
        services.action_add(event=event, by=request.user, **form.cleaned_data)
        messages.success(request, "Action added.")
    else:
        messages.error(request, "Say what will be done and who does it.")
    return redirect("events:actions", event.slug)


@login_required
def update_add(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.facilitate", event)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.update_add(event=event, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your update is on the event's page.")
        return redirect(event)
    return render(
        request, "events/update_form.html", {"event": event, "form": form}, status=400 if form.errors else 200
    )
