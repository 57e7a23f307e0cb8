"""Stories in the admin: to look things up. Stories are changed on the site (their services keep
search, moderation and the audit log in step), so they are read-only here; tags can be renamed."""

from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.stories.models import Story, StoryFeed, StoryTag


@admin.register(Story)
class StoryAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "owner", "area", "published_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    list_select_related = ("owner", "area")
    raw_id_fields = ("owner", "organisation", "area", "feed")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StoryFeed)
class StoryFeedAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "url", "status", "last_polled_at", "failures", "active")
    list_filter = ("status", "active")
    readonly_fields = (
        "etag",
        "last_modified",
        "status",
        "status_message",
        "failures",
        "last_polled_at",
        "last_success_at",
        "items_added",
        "items_updated",
    )
    raw_id_fields = ("owner", "area")


@admin.register(StoryTag)
class StoryTagAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
