from django.contrib import admin

from squaremile.core.forms import with_clean_text
from squaremile.core.models import SpaceRole
from squaremile.core.permissions import can


class AdminRoleMixin:
    """Admin pages for people whose Square Mile role is administrator (superusers included),
    independent of Django's per-model permissions."""

    def _is_admin(self, request):
        return can(request.user, "site.administer")

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, *args):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)

    # Admin forms clean user text at the door like every other form (core.forms.CleanTextMixin).
    def get_form(self, request, obj=None, **kwargs):
        return with_clean_text(super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return with_clean_text(super().get_changelist_form(request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):  # every inline of a model admin
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = with_clean_text(formset.form)
            yield formset, inline


admin.site.site_header = "Square Mile administration"
admin.site.site_title = "Square Mile admin"


@admin.register(SpaceRole)
class SpaceRoleAdmin(AdminRoleMixin, admin.ModelAdmin):
    """Roles in a space, to look up and remove; they are given on the space's own page (core/spaces.py
    checks who may)."""

    list_display = ("user", "role", "content_type", "object_id", "granted_by", "created_at")
    list_filter = ("role", "content_type")
    search_fields = ("user__email",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
