from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.pages.models import SitePage


@admin.register(SitePage)
class SitePageAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]

    def has_add_permission(self, request):
        return False  # the four pages exist from the start; their addresses are fixed

    def has_delete_permission(self, request, obj=None):
        return False
