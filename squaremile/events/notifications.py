"""What events tell people, through the one notification system (`notify`) and the one e-mail path
(`send_email`): members as notifications (by their choice of e-mail), guests without an account by
e-mail at the address they confirmed. Called by `services.py` inside its transactions."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from squaremile.core.site import absolute_url
from squaremile.events.models import Answer, Registration
from squaremile.notifications import kinds
from squaremile.notifications.email import send_email
from squaremile.notifications.services import notify

CHANGED = "events.changed"
CANCELLED = "events.cancelled"
PROMOTED = "events.promoted"
REMINDER = "events.reminder"
REPORT_MISSING = "events.report_missing"
PROCEEDINGS = "events.proceedings"
ACTION_ASSIGNED = "events.action_assigned"
ACTION_DUE = "events.action_due"
ACTION_CHANGED = "events.action_changed"
UPDATE = "events.update"
GROUP_EVENT = "events.group_event"


def register_kinds() -> None:
    kinds.register(
        CHANGED,
        label="An event you registered for changed",
        default="immediate",
        description="Its time, place or online link.",
    )
    kinds.register(CANCELLED, label="An event you registered for was cancelled", default="immediate")
    kinds.register(PROMOTED, label="You have a place at an event (from the waiting list)", default="immediate")
    kinds.register(REMINDER, label="Reminder of an event you registered for", default="immediate")
    kinds.register(REPORT_MISSING, label="A session you ran has no report yet", default="immediate")
    kinds.register(PROCEEDINGS, label="The proceedings of an event you took part in", default="immediate")
    kinds.register(ACTION_ASSIGNED, label="An action from an event is yours", default="immediate")
    kinds.register(ACTION_DUE, label="An action of yours from an event is due", default="immediate")
    kinds.register(ACTION_CHANGED, label="An action from an event you ran was done or got stuck", default="daily")
    kinds.register(UPDATE, label="What happened next after an event you took part in", default="daily")
    kinds.register(GROUP_EVENT, label="A new event organised by a group you belong to", default="immediate")


def _participants(event, *, answers=(Answer.GOING, Answer.MAYBE, Answer.WAITING)):
    """(members, guest e-mail addresses) registered for the event."""
    rows = Registration.objects.filter(event=event, confirmed=True, answer__in=answers).select_related("user")
    members = [r.user for r in rows if r.user_id]
    guests = [r.email for r in rows if not r.user_id and r.email]
    return members, guests


def _tell_everyone(*, event, kind: str, by, title: str, body: str = "", answers=None) -> None:
    members, guests = _participants(event, **({"answers": answers} if answers else {}))
    url = event.get_absolute_url()
    notify(kind=kind, recipients=members, target=event, actor=by, title=title, body=body, url=url)
    for address in guests:
        send_email(
            to=address,
            subject=kinds.get(kind).mail_subject,
            template="events/email/guest_notice",
            context={"title": title, "body": body, "link": absolute_url(url), "event": event},
            unsubscribe=kind,
        )


def event_changed(*, event, by, fields: list[str]) -> None:
    words = {
        "starts_at": "time",
        "ends_at": "time",
        "mode": "way to take part",
        "venue_name": "place",
        "venue_address": "place",
        "lat": "place",
        "lng": "place",
        "online_url": "online link",
    }
    changed = sorted({words[f] for f in fields})
    start = timezone.localtime(event.starts_at).strftime("%A %-d %B %Y, %H:%M")
    _tell_everyone(
        event=event,
        kind=CHANGED,
        by=by,
        title=f"{event.title}: the {' and '.join(changed)} changed",
        body=f"It now starts {start}" + (f" at {event.venue_name}." if event.venue_name else "."),
    )


def event_cancelled(*, event, by, reason: str) -> None:
    _tell_everyone(event=event, kind=CANCELLED, by=by, title=f"{event.title} is cancelled", body=reason)


def promoted(*, registration) -> None:
    event = registration.event
    title = f"You have a place at {event.title}"
    if registration.user_id:
        notify(kind=PROMOTED, recipients=[registration.user], target=event, title=title, url=event.get_absolute_url())
    elif registration.email:
        send_email(
            to=registration.email,
            subject=kinds.get(PROMOTED).mail_subject,
            template="events/email/guest_notice",
            context={"title": title, "body": "", "link": absolute_url(event.get_absolute_url()), "event": event},
            unsubscribe=PROMOTED,
        )


def guest_confirm(*, registration, link: str) -> None:
    send_email(
        to=registration.email,
        subject="Confirm your place at an event",
        template="events/email/guest_confirm",
        context={"event": registration.event, "link": absolute_url(link), "registration": registration},
    )


def reminder(*, registration) -> None:
    event = registration.event
    start = timezone.localtime(event.starts_at).strftime("%A %-d %B, %H:%M")
    title = f"Reminder: {event.title}, {start}"
    if registration.user_id:
        notify(kind=REMINDER, recipients=[registration.user], target=event, title=title, url=event.get_absolute_url())
    elif registration.email:
        send_email(
            to=registration.email,
            subject=kinds.get(REMINDER).mail_subject,
            template="events/email/guest_notice",
            context={"title": title, "body": "", "link": absolute_url(event.get_absolute_url()), "event": event},
            unsubscribe=REMINDER,
        )


def report_missing(*, session, people) -> None:
    notify(
        kind=REPORT_MISSING,
        recipients=people,
        target=session.event,
        title=f"Please report the session “{session.title}” of {session.event.title}",
        body="A few lines on a phone: who was there, what was said, what happens next.",
        url=reverse("events:report", args=[session.event.slug, session.pk]),
    )


def proceedings(*, event, by) -> None:
    """Every participant and every named recipient (a council, a funder) gets the proceedings."""
    from squaremile.events.selectors import proceedings_of

    data = proceedings_of(event)
    url = reverse("events:proceedings", args=[event.slug])
    context = {
        "event": event,
        "data": data,
        "page_link": absolute_url(url),
        "pdf_link": absolute_url(reverse("events:proceedings_pdf", args=[event.slug])),
    }
    files = _proceedings_pdf(event)
    context["pdf_attached"] = bool(files)
    members, guests = _participants(event, answers=(Answer.GOING, Answer.MAYBE))
    runners = [r.user for r in event.space_roles.select_related("user")] + ([event.owner] if event.owner else [])
    notify(
        kind=PROCEEDINGS,
        recipients=members + runners,
        target=event,
        actor=by,
        title=f"The proceedings of {event.title}",
        url=url,
        email_template="events/email/proceedings",
        email_context=context,
        email_attachments=files,
    )
    for address in guests:
        send_email(
            to=address,
            subject=kinds.get(PROCEEDINGS).mail_subject,
            template="events/email/proceedings",
            context=context,
            unsubscribe=PROCEEDINGS,
            attachments=files,
        )
    for address in event.recipients():
        send_email(
            to=address,
            subject="The proceedings of an event",
            template="events/email/proceedings",
            context={**context, "named_recipient": True},
            attachments=files,
        )


def _proceedings_pdf(event) -> list[dict]:
    """The PDF to attach, once for every mail; none (the mail keeps its link) when it is larger than
    a mail may carry or cannot be made."""
    import logging

    from squaremile.events import proceedings as documents
    from squaremile.notifications.email import attachment, attachment_fits

    try:
        pdf = documents.pdf(event)
    except Exception:  # a broken photo must not stop the proceedings going out: the link remains
        logging.getLogger(__name__).exception("The proceedings PDF of event %s could not be made.", event.pk)
        return []
    if not attachment_fits(len(pdf)):
        return []
    return [attachment(filename=documents.filename(event), content=pdf, mimetype="application/pdf")]


def action_assigned(*, description: str, owner, event, by) -> None:
    notify(
        kind=ACTION_ASSIGNED,
        recipients=[owner],
        target=event,
        actor=by,
        title=f"An action from {event.title} is yours: {description}"[:200],
        url=reverse("events:actions", args=[event.slug]),
    )


def action_due(*, action, today) -> None:
    when = "is overdue" if action.due and action.due < today else "is due soon"
    notify(
        kind=ACTION_DUE,
        recipients=[action.owner],
        target=action.event,
        title=f"Your action from {action.event.title} {when}: {action.description}"[:200],
        body=f"Due {action.due:%-d %B %Y}." if action.due else "",
        url=reverse("events:actions", args=[action.event.slug]),
    )


def action_changed(*, action, by) -> None:
    event = action.event
    runners = [r.user for r in event.space_roles.select_related("user")] + ([event.owner] if event.owner else [])
    notify(
        kind=ACTION_CHANGED,
        recipients=runners,
        target=event,
        actor=by,
        title=f"{action.get_status_display()}: {action.description}"[:200],
        body=action.note,
        url=reverse("events:actions", args=[event.slug]),
    )


def update_added(*, event, by) -> None:
    members, _ = _participants(event, answers=(Answer.GOING, Answer.MAYBE))
    notify(
        kind=UPDATE,
        recipients=members,
        target=event,
        actor=by,
        title=f"What happened next: {event.title}",
        url=event.get_absolute_url(),
    )


def group_event(*, event, by) -> None:
    """The members of the organising group hear of the new event (the organiser not: notify skips the actor)."""
    from squaremile.conversations.selectors import members

    notify(
        kind=GROUP_EVENT,
        recipients=[m.user for m in members(event.group).select_related("user")],
        target=event,
        actor=by,
        title=f"{event.group.name}: {event.title}"[:200],
        body=timezone.localtime(event.starts_at).strftime("%-d %B %Y, %H:%M"),
        url=event.get_absolute_url(),
    )
