"""Daily and weekly digests: one e-mail per person with what is new for them (the notifications of
kinds they chose to hear about in that digest), grouped by kind and record, checked again at send
time (an entry hidden or rejected since is left out; so is what they already read under the bell).

Idempotent: each person's digest for a period has one ``DigestRun`` row (unique per person, period
and day or ISO week), written in the same transaction that marks their notifications as digested
and queues the mail. Running the command twice sends nothing twice; a run that stops half-way is
resumed by the next one (those done are skipped, the rest are sent).

Built for 100,000 people in minutes, not hours: what many people share is done once per run, what
is each person's own is done for a batch of people at a time (``DIGEST_BATCH``):

* their waiting notifications are read in one query per batch; the records they are about are
  loaded once per run (one query per kind of record and batch of new ones);
* whether a record still matters is asked once per record when its kind can answer for everyone
  (``kinds.register(..., check_all=...)``: a public group's post), else per person;
* each *section* (a record's heading and its items: "New posts in your groups / Allotments: 2 new
  replies") is rendered once per run and shared by every digest that holds it; a person's mail is
  assembled from ready sections, and a whole mail is rendered once for everyone whose digest is the
  same (all the members of one group), their own unsubscribe link filled in per person
  (``email.render_merged`` / ``personalise``);
* the batch's run rows, notification markers and mail tasks are written in a few statements
  (``email.mailable`` checks addresses and choices for all of them in two queries;
  ``email.queue_messages`` writes the tasks many per INSERT) and committed once."""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from itertools import groupby

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from squaremile.core.site import absolute_url
from squaremile.notifications import kinds, tokens
from squaremile.notifications.email import mailable, personalise, queue_messages, render_merged
from squaremile.notifications.models import PERIODS, DigestRun, Notification

log = logging.getLogger(__name__)
DIGEST_MAX_ITEMS = 100  # per mail; the rest wait under the bell
DIGEST_BATCH = 1000  # people per transaction
CACHE_MAILS = 2000  # whole mails kept for reuse during a run (the most recent ones)
CACHE_SECTIONS = 50_000  # rendered sections kept for reuse during a run (the most recent ones)
_FIELDS = ("id", "recipient_id", "kind", "target_type_id", "target_id", "target_label", "url", "title", "read_at")


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
    todo = sorted(waiting - done)
    run = _Run(period=period, key=key, now=now)
    sent = 0
    for start in range(0, len(todo), DIGEST_BATCH):
        # one transaction per batch of people (a commit per person is a disk flush per person);
        # a run stopped half-way leaves whole batches done, and the next run does the rest.
        with transaction.atomic():
            sent += run.batch(todo[start : start + DIGEST_BATCH])
    return sent


class _Run:
    """One run of the command: what its batches share (records, answers, rendered sections and mails)."""

    def __init__(self, *, period: str, key: str, now: dt.datetime):
        self.period, self.key, self.now = period, key, now
        self.targets: dict[tuple[int, int], object] = {}
        self.for_all: dict[tuple[str, int, int], bool | None] = {}
        self.sections: OrderedDict[tuple, dict] = OrderedDict()
        self.mails: OrderedDict[tuple, dict] = OrderedDict()
        self.list_url = absolute_url(reverse("notifications:list"))
        self.words = "Your daily digest" if period == "daily" else "Your weekly digest"

    # ---- one batch --------------------------------------------------------------------------
    def batch(self, user_ids: list[int]) -> int:
        taken = set(
            DigestRun.objects.filter(period=self.period, key=self.key, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )  # done by another run since this one started
        user_ids = [i for i in user_ids if i not in taken]
        if not user_ids:
            return 0
        users = get_user_model().objects.in_bulk(user_ids)
        notes = list(
            _due(self.period, self.now)
            .filter(recipient_id__in=user_ids)
            .order_by("recipient_id", "kind", "target_type_id", "target_id", "created_at", "id")
            .values(*_FIELDS)
        )
        self._load_targets(notes)
        kept: dict[int, list[dict]] = {}
        for user_id, mine in groupby(notes, key=lambda n: n["recipient_id"]):
            user = users.get(user_id)
            kept[user_id] = [n for n in mine if user is not None and self._keep(user, n)]
        claimed = self._claim(user_ids, kept)
        if not claimed:
            return 0
        _due(self.period, self.now).filter(recipient_id__in=claimed).update(digested_at=self.now)
        people = mailable([users[i] for i in claimed if kept.get(i) and i in users], kind=tokens.ALL)
        messages = [personalise(self._mail(kept[p.pk]), user=p, unsubscribe=tokens.ALL) for p in people]
        queue_messages(messages)
        return len(messages)

    def _claim(self, user_ids: list[int], kept: dict[int, list]) -> list[int]:
        """Write the batch's run rows (the "done" marks); people another run took at the same moment
        are left to it."""
        rows = [DigestRun(user_id=i, period=self.period, key=self.key, items=len(kept.get(i, ()))) for i in user_ids]
        try:
            with transaction.atomic():
                DigestRun.objects.bulk_create(rows)
            return user_ids
        except IntegrityError:
            pass
        claimed = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.pk = None
                    row.save(force_insert=True)
                claimed.append(row.user_id)
            except IntegrityError:
                continue
        return claimed

    # ---- records and whether they still matter ----------------------------------------------
    def _load_targets(self, notes: list[dict]) -> None:
        wanted: dict[int, set[int]] = {}
        for n in notes:
            marker = (n["target_type_id"], n["target_id"])
            if None not in marker and marker not in self.targets:
                wanted.setdefault(marker[0], set()).add(marker[1])
        for ct_id, ids in wanted.items():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            found = model._base_manager.in_bulk(list(ids)) if model is not None else {}
            for pk in ids:
                self.targets[(ct_id, pk)] = found.get(pk)

    def _keep(self, user, note: dict) -> bool:
        if note["read_at"] is not None:
            return False  # already seen under the bell
        spec = _kind(note["kind"])
        if spec is None:
            return False
        target = None
        if note["target_id"] is not None:
            target = self.targets.get((note["target_type_id"], note["target_id"]))
            if target is None:
                return False  # the record is gone
        marker = (note["kind"], note["target_type_id"] or 0, note["target_id"] or 0)
        if marker not in self.for_all:
            self.for_all[marker] = spec.relevant_to_all(target)
        answer = self.for_all[marker]
        if answer is None:
            answer = spec.still_relevant(user, target)
        return bool(answer)

    # ---- rendering: sections once, mails once per distinct content -------------------------
    def _mail(self, notes: list[dict]) -> dict:
        more = max(0, len(notes) - DIGEST_MAX_ITEMS)
        notes = notes[:DIGEST_MAX_ITEMS]
        groups = []
        for kind_key, of_kind in groupby(notes, key=lambda n: n["kind"]):
            of_kind = list(of_kind)
            parts = [
                self._section(kind_key, list(items))
                for _, items in groupby(of_kind, key=lambda n: (n["target_type_id"], n["target_id"], n["target_label"]))
            ]
            groups.append({"kind": _kind(kind_key), "parts": parts, "count": len(of_kind)})
        content = (tuple(part["key"] for group in groups for part in group["parts"]), len(notes) + more, more)
        mail = self.mails.get(content)
        if mail is None:
            mail = render_merged(
                subject=self.words, template="notifications/email/digest",
                context={"groups": groups, "count": len(notes) + more, "more": more, "period": self.period,
                         "list_url": self.list_url},
                unsubscribe=tokens.ALL,
            )  # fmt: skip
            self.mails[content] = mail
            if len(self.mails) > CACHE_MAILS:
                self.mails.popitem(last=False)
        return mail

    def _section(self, kind_key: str, items: list[dict]) -> dict:
        key = (
            kind_key, items[0]["target_type_id"], items[0]["target_id"], items[0]["target_label"],
            tuple((n["title"], n["url"]) for n in items),
        )  # fmt: skip
        section = self.sections.get(key)
        if section is None:
            context = {
                "label": items[0]["target_label"],
                "items": [{"title": n["title"], "url": n["url"], "link": absolute_url(n["url"]) if n["url"] else ""}
                          for n in items],
            }  # fmt: skip
            section = {
                "key": key,
                "html": mark_safe(render_to_string("notifications/email/_digest_section.html", context)),  # noqa: S308
                "text": mark_safe(render_to_string("notifications/email/_digest_section.txt", context)),  # noqa: S308
            }
            self.sections[key] = section
            if len(self.sections) > CACHE_SECTIONS:
                self.sections.popitem(last=False)
        return section


def _kind(key: str):
    try:
        return kinds.get(key)
    except LookupError:
        return None
