"""Map entries in the shared moderation machinery (`squaremile.moderation`): their actions, what
the queue shows of them, and the hooks that keep the map's cluster cells in step. Registered from
`MappingConfig.ready()`. The services in `services.py` take these actions (`entry_publish` ...)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from squaremile.core.text import plain_text
from squaremile.mapping.cells import clusters
from squaremile.mapping.entries import notifications as map_notifications
from squaremile.mapping.entries import tasks
from squaremile.mapping.models import Entry
from squaremile.moderation import actions, registry
from squaremile.moderation.models import ModerationState as S

# Fields whose changes the history records.
TRACKED = (
    "title", "description", "category", "lat", "lng", "area", "organisation", "project",
    "start_date", "end_date", "announced_on", "takes_effect_on", "answers", "status", "verified",
    "submitter_name", "submitter_email", "rejection_reason", "merged_into",
)  # fmt: skip


class _EntryWords:
    def problem(self, obj):
        if self.config.state_of(obj) not in self.from_states:
            return f"Cannot {self.words} {describe(obj)}: it is {obj.get_status_display().lower()}."
        return None


def describe(entry: Entry) -> str:
    return f"“{entry.title}” (#{entry.pk})"


class EntryPublish(_EntryWords, actions.Publish):
    help = "It shows on the map for everyone."
    from_states = frozenset({S.PENDING, S.REJECTED})

    def apply(self, obj, *, user, note):
        obj._first_publication = obj.published_at is None
        obj.status, obj.rejection_reason = S.PUBLISHED, ""
        obj.published_at = obj.published_at or timezone.now()

    def after(self, obj, *, user, note, old_state):
        first = getattr(obj, "_first_publication", False)
        if first:  # followers of its area, category, organisation hear of it once
            map_notifications.entry_published(entry=obj, by=user)
        own = obj.owner_id and user is not None and obj.owner_id == getattr(user, "pk", None)
        if first and not own:
            tasks.after_commit(tasks.notify_published, obj.pk)


class EntryReject(_EntryWords, actions.Reject):
    help = "It stays off the map; the person who sent it is emailed your reason."
    from_states = frozenset({S.PENDING, S.PUBLISHED, S.HIDDEN})

    def apply(self, obj, *, user, note):
        obj.status, obj.rejection_reason = S.REJECTED, note

    def after(self, obj, *, user, note, old_state):
        tasks.after_commit(tasks.notify_rejected, obj.pk)


class EntryArchive(_EntryWords, actions.Archive):
    help = "It leaves the map but is kept, and can be restored."


class EntryHide(_EntryWords, actions.Hide):
    help = "It leaves the map until a moderator restores it."


class EntryRestore(_EntryWords, actions.Restore):
    help = "Back on the map if it had been published, otherwise back in the queue."

    def next_state(self, obj):
        if obj.status == S.HIDDEN or obj.published_at:
            return S.PUBLISHED
        return S.PENDING


class EntryVerify(_EntryWords, actions.Action):
    name, verb, label, words, done = "verify", "verified", "Mark verified", "mark as verified", "Marked verified"
    help = "Tells everyone a moderator has checked it."
    from_states = frozenset({S.PENDING, S.PUBLISHED})

    def problem(self, obj):
        if obj.verified and obj.status in self.from_states:
            return f"{describe(obj)} is already verified."
        return super().problem(obj)

    def apply(self, obj, *, user, note):
        obj.verified, obj.verified_at = True, timezone.now()


class EntryUnverify(_EntryWords, actions.Action):
    name, verb, label, done = "unverify", "unverified", "Remove the verified mark", "Verified mark removed"
    words = "remove the verified mark from"
    from_states = frozenset({S.PENDING, S.PUBLISHED, S.REJECTED, S.ARCHIVED, S.HIDDEN})

    def problem(self, obj):
        if not obj.verified and obj.status in self.from_states:
            return f"{describe(obj)} is not verified."
        return super().problem(obj)

    def apply(self, obj, *, user, note):
        obj.verified, obj.verified_at = False, None


@registry.register
class EntryModeration(registry.Moderated):
    kind = "entry"
    label, label_plural = "map entry", "map entries"
    model = Entry
    tracked = TRACKED

    def get_action_classes(self):
        return [EntryPublish, EntryReject, EntryArchive, EntryHide, EntryRestore, EntryVerify, EntryUnverify]

    def queryset(self):
        return Entry.objects.select_related("category", "owner__profile", "area").prefetch_related("attachments")

    def preview(self, obj) -> registry.Preview:
        photos = list(obj.attachments.all())
        photo = photos[0] if photos else None
        if obj.owner_id:
            who = str(obj.owner)
        else:  # moderators may need to write to a visitor who sent it
            email = f" ({obj.submitter_email})" if obj.submitter_email else ""
            who = f"{obj.submitter_name or 'a visitor'}{email}, not signed in"
        return registry.Preview(
            title=obj.title,
            url=obj.get_absolute_url(),
            excerpt=plain_text(obj.description)[:240],
            thumbnail=photo.thumbnail_url if photo and photo.file else "",
            thumbnail_alt=photo.alt if photo else "",
            who=who,
            area=obj.area.name if obj.area_id else "",
        )

    def after_report_url(self, obj) -> str:
        return reverse("mapping:map")

    def before_change(self, obj):
        return clusters.snapshot(obj)

    def after_change(self, obj, before) -> None:
        # Only published entries count on the map: hidden, rejected and archived ones leave the cells.
        clusters.apply(before, clusters.snapshot(obj))
