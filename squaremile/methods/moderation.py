"""Methods and proposed edits in the shared moderation (`squaremile.moderation`): a new method
waits for a moderator; a proposed edit (`MethodRevision`) waits too, and publishing it applies it
to the method (its changes go to the method's history). Registered from `MethodsConfig.ready()`."""

from __future__ import annotations

from django.utils import timezone

from squaremile.core.text import plain_text
from squaremile.methods import services
from squaremile.methods.models import Method, MethodRevision
from squaremile.moderation import actions, registry
from squaremile.moderation.models import ModerationState as S


class MethodPublish(actions.Publish):
    help = "It shows in the library for everyone."

    def apply(self, obj, *, user, note):
        super().apply(obj, user=user, note=note)
        obj.published_at = obj.published_at or timezone.now()


@registry.register
class MethodModeration(registry.Moderated):
    kind, label, label_plural, model = "method", "method", "methods", Method
    area_field = None
    search_field = "name"
    tracked = ("name", "summary", "status")

    def get_action_classes(self):
        return [MethodPublish, actions.Reject, actions.Archive, actions.Hide, actions.Restore]

    def queryset(self):
        return Method.objects.select_related("owner")

    def preview(self, obj):
        return registry.Preview(
            title=obj.name,
            url=obj.get_absolute_url(),
            excerpt=obj.summary,
            who=obj.owner.get_username() if obj.owner_id else "",
        )

    def after_report_url(self, obj):
        from django.urls import reverse

        return reverse("methods:list")

    def after_change(self, obj, before):
        services.reindex(obj)


class RevisionPublish(actions.Publish):
    label, done = "Accept", "Accepted"
    help = "The edit becomes the method (its history keeps what it was)."
    from_states = frozenset({S.PENDING, S.REJECTED})

    def apply(self, obj, *, user, note):
        super().apply(obj, user=user, note=note)
        services.revision_apply(revision=obj, by=user)


class RevisionReject(actions.Reject):
    from_states = frozenset({S.PENDING})

    def apply(self, obj, *, user, note):
        super().apply(obj, user=user, note=note)
        obj.decided_at = timezone.now()


@registry.register
class RevisionModeration(registry.Moderated):
    kind, label, label_plural, model = "methodrevision", "proposed method edit", "proposed method edits", MethodRevision
    area_field = None
    search_field = "method__name"
    tracked = ("note", "status")
    row_actions = ("publish", "reject")
    waiting_states = (S.PENDING,)

    def get_action_classes(self):
        return [RevisionPublish, RevisionReject]

    def queryset(self):
        return MethodRevision.objects.select_related("method", "owner")

    def preview(self, obj):
        return registry.Preview(
            title=f"Edit to {obj.method.name}",
            url=obj.get_absolute_url(),
            excerpt=plain_text(obj.note)[:200],
            who=obj.owner.get_username() if obj.owner_id else "",
        )
