"""The audit log in the admin: read-only, filterable by person, kind of record, action and date."""

from django.contrib import admin

from squaremile.audit.models import AuditEvent
from squaremile.core.admin import AdminRoleMixin


class ActionKindFilter(admin.SimpleListFilter):
    title = "kind of action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(a, a) for a in actions[:200]]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "content_type", "target_label", "note")
    list_filter = ("content_type", ActionKindFilter, ("actor", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("target_label", "note", "action", "actor__email")
    list_select_related = ("actor", "content_type")
    show_full_result_count = False
    fields = ("created_at", "actor", "action", "content_type", "object_id", "target_label", "changes", "note")
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
