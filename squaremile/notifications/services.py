"""Writes: notify people, follow and unfollow, choices per kind, mark read, unsubscribe."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from squaremile.core.permissions import require
from squaremile.core.site import absolute_url
from squaremile.notifications import followable, kinds, selectors, tokens
from squaremile.notifications.email import mailable, send_email
from squaremile.notifications.models import Delivery, Follow, Notification, Preference, Suppression

TITLE_MAX = 200
LABEL_MAX = 200


def _people(recipients, actor) -> list:
    seen, people = set(), []
    for person in recipients or []:
        if person is None or person.pk in seen or not person.is_active:
            continue
        if actor is not None and getattr(actor, "pk", None) == person.pk:
            continue  # never told about one's own act
        seen.add(person.pk)
        people.append(person)
    return people


@transaction.atomic(savepoint=False)  # inside a service's transaction: no savepoint round trips
def notify(*, kind: str, recipients: Iterable, target=None, actor=None, title: str, body: str = "", url: str = "",
           email_template: str | None = None, email_context: dict | None = None, reply_to=None,
           delivery_for: dict | None = None, email_subject: str = "",
           email_attachments: list[dict] | None = None) -> None:  # fmt: skip
    """Tell ``recipients`` (people) about something of ``kind``: an in-app notification each, and an
    e-mail now for those who chose "straight away" for that kind (the rest get it in their digest,
    or only under the bell). The actor is never notified of their own act. ``email_template`` /
    ``email_context``: a mail of the app's own instead of the generic one (same rules).
    ``reply_to(person) -> str``: the reply address of each person's mail (inbound.reply_address),
    so that answering the mail answers the thing. ``delivery_for``: {user id: delivery} chosen
    elsewhere (a group's e-mail choice per member), which wins over the kind's choice.
    ``email_subject``: fixed words of the app's own for this mail's subject (never typed text;
    "Your offer ends tomorrow"), instead of the kind's. ``email_attachments``: files
    (``email.attachment``) sent with the mails sent now."""
    spec = kinds.get(kind)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    people = _people(recipients, actor)
    if not people:
        return
    prefs = list(
        Preference.objects.filter(kind__in=[kind, tokens.ALL], user__in=[p.pk for p in people])
        .order_by("kind")  # "*" (all off) sorts first, a choice for the kind overrides it
        .values_list("user_id", "kind", "delivery")
    )
    chosen = {user_id: delivery for user_id, _, delivery in prefs}
    label = str(target)[:LABEL_MAX] if target is not None else ""
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    now = timezone.now()
    rows = []
    deliveries = {p.pk: (delivery_for or {}).get(p.pk) or chosen.get(p.pk, spec.default) for p in people}
    # addresses and choices of everyone to e-mail now, checked at once (not two queries per person)
    may_mail = {
        p.pk for p in mailable([p for p in people if deliveries[p.pk] == Delivery.IMMEDIATE], kind=kind, prefs=prefs)
    }
    for person in people:
        delivery = deliveries[person.pk]
        note = Notification(
            recipient=person, kind=kind, actor=actor, target_type=target_type,
            target_id=target.pk if target is not None else None, target_label=label, url=url[:500],
            title=title[:TITLE_MAX], body=body, delivery=delivery,
        )  # fmt: skip
        if delivery == Delivery.IMMEDIATE and person.pk in may_mail:
            context = {"notification": note, "kind": spec, "link": absolute_url(url) if url else ""}
            context.update(email_context or {})
            if send_email(
                to=person, subject=email_subject or spec.mail_subject,
                template=email_template or "notifications/email/notification", context=context,
                unsubscribe=kind, reply_to=reply_to(person) if reply_to else "", checked=True,
                attachments=email_attachments,
            ):  # fmt: skip
                note.emailed_at = now
        rows.append(note)
    Notification.objects.bulk_create(rows)


def notify_followers(*, kind: str, targets: Iterable, target=None, actor=None, title: str, body: str = "",
                     url: str = "", exclude: Iterable = ()) -> None:  # fmt: skip
    """Tell everyone who follows any of ``targets`` (an entry's area, category, organisation...) once,
    about ``target``; people the kind's check says may not see it are left out."""
    spec = kinds.get(kind)
    skip = {p.pk for p in exclude if p is not None}
    people = [p for p in selectors.followers_of_any(list(targets)) if p.pk not in skip]
    if target is not None:
        people = [p for p in people if spec.still_relevant(p, target)]
    notify(kind=kind, recipients=people, target=target, actor=actor, title=title, body=body, url=url)


# ---- follow ---------------------------------------------------------------------------------
def _followable(user, target):
    require(user, "follow.add")
    entry = followable.get(target)
    if entry is None or not entry.may_follow(user, target):
        raise PermissionDenied("This cannot be followed.")


def follow(*, user, target) -> Follow:
    _followable(user, target)
    content_type = ContentType.objects.get_for_model(target)
    try:
        with transaction.atomic():
            found, _ = Follow.objects.get_or_create(user=user, target_type=content_type, target_id=target.pk)
    except IntegrityError:  # two clicks at once
        found = Follow.objects.get(user=user, target_type=content_type, target_id=target.pk)
    return found


@transaction.atomic
def unfollow(*, user, target) -> None:
    require(user, "follow.add")
    Follow.objects.filter(
        user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).delete()


def followers_of(target):
    return selectors.followers_of(target)


# ---- choices ----------------------------------------------------------------------------------
@transaction.atomic
def preference_set(*, user, by, kind: str, delivery: str) -> Preference:
    """How ``user`` hears about ``kind`` (people choose their own)."""
    if by is None or by.pk != user.pk:
        raise PermissionDenied("People choose their own notification e-mails.")
    require(by, "follow.add")
    if kind != tokens.ALL:
        kinds.get(kind)
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": [f"Choose one of: {', '.join(Delivery.values)}."]})
    pref, _ = Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
    return pref


@transaction.atomic
def preferences_set(*, user, by, choices: dict[str, str]) -> None:
    for kind, delivery in choices.items():
        preference_set(user=user, by=by, kind=kind, delivery=delivery)


@transaction.atomic
def unsubscribe(*, token: str) -> tokens.Unsubscribe:
    """The one-click link in a mail: that kind (or every kind, "*") is switched off for the person,
    or the address without an account is not e-mailed again for it."""
    from django.contrib.auth import get_user_model

    data = tokens.read(token)
    if data is None:
        raise ValidationError("This link is not valid. It may have been cut short: try copying all of it.")
    if data.user_id is not None:
        user = get_user_model().objects.filter(pk=data.user_id).first()
        if user is None:
            raise ValidationError("This account no longer exists, so it gets no e-mail.")
        if data.kind == tokens.ALL:
            Preference.objects.filter(user=user).exclude(kind=tokens.ALL).delete()
        Preference.objects.update_or_create(user=user, kind=data.kind, defaults={"delivery": Delivery.OFF})
    else:
        Suppression.objects.get_or_create(email=data.email, kind=data.kind)
    return data


# ---- read -------------------------------------------------------------------------------------
def mark_read(*, notification: Notification, by) -> Notification:
    if by is None or notification.recipient_id != by.pk:
        raise PermissionDenied("This is someone else's notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
