from django.contrib import admin


class AdminRoleMixin:
    """Admin pages for people whose Square Mile role is administrator (superusers included),
    independent of Django's per-model permissions."""

    def _is_admin(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.has_role("admin")

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


admin.site.site_header = "Square Mile administration"
admin.site.site_title = "Square Mile admin"
