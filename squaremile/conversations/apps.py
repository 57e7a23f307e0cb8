from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "squaremile.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self):
        from django.urls import reverse

        from squaremile.attachments.registry import register as register_attachments
        from squaremile.audit import registry as audit_labels
        from squaremile.conversations import (
            mail_in,
            moderation,  # noqa: F401  (threads, posts, messages in the moderation queue)
            notifications,  # noqa: F401  (notification kinds)
            panels,
            records,
        )
        from squaremile.conversations.models import Post
        from squaremile.mapping.layers import MapLayer, register_layer

        register_layer(
            MapLayer(
                key="groups", label="Groups", url=lambda: reverse("conversations:map_layer"), colour="#1f6f8b",
                description="Groups that meet about a place (at the centre of their area)",
            )
        )  # fmt: skip
        records.register()
        panels.register()
        mail_in.register()
        register_attachments(Post, action="post.change", kinds=("image", "file"), max_count=4)
        for key, words in {
            "group.created": "Group started",
            "group.changed": "Group changed",
            "group.joined": "Joined",
            "group.left": "Left",
            "thread.started": "Conversation started",
            "thread.closed": "Closed with an outcome",
            "thread.pinned": "Pinned",
            "thread.locked": "Locked",
            "thread.moved": "Moved",
            "thread.merged": "Merged",
            "thread.split": "Split",
            "thread.slowed": "Slowed down",
            "post.edited": "Edited",
            "decision.opened": "Decision opened",
            "decision.closed": "Decision closed",
        }.items():
            audit_labels.register(key, words)
