"""Pages of events: the list by area and organisation, the month calendar, an event's page (with
registration for members and guests, the online link for the registered, schema.org metadata),
its forms for organisers, iCalendar files and feeds, RSS/Atom, the map layer and the import.
Open space has its pages in `views_openspace.py`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from squaremile.core import ratelimit
from squaremile.core.permissions import can, refusal
from squaremile.core.site import absolute_url
from squaremile.core.text import plain_text, render_markdown
from squaremile.events import ical, selectors, services
from squaremile.events.forms import CancelForm, EventForm, GuestForm, ImportForm, RegisterForm
from squaremile.events.models import Answer, CalendarToken, Event
from squaremile.questions.answers import display_answer
from squaremile.questions.forms import QuestionFormSet, answers_from, question_initial, questions_from
from squaremile.questions.services import save_questions


def _md(text: str) -> str:
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3 in render_markdown


def event_or_404(slug: str) -> Event:
    event = selectors.event_by_slug(slug)
    if event is None:
        raise Http404("No such event.")
    return event


def require_may(request, action: str, event: Event | None = None) -> None:
    if not can(request.user, action, event):
        raise PermissionDenied(refusal(request.user, action))


def _filters(request):
    from squaremile.directory.models import Organisation
    from squaremile.places.models import Area
    from squaremile.places.selectors import descendant_ids

    area = organisation = group = None
    area_ids = None
    if request.GET.get("area"):
        area = Area.objects.filter(slug=request.GET["area"][:220]).first()
        if area is not None:
            area_ids = descendant_ids(area)
    if request.GET.get("organisation"):
        organisation = Organisation.objects.filter(slug=request.GET["organisation"][:220]).first()
    if request.GET.get("group"):
        group = _group_or_404(request, request.GET["group"][:140])
    return area, area_ids, organisation, group


def _group_or_404(request, slug: str):
    """A conversation group by its slug, if this person may see it (a private group is not named to outsiders)."""
    from squaremile.conversations.models import Group
    from squaremile.conversations.selectors import may_see_group

    group = Group.objects.filter(slug=slug).first()
    if group is None or not may_see_group(request.user, group):
        raise Http404("No such group.")
    return group


def _filter_choices():
    from squaremile.places.models import Area

    return Area.objects.order_by("name").values_list("slug", "name")


# ---------------------------------------------------------------- lists and calendar
def event_list(request):
    area, area_ids, organisation, group = _filters(request)
    past = request.GET.get("when") == "past"
    page = selectors.event_list(
        area_ids=area_ids, organisation=organisation, group=group, past=past, after=request.GET.get("after", "")[:60]
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "events/event_list.html",
        {
            "page": page,
            "area": area,
            "organisation": organisation,
            "group": group,
            "past": past,
            "areas": _filter_choices(),
            "query": query.urlencode(),
            "may_add": can(request.user, "event.add"),
            "may_import": can(request.user, "event.import"),
        },
    )


def calendar_view(request):
    area, area_ids, organisation, group = _filters(request)
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-", 1))
        first = dt.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    weeks = selectors.month_grid(
        year=first.year, month=first.month, area_ids=area_ids, organisation=organisation, group=group
    )
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    query = request.GET.copy()
    query.pop("month", None)
    return render(
        request,
        "events/calendar.html",
        {
            "weeks": weeks,
            "more_url": reverse("events:list") + (f"?{query.urlencode()}" if query else ""),
            "first": first,
            "prev_month": prev_month,
            "next_month": next_month,
            "area": area,
            "organisation": organisation,
            "group": group,
            "areas": _filter_choices(),
            "query": query.urlencode(),
        },
    )


# ---------------------------------------------------------------- one event
def json_ld(event: Event, request) -> dict:
    modes = {
        "in_person": "https://schema.org/OfflineEventAttendanceMode",
        "online": "https://schema.org/OnlineEventAttendanceMode",
        "hybrid": "https://schema.org/MixedEventAttendanceMode",
    }
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": plain_text(event.description or "")[:500],
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventAttendanceMode": modes[event.mode],
        "eventStatus": "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled",
        "url": absolute_url(event.get_absolute_url(), request),
    }
    locations = []
    if event.is_in_person:
        place = {"@type": "Place", "name": event.venue_name, "address": event.venue_address or event.venue_name}
        if event.lat is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": event.lat, "longitude": event.lng}
        locations.append(place)
    if event.is_online:
        locations.append({"@type": "VirtualLocation", "url": absolute_url(event.get_absolute_url(), request)})
    data["location"] = locations[0] if len(locations) == 1 else locations
    if event.organisation_id:
        data["organizer"] = {"@type": "Organization", "name": event.organisation.name}
    elif getattr(event, "visible_group", None):
        data["organizer"] = {"@type": "Organization", "name": event.visible_group.name}
    if event.capacity:
        data["maximumAttendeeCapacity"] = event.capacity
    return data


def event_detail(request, slug):
    event = event_or_404(slug)
    user = request.user
    registration = selectors.registration_of(event, user)
    questions = list(event.questions.all())
    form = None
    if user.is_authenticated:
        form = RegisterForm(
            questions=questions,
            answers=registration.answers if registration else {},
            initial={"answer": registration.answer if registration and registration.answer != Answer.WAITING else None},
        )
    guest_form = None if user.is_authenticated else GuestForm(questions=questions, auto_id="guest_%s")
    return render(
        request,
        "events/event_detail.html",
        _detail_context(request, event, registration=registration, form=form, guest_form=guest_form),
    )


def _detail_context(request, event, *, registration, form, guest_form):
    user = request.user
    event.visible_group = selectors.group_visible(user, event)
    return {
        "event": event,
        "description": _md(event.description),
        "registration": registration,
        "form": form,
        "guest_form": guest_form,
        "counts": selectors.counts(event),
        "may_see_link": selectors.may_see_link(user, event, registration),
        "may_change": can(user, "event.change", event),
        "may_facilitate": can(user, "event.facilitate", event),
        "may_see_answers": can(user, "event.see_answers", event),
        "json_ld": json_ld(event, request),
        "actions": list(selectors.actions_of(event)[:50]),
        "action_counts": selectors.action_counts(event),
        "updates": [(u, _md(u.body)) for u in event.updates.select_related("author")[:20]],
        "is_open": not (event.is_cancelled or event.is_closed or event.is_past),
        "time_zone": settings.TIME_ZONE,
        **_game_context(user, event),
    }


def _game_context(user, event) -> dict:
    """The skills game played at the event: the tables together (the same result as the game's own
    page: counts of cards, no names), and for its runners the tables' codes."""
    if not event.game_id:
        return {"game": None}
    from squaremile.methods.game.results import game_results

    game = event.game
    runner = can(user, "event.facilitate", event)
    return {
        "game": game,
        "game_result": game_results(game),
        "game_tables": list(game.tables.order_by("id")) if runner else [],
        "may_run_game": runner and can(user, "game.change", game),
    }


@login_required
def game_tables(request, slug):
    """Open skills-game tables for the event (the first time: the game itself, with its deck)."""
    from squaremile.events.forms import GameTablesForm
    from squaremile.methods.game.cards import standard_decks

    event = event_or_404(slug)
    require_may(request, "event.facilitate", event)
    if not can(request.user, "game.add"):
        raise PermissionDenied(refusal(request.user, "game.add"))
    standard_decks()
    form = GameTablesForm(request.POST or None, first=not event.game_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.game_tables_open(
                event=event,
                by=request.user,
                deck=d.get("deck"),
                tables={k: d[k] for k in ("phones", "screen", "paper")},
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "The tables are open: give each table its code.")
            return redirect(event.get_absolute_url() + "#game-h")
    return render(
        request, "events/game_tables.html", {"event": event, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def register(request, slug):
    event = event_or_404(slug)
    registration = selectors.registration_of(event, request.user)
    questions = list(event.questions.all())
    form = RegisterForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            registration = services.register(
                event=event,
                user=request.user,
                answer=form.cleaned_data["answer"],
                answers=answers_from(form.cleaned_data, questions),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            words = {
                Answer.GOING: "You are going. See you there!",
                Answer.MAYBE: "You said maybe.",
                Answer.CANT: "You said you can't go.",
                Answer.WAITING: "The event is full: you are on the waiting list. "
                "We will tell you when a place frees up.",
            }
            messages.success(request, words[registration.answer])
            return redirect(event)
    context = _detail_context(request, event, registration=registration, form=form, guest_form=None)
    return render(request, "events/event_detail.html", context, status=400)


@require_POST
def guest_register(request, slug):
    event = event_or_404(slug)
    questions = list(event.questions.all())
    form = GuestForm(request.POST, questions=questions, auto_id="guest_%s")
    status = 400
    if form.is_valid():
        try:
            usage = ratelimit.hit(
                "event-guest", ip=ratelimit.client_ip(request), email=form.cleaned_data["email"].lower()
            )
        except ratelimit.RateLimited as exc:
            form.add_error(None, exc.message)
            context = _detail_context(request, event, registration=None, form=None, guest_form=form)
            return ratelimit.with_retry_after(render(request, "events/event_detail.html", context, status=429), exc)
        try:
            services.guest_register(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                answer=form.cleaned_data["answer"],
                answers=answers_from(form.cleaned_data, questions),
            )
        except ValidationError as exc:
            usage.refund()
            form.add_service_errors(exc)
        else:
            return render(request, "events/guest_sent.html", {"event": event, "email": form.cleaned_data["email"]})
    context = _detail_context(request, event, registration=None, form=None, guest_form=form)
    return render(request, "events/event_detail.html", context, status=status)


def guest_confirm(request, token):
    if request.method == "POST" and request.POST.get("withdraw"):
        try:
            registration = services.guest_withdraw(token=token[:500])
        except ValidationError as exc:
            return render(request, "events/guest_confirmed.html", {"problem": exc.messages[0]}, status=400)
        messages.success(request, "You said you can't go. Thank you for letting the organisers know.")
        return redirect(registration.event)
    try:
        registration = services.guest_confirm(token=token[:500])
    except ValidationError as exc:
        return render(request, "events/guest_confirmed.html", {"problem": exc.messages[0]}, status=400)
    event = registration.event
    return render(
        request,
        "events/guest_confirmed.html",
        {
            "registration": registration,
            "event": event,
            "online_link": event.safe_online_url
            if event.is_online and registration.answer in (Answer.GOING, Answer.MAYBE)
            else "",
            "token": token,
        },
    )


def event_ics(request, slug):
    event = event_or_404(slug)
    link = event.safe_online_url if event.is_online and selectors.may_see_link(request.user, event) else ""
    response = HttpResponse(ical.event_ics(event, online_link=link), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug[:80]}.ics"'
    return response


# ---------------------------------------------------------------- organisers
@login_required
def event_create(request):
    require_may(request, "event.add")
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "The event is published. Add questions for people who register, if you need any.")
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": None}, status=400 if form.errors else 200)


@login_required
def event_edit(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.change", event)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event.refresh_from_db()
        try:
            services.event_update(event=event, by=request.user, data=data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Saved. Everyone registered is told of a new time, place or link.")
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


@login_required
def event_cancel(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.change", event)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(event=event, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "The event is cancelled; everyone registered is told.")
        return redirect(event)
    return render(request, "events/event_cancel.html", {"form": form, "event": event})


@login_required
def event_questions(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.change", event)
    formset = QuestionFormSet(request.POST or None, prefix="q", initial=question_initial(event.questions.all()))
    if request.method == "POST" and formset.is_valid():
        try:
            save_questions(owner=event, items=questions_from(formset), by=request.user, action="event.change")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The questions are saved.")
            return redirect(event)
    return render(request, "events/event_questions.html", {"formset": formset, "event": event})


@login_required
def registrations(request, slug):
    event = event_or_404(slug)
    require_may(request, "event.facilitate", event)
    see_answers = can(request.user, "event.see_answers", event)
    questions = list(event.questions.all()) if see_answers else []
    rows = []
    for registration in selectors.registrations_for_organisers(event):
        answers = (
            [(q.label, display_answer(q, registration.answers.get(str(q.pk)))) for q in questions]
            if see_answers
            else []
        )
        rows.append((registration, answers))
    return render(
        request,
        "events/registrations.html",
        {"event": event, "rows": rows, "see_answers": see_answers, "counts": selectors.counts(event)},
    )


@login_required
def organisers(request, slug):
    from squaremile.core import space_people

    event = event_or_404(slug)
    return space_people.people_page(
        request, space=event, roles=[("facilitator", "Facilitator"), ("organiser", "Organiser")],
        template="events/organisers.html", here=reverse("events:organisers", args=[event.slug]),
        context={"event": event}, noun="this event", record=services.people_recorder(event),
    )  # fmt: skip


# ---------------------------------------------------------------- feeds, calendars, map
def _ics_stream(events, name: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(ical.stream(events, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def area_ics(request, slug):
    from squaremile.places.models import Area
    from squaremile.places.selectors import descendant_ids

    area = get_object_or_404(Area, slug=slug)
    return _ics_stream(selectors.feed_events(area_ids=descendant_ids(area)), f"Events in {area.name}", f"{slug}.ics")


@require_GET
def organisation_ics(request, slug):
    from squaremile.directory.models import Organisation

    organisation = get_object_or_404(Organisation, slug=slug)
    return _ics_stream(
        selectors.feed_events(organisation=organisation), f"Events by {organisation.name}", f"{slug}.ics"
    )


@require_GET
def group_ics(request, slug):
    group = _group_or_404(request, slug)
    response = _ics_stream(selectors.feed_events(group=group), f"Events of {group.name}", f"{group.slug}.ics")
    if group.is_private:
        response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def person_ics(request, token):
    found = CalendarToken.objects.select_related("user").filter(token=token[:64]).first()
    if found is None or not found.user.is_active:
        raise Http404("No such calendar.")
    events = selectors.events_of_person(found.user)
    response = _ics_stream(iter(events), "My events", "my-events.ics")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def my_calendar(request):
    if request.method == "POST":
        token = services.calendar_token_renew(user=request.user)
        messages.success(request, "Your calendar has a new address; the old one no longer works.")
        return redirect("events:my_calendar")
    token = services.calendar_token_for(request.user)
    return render(
        request,
        "events/my_calendar.html",
        {
            "feed_url": absolute_url(reverse("events:person_ics", args=[token.token]), request),
            "events": selectors.events_of_person(request.user, limit=30),
            "actions": list(selectors.my_actions(request.user)[:50]),
        },
    )


@require_GET
def map_layer(request):
    """The community map's "Events" layer: events with a place in the view (mapping/layers.py)."""
    from squaremile.mapping import layers

    box = layers.parse_bbox(request.GET.get("bbox"))
    if box is None:
        return layers.bad_bbox()
    west, south, east, north = box
    rows = list(selectors.in_bbox(west=west, south=south, east=east, north=north, limit=layers.MAX_FEATURES + 1))
    features = [
        layers.feature(
            lat=row["lat"],
            lng=row["lng"],
            title=f"{row['title']} · {timezone.localtime(row['starts_at']):%-d %b %Y}",
            url=reverse("events:detail", args=[row["slug"]]),
            kind="event",
        )
        for row in rows
    ]
    return layers.layer_response(features)


@login_required
def import_events(request):
    from squaremile.events import importers
    from squaremile.imports.pipeline import ImportRejected

    require_may(request, "event.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data.get("file"):
                upload = form.cleaned_data["file"]
                if upload.size > importers.MAX_BYTES:
                    raise importers.FetchError("The file is larger than 2 MB.")
                data = upload.read()
            else:
                data = importers.fetch(form.cleaned_data["url"])
            with transaction.atomic():
                result = importers.import_ics(data=data, by=request.user)
        except importers.FetchError as exc:
            form.add_error(None, str(exc))
        except ImportRejected as exc:
            problems = exc.plan.errors[:50]
            form.add_error(None, str(exc))
        else:
            messages.success(request, result.message)
            return redirect("events:list")
    return render(
        request,
        "events/import.html",
        {"form": form, "problems": problems},
        status=400 if form.errors else 200,
    )
