from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "squaremile.stories"
    label = "stories"
    verbose_name = "Stories"

    def ready(self):
        from squaremile.accounts.data_export import register_part
        from squaremile.attachments.registry import register
        from squaremile.audit import registry as audit_registry
        from squaremile.stories import (
            moderation,  # noqa: F401  (stories and replies in the moderation queue)
            notifications,  # noqa: F401  (kinds, and stories as followable)
            records,
        )
        from squaremile.stories.models import Story
        from squaremile.stories.selectors import data_export

        register_part("stories", data_export)  # a person's stories, drafts included, in their download
        records.register()  # stories as cards and link targets; "Stories about this" on other pages
        register(Story, action="story.change", kinds=("image",), max_count=6)
        for key, label in (
            ("story.told", "Told"),
            ("story.drafted", "Draft saved"),
            ("story.changed", "Changed"),
            ("story.deleted", "Deleted"),
            ("story.filed", "Filed"),
            ("storycomment.added", "Reply added"),
            ("storycomment.deleted", "Reply deleted"),
            ("storyfeed.added", "Feed added"),
            ("storyfeed.changed", "Feed changed"),
            ("storyfeed.deleted", "Feed removed"),
        ):
            audit_registry.register(key, label)
        from django.urls import reverse

        from squaremile.mapping import layers

        layers.register_layer(
            layers.MapLayer(
                key="stories",
                label="Stories",
                url=lambda: reverse("stories:map_layer"),
                colour="#7b3fa0",
                description="Stories people told about what happened here",
            )
        )
