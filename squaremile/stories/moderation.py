"""Stories and their replies in the shared moderation machinery (`squaremile.moderation`): their
actions, what the queue shows of them, and the hook that keeps search in step. Registered from
`StoriesConfig.ready()`; the services take these actions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from squaremile.core.text import plain_text
from squaremile.moderation import actions, registry
from squaremile.moderation.models import ModerationState as S
from squaremile.stories import indexing
from squaremile.stories import notifications as story_notifications
from squaremile.stories.models import Story, StoryComment

TRACKED = (
    "title",
    "body",
    "status",
    "area",
    "organisation",
    "lat",
    "lng",
    "happened_on",
    "media_links",
    "rejection_reason",
)


class StoryPublish(actions.Publish):
    help = "It shows on the stories page, the map and the pages it is about."

    def apply(self, obj, *, user, note):
        obj._first_publication = obj.published_at is None
        obj.status, obj.rejection_reason = S.PUBLISHED, ""
        obj.published_at = obj.published_at or timezone.now()

    def after(self, obj, *, user, note, old_state):
        if getattr(obj, "_first_publication", False):
            transaction.on_commit(lambda: story_notifications.story_published(obj, by=user))


class StoryReject(actions.Reject):
    def apply(self, obj, *, user, note):
        obj.status, obj.rejection_reason = S.REJECTED, note


@registry.register
class StoryModeration(registry.Moderated):
    kind = "story"
    label, label_plural = "story", "stories"
    model = Story
    tracked = TRACKED

    def get_action_classes(self):
        return [StoryPublish, StoryReject, actions.Archive, actions.Hide, actions.Restore]

    def queryset(self):
        return Story.objects.select_related("owner__profile", "area")

    def preview(self, obj):
        return registry.Preview(
            title=obj.title,
            url=obj.get_absolute_url(),
            excerpt=plain_text(obj.body, 240),
            who=str(obj.owner) if obj.owner_id else obj.source,
            area=obj.area.name if obj.area_id else "",
        )

    def after_report_url(self, obj):
        from django.urls import reverse

        return reverse("stories:list")

    def after_change(self, obj, before):
        indexing.sync(obj)


@registry.register
class StoryCommentModeration(registry.Moderated):
    kind = "storycomment"
    label, label_plural = "reply to a story", "replies to stories"
    model = StoryComment
    area_field = None
    search_field = "body"
    tracked = ("body", "status")

    def queryset(self):
        return StoryComment.objects.select_related("owner__profile", "story")

    def preview(self, obj):
        return registry.Preview(
            title=f"Reply to “{obj.story.title}”",
            url=obj.get_absolute_url(),
            excerpt=plain_text(obj.body, 240),
            who=str(obj.owner),
        )

    def after_report_url(self, obj):
        return obj.story.get_absolute_url()
