from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.notifications.models import DigestRun, Follow, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "delivery", "created_at", "read_at"]
    list_filter = ["kind", "delivery"]
    raw_id_fields = ["recipient", "actor"]


@admin.register(Follow)
class FollowAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["user", "target_type", "target_id", "created_at"]
    raw_id_fields = ["user"]


@admin.register(Preference)
class PreferenceAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    raw_id_fields = ["user"]


@admin.register(DigestRun)
class DigestRunAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["user", "period", "key", "items", "sent_at"]
    raw_id_fields = ["user"]
