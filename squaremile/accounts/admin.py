from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from squaremile.accounts.models import ApiToken, Profile, User
from squaremile.core.admin import AdminRoleMixin
from squaremile.core.permissions import staff_flag_for


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    raw_id_fields = ("home_area",)


@admin.register(User)
class UserAdmin(AdminRoleMixin, BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "profile__display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Role", {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),)
    readonly_fields = ("last_login", "date_joined")
    inlines = [ProfileInline]

    def save_model(self, request, obj, form, change):
        # Administrators need the admin site; nobody else does.
        obj.is_staff = staff_flag_for(obj.role, obj.is_superuser)
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    fields = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False
