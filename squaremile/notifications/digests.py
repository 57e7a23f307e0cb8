"""Daily and weekly digests: one e-mail per person with what is new for them (the notifications of
kinds they chose to hear about in that digest), grouped by kind and record, checked again at send
time (an entry hidden or rejected since is left out; so is what they already read under the bell).

Idempotent: each person's digest for a period has one ``DigestRun`` row (unique per person, period
and day or ISO week), written in the same transaction that marks their notifications as digested
and queues the mail. Running the command twice sends nothing twice; a run that stops half-way is
resumed by the next one (those done are skipped, the rest are sent)."""

from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from squaremile.core.site import absolute_url
from squaremile.notifications import kinds, tokens
from squaremile.notifications.email import send_email
from squaremile.notifications.models import PERIODS, DigestRun, Notification

log = logging.getLogger(__name__)
DIGEST_MAX_ITEMS = 100  # per mail; the rest wait under the bell
DIGEST_BATCH = 200  # people per transaction


def period_key(period: str, now: dt.datetime) -> str:
    day = timezone.localtime(now).date()
    if period == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _due(period: str, now: dt.datetime):
    return Notification.objects.filter(delivery=period, digested_at__isnull=True, created_at__lte=now)


def send_digests(*, period: str, now: dt.datetime | None = None) -> int:
    """Send this period's digests; returns how many e-mails were queued."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    now = now or timezone.now()
    key = period_key(period, now)
    waiting = set(_due(period, now).values_list("recipient_id", flat=True).distinct())
    done = set(DigestRun.objects.filter(period=period, key=key, user_id__in=waiting).values_list("user_id", flat=True))
    sent = 0
    todo = sorted(waiting - done)
    for start in range(0, len(todo), DIGEST_BATCH):
        # one transaction per batch of people (a commit per person is a disk flush per person: minutes
        # for 100,000 members); each person in a savepoint of their own, so one clash skips only them.
        # Mails are queued when the batch commits; a run stopped half-way leaves whole batches done.
        with transaction.atomic():
            for user_id in todo[start : start + DIGEST_BATCH]:
                try:
                    sent += _digest_for(user_id, period=period, key=key, now=now)
                except IntegrityError:  # another run did this person at the same moment
                    continue
    return sent


@transaction.atomic
def _digest_for(user_id: int, *, period: str, key: str, now: dt.datetime) -> int:
    user = get_user_model().objects.get(pk=user_id)
    run = DigestRun.objects.create(user=user, period=period, key=key)
    items = list(
        _due(period, now)
        .filter(recipient=user)
        .select_related("target_type")
        .prefetch_related("target")
        .order_by("kind", "target_type_id", "target_id", "created_at", "id")
    )
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
    keep = []
    for note in items:
        if note.read_at is not None:
            continue  # already seen under the bell
        if note.target_id is not None and note.target is None:
            continue  # the record is gone
        spec = _kind(note.kind)
        if spec is None or not spec.still_relevant(user, note.target):
            continue
        note.link = absolute_url(note.url) if note.url else ""
        keep.append(note)
    run.items = len(keep)
    run.save(update_fields=["items"])
    if not keep or not user.is_active:
        return 0
    more = max(0, len(keep) - DIGEST_MAX_ITEMS)
    keep = keep[:DIGEST_MAX_ITEMS]
    groups = []
    for kind_key, notes in groupby(keep, key=lambda n: n.kind):
        notes = list(notes)
        by_target = [
            {"label": label, "items": list(group)} for label, group in groupby(notes, key=lambda n: n.target_label)
        ]
        groups.append({"kind": _kind(kind_key), "targets": by_target, "count": len(notes)})
    words = "Your daily digest" if period == "daily" else "Your weekly digest"
    return int(
        send_email(
            to=user,
            subject=words,
            template="notifications/email/digest",
            context={
                "groups": groups,
                "count": len(keep) + more,
                "more": more,
                "period": period,
                "list_url": absolute_url(reverse("notifications:list")),
            },
            unsubscribe=tokens.ALL,
        )
    )


def _kind(key: str):
    try:
        return kinds.get(key)
    except LookupError:
        return None
