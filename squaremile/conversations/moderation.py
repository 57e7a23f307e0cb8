"""Threads, posts and private messages in the shared moderation (`squaremile.moderation`): reports
by people go to the one queue; hiding takes a post off the group's page and out of the search."""

from __future__ import annotations

from squaremile.conversations import search
from squaremile.conversations.models import Message, Post, Thread
from squaremile.core.text import plain_text
from squaremile.moderation import registry


def _who(user) -> str:
    profile = getattr(user, "profile", None)
    return (getattr(profile, "display_name", "") or "").strip() or "A member"


@registry.register
class ThreadModeration(registry.Moderated):
    kind, label, label_plural, model = "thread", "conversation", "conversations", Thread
    tracked = ("title", "status")
    area_field = "group__area"

    def queryset(self):
        return Thread.objects.select_related("group", "author__profile")

    def preview(self, obj):
        return registry.Preview(title=obj.title, url=obj.get_absolute_url(), who=_who(obj.author),
                                excerpt=f"In {obj.group.name}")  # fmt: skip

    def after_report_url(self, obj):
        return obj.group.get_absolute_url()

    def after_change(self, obj, before):
        search.index_thread(obj)


@registry.register
class PostModeration(registry.Moderated):
    kind, label, label_plural, model = "post", "post", "posts", Post
    tracked = ("body", "status")
    area_field = "thread__group__area"
    search_field = "body"

    def queryset(self):
        return Post.objects.select_related("thread__group", "author__profile")

    def preview(self, obj):
        return registry.Preview(title=f"Reply in “{obj.thread.title}”", url=obj.get_absolute_url(),
                                excerpt=plain_text(obj.body, 200), who=_who(obj.author))  # fmt: skip

    def after_report_url(self, obj):
        return obj.thread.get_absolute_url()

    def after_change(self, obj, before):
        search.index_post(obj)


@registry.register
class MessageModeration(registry.Moderated):
    kind, label, label_plural, model = "message", "private message", "private messages", Message
    tracked = ("status",)
    area_field = None
    search_field = "body"
    row_actions = ("restore", "hide")

    def queryset(self):
        return Message.objects.select_related("author__profile")

    def preview(self, obj):
        return registry.Preview(title="A reported private message", excerpt=plain_text(obj.body, 200),
                                who=_who(obj.author), url="")  # fmt: skip

    def after_report_url(self, obj):
        return obj.conversation.get_absolute_url()
