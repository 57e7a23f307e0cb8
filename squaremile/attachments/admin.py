"""Attachments in the admin: read-only (they come in through forms and services, where they are
checked and cleaned); administrators may delete one (its files go with it)."""

from django.contrib import admin

from squaremile.attachments.models import Attachment
from squaremile.core.admin import AdminRoleMixin


@admin.register(Attachment)
class AttachmentAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "content_type", "object_id", "mime", "size", "uploaded_by", "created_at")
    list_filter = ("kind", "content_type")
    search_fields = ("alt", "original_name")
    readonly_fields = [
        "content_type", "object_id", "kind", "file", "thumbnail", "original_name", "mime", "size", "width",
        "height", "position", "uploaded_by", "created_at",
    ]  # fmt: skip
    fields = ["alt", *readonly_fields]

    def has_add_permission(self, request):
        return False
