"""What the map tells people, through the one notification system (squaremile.notifications):

- moderators: each entry that waits for moderation (kind ``mapping.entry_waiting``; straight away by
  default, or in their daily digest, which replaces the old moderators' digest);
- the submitter: their entry was published or not (``mapping.entry_published`` /
  ``mapping.entry_rejected``); a visitor without an account, at the address they left (with a
  "don't e-mail me again" link);
- followers of an entry's area, category, organisation or of the entry itself: it is on the map
  (``mapping.new_entry``; daily digest by default).

Links are absolute (core/site.py). Kinds and followable models are registered when the app loads
(MappingConfig.ready)."""

from __future__ import annotations

from django.urls import reverse

from squaremile.core.permissions import can, holders_of
from squaremile.core.site import absolute_url
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.notifications import followable, kinds
from squaremile.notifications.email import send_email
from squaremile.notifications.models import Delivery
from squaremile.notifications.services import notify, notify_followers

WAITING, PUBLISHED, REJECTED, NEW = (
    "mapping.entry_waiting",
    "mapping.entry_published",
    "mapping.entry_rejected",
    "mapping.new_entry",
)


def _visible(user, entry) -> bool:
    return isinstance(entry, Entry) and (entry.status == EntryStatus.PUBLISHED or can(user, "entry.change", entry))


def _is_moderator(user) -> bool:
    return can(user, "entry.moderate")


kinds.register(
    WAITING, label="A new map entry waits for moderation", default=Delivery.IMMEDIATE,
    description="For moderators: each entry sent to the map that needs checking.",
    check=lambda user, entry: isinstance(entry, Entry) and entry.status == EntryStatus.PENDING,
    audience=_is_moderator,
)  # fmt: skip
kinds.register(
    PUBLISHED, label="Your map entry was published", subject="Your entry is on the map",
    default=Delivery.IMMEDIATE, description="When a moderator puts an entry you sent on the map.",
    check=_visible,
)  # fmt: skip
kinds.register(
    REJECTED, label="Your map entry was not published", default=Delivery.IMMEDIATE,
    description="When a moderator could not publish an entry you sent, with their reason.",
)  # fmt: skip
kinds.register(
    NEW, label="New on the map where you follow", default=Delivery.DAILY,
    description="New entries in the areas, categories and organisations you follow.",
    check=_visible,
)  # fmt: skip
followable.register(Entry, visible=_visible, noun="this entry")
followable.register(Category, noun=lambda c: f"new “{c.name}” entries")


def moderators():
    """Active people who may moderate the map (moderators, administrators, superusers)."""
    return holders_of("entry.moderate")


def _submitter(entry: Entry) -> str:
    if entry.owner_id and entry.owner:
        return str(entry.owner)
    return entry.submitter_name or "A visitor"


def _entry(entry_id: int, status: str) -> Entry | None:
    entry = Entry.objects.select_related("category", "owner", "area").filter(pk=entry_id).first()
    return entry if entry is not None and entry.status == status else None


def _to_submitter(entry: Entry, *, kind: str, title: str, template: str, context: dict) -> int:
    """The owner through notify() (in-app, and e-mail by their choice); a visitor at their address."""
    url = entry.get_absolute_url()
    if entry.owner_id and entry.owner:
        notify(
            kind=kind, recipients=[entry.owner], target=entry, title=title, url=url,
            body=context.get("reason", ""), email_template=template, email_context=context,
        )  # fmt: skip
        return 1
    if not entry.submitter_email:
        return 0
    spec = kinds.get(kind)
    return int(
        send_email(
            to=entry.submitter_email, subject=spec.mail_subject, template=template, context=context, unsubscribe=kind
        )
    )


def notify_new_entry(entry_id: int) -> int:
    """Tell each moderator that an entry waits (not its own submitter). Returns how many were told."""
    entry = _entry(entry_id, EntryStatus.PENDING)
    if entry is None:
        return 0
    people = [u for u in moderators() if u.pk != entry.owner_id]
    waiting = Entry.objects.filter(status=EntryStatus.PENDING).count()
    notify(
        kind=WAITING, recipients=people, target=entry, url=entry.get_absolute_url(),
        title=f"Waiting for moderation: {entry.title}",
        body=f"{entry.category.name}, sent by {_submitter(entry)}.",
        email_template="mapping/email/new_entry",
        email_context={
            "entry": entry, "submitter": _submitter(entry), "entry_url": absolute_url(entry.get_absolute_url()),
            "queue_url": absolute_url(reverse("mapping:queue")), "waiting": waiting,
        },
    )  # fmt: skip
    return len(people)


def notify_rejected(entry_id: int) -> int:
    """Tell the submitter why it was not published."""
    entry = _entry(entry_id, EntryStatus.REJECTED)
    if entry is None:
        return 0
    return _to_submitter(
        entry, kind=REJECTED, title=f"Not published: {entry.title}", template="mapping/email/rejected",
        context={
            "entry": entry, "reason": entry.rejection_reason,
            "edit_url": absolute_url(reverse("mapping:entry_edit", args=[entry.pk])) if entry.owner_id else "",
            "add_url": absolute_url(reverse("mapping:entry_create")),
        },
    )  # fmt: skip


def notify_published(entry_id: int) -> int:
    """Tell the submitter their entry is on the map, with its link."""
    entry = _entry(entry_id, EntryStatus.PUBLISHED)
    if entry is None:
        return 0
    return _to_submitter(
        entry, kind=PUBLISHED, title=f"On the map: {entry.title}", template="mapping/email/published",
        context={"entry": entry, "entry_url": absolute_url(entry.get_absolute_url())},
    )  # fmt: skip


def entry_published(*, entry: Entry, by) -> None:
    """The publish path's one call: everyone who follows the entry's area, category or organisation
    (or the entry) hears that it is on the map — once, whichever of them they follow."""
    where = entry.area.name if entry.area_id and entry.area else entry.category.name
    notify_followers(
        kind=NEW, targets=[entry, entry.area, entry.category, entry.organisation], target=entry, actor=by,
        title=f"New on the map in {where}: {entry.title}", url=entry.get_absolute_url(),
        body=f"{entry.category.name}" + (f" · {entry.area.name}" if entry.area_id and entry.area else ""),
        exclude=[entry.owner] if entry.owner_id else [],
    )  # fmt: skip
