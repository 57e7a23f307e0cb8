"""Emails about the map's moderation: to moderators (each new entry, or a daily digest) and to a
submitter whose entry was rejected. Plain text with an HTML alternative, absolute links.

Links are built by core/site.py: from settings.SITE_URL (for example "https://map.example.org")
when set, else from the Sites framework's domain (which migrate sets from SITE_URL)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from squaremile.core.mail import subject as mail_subject
from squaremile.core.permissions import holders_of
from squaremile.core.site import absolute_url
from squaremile.mapping.models import Entry, EntryStatus, ModerationMode, ModerationPreference

log = logging.getLogger(__name__)
DIGEST_EVERY = dt.timedelta(hours=20)
DIGEST_LIST = 30


def site_url(path: str = "/") -> str:
    return absolute_url(path)


def moderators():
    """Active people who may moderate the map (moderators, administrators, superusers)."""
    return holders_of("entry.moderate")


def _mode(user) -> str:
    pref = getattr(user, "moderation_pref", None)
    return pref.mode if pref is not None else ModerationMode.IMMEDIATE


def _send(*, to: list[str], subject: str, template: str, context: dict) -> int:
    if not to:
        return 0
    context = {"SITE_NAME": getattr(settings, "SITE_NAME", "Square Mile"), **context}
    text = render_to_string(f"mapping/email/{template}.txt", context)
    html = render_to_string(f"mapping/email/{template}.html", context)
    sent = 0
    for address in to:  # one message each: moderators do not see each other's addresses
        message = EmailMultiAlternatives(mail_subject(subject), text, settings.DEFAULT_FROM_EMAIL, [address])
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent


def _submitter(entry: Entry) -> str:
    if entry.owner_id and entry.owner:
        return str(entry.owner)
    return entry.submitter_name or "A visitor"


def notify_new_entry(entry_id: int) -> int:
    """Email each moderator who wants to hear at once that an entry waits (not its own submitter)."""
    entry = Entry.objects.select_related("category", "owner", "area").filter(pk=entry_id).first()
    if entry is None or entry.status != EntryStatus.PENDING:
        return 0
    people = moderators().select_related("moderation_pref").exclude(pk=entry.owner_id or 0)
    to = [u.email for u in people if _mode(u) == ModerationMode.IMMEDIATE and u.email]
    waiting = Entry.objects.filter(status=EntryStatus.PENDING).count()
    return _send(
        to=to,
        subject="A new map entry waits for moderation",
        template="new_entry",
        context={
            "entry": entry,
            "submitter": _submitter(entry),
            "entry_url": site_url(entry.get_absolute_url()),
            "queue_url": site_url(reverse("mapping:queue")),
            "settings_url": site_url(reverse("mapping:moderation_settings")),
            "waiting": waiting,
        },
    )


def notify_rejected(entry_id: int) -> int:
    """Tell the submitter (the owner, or the email an anonymous visitor left) why it was rejected."""
    entry = Entry.objects.select_related("category", "owner").filter(pk=entry_id).first()
    if entry is None or entry.status != EntryStatus.REJECTED:
        return 0
    address = entry.owner.email if entry.owner_id and entry.owner else entry.submitter_email
    return _send(
        to=[address] if address else [],
        subject="Your map entry was not published",
        template="rejected",
        context={
            "entry": entry,
            "reason": entry.rejection_reason,
            "edit_url": site_url(reverse("mapping:entry_edit", args=[entry.pk])) if entry.owner_id else "",
            "add_url": site_url(reverse("mapping:entry_create")),
        },
    )


def notify_published(entry_id: int) -> int:
    """Tell the submitter their entry is on the map, with its link."""
    entry = Entry.objects.select_related("category", "owner").filter(pk=entry_id).first()
    if entry is None or entry.status != EntryStatus.PUBLISHED:
        return 0
    address = entry.owner.email if entry.owner_id and entry.owner else entry.submitter_email
    return _send(
        to=[address] if address else [],
        subject="Your entry is on the map",
        template="published",
        context={
            "entry": entry,
            "entry_url": site_url(entry.get_absolute_url()),
        },
    )


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One email to each moderator who chose the digest, at most once per 20 hours, and only when
    something waits. Returns how many were sent."""
    now = now or timezone.now()
    pending = Entry.objects.filter(status=EntryStatus.PENDING)
    waiting = pending.count()
    if not waiting:
        return 0
    entries = list(pending.select_related("category", "owner").order_by("created_at", "id")[:DIGEST_LIST])
    for entry in entries:
        entry.submitter_label = _submitter(entry)
        entry.url = site_url(entry.get_absolute_url())
    due = (
        ModerationPreference.objects.filter(mode=ModerationMode.DIGEST, user__in=moderators())
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY))
        .select_related("user")
    )
    sent = 0
    for pref in due:
        if not pref.user.email:
            continue
        sent += _send(
            to=[pref.user.email],
            subject="Map entries waiting for moderation",
            template="digest",
            context={
                "entries": entries,
                "waiting": waiting,
                "more": waiting - len(entries),
                "queue_url": site_url(reverse("mapping:queue")),
                "settings_url": site_url(reverse("mapping:moderation_settings")),
            },
        )
        ModerationPreference.objects.filter(pk=pref.pk).update(last_digest_at=now)
    return sent
