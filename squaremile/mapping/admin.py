"""Admin pages for the map: categories with their extra questions (administrators set these up),
and entries (with their history, read-only). Restricted to the administrator role, like the
taxonomy's admin. Day-to-day moderation happens in the queue (/map/queue/), not here."""

from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.mapping import clusters
from squaremile.mapping.models import Category, Entry, EntryEvent, EntryPhoto
from squaremile.places.selectors import area_for_point
from squaremile.questions.admin import QuestionInline


@admin.register(Category)
class CategoryAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "parent", "colour", "icon", "is_threat", "auto_publish_trusted", "is_active", "position")
    list_editable = ("position", "is_active")
    list_filter = ("is_threat", "auto_publish_trusted", "is_active")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [QuestionInline]

    def has_delete_permission(self, request, obj=None):
        # Entries keep their category (PROTECT): a category in use is made inactive instead.
        if obj is not None and obj.entries.exists():
            return False
        return super().has_delete_permission(request, obj)


class EntryPhotoInline(AdminRoleMixin, admin.TabularInline):
    model = EntryPhoto
    fields = ("image", "alt", "position", "width", "height")
    readonly_fields = ("image", "width", "height")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # photos come in through the form or the API, where they are checked and cleaned


class EntryEventInline(AdminRoleMixin, admin.TabularInline):
    model = EntryEvent
    fields = ("created_at", "action", "actor", "changes", "note")
    readonly_fields = fields
    extra = 0
    ordering = ("-created_at", "-id")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "category", "status", "verified", "area", "created_at")
    list_filter = ("status", "verified", "category", "category__is_threat")
    search_fields = ("title", "external_id", "submitter_email")
    raw_id_fields = ("owner", "area", "organisation", "project", "merged_into")
    readonly_fields = ("created_at", "updated_at", "published_at", "verified_at", "area", "merged_into")
    list_select_related = ("category", "area")
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [EntryPhotoInline, EntryEventInline]

    def save_model(self, request, obj, form, change):
        """An administrator's direct change still keeps the area, the map's cells and the history."""
        from squaremile.mapping.services import _diff, _event, _values

        before_obj = Entry.objects.filter(pk=obj.pk).first() if change else None
        before = clusters.snapshot(before_obj) if before_obj else None
        before_values = _values(before_obj) if before_obj else {}
        obj.area = area_for_point(lat=obj.lat, lng=obj.lng)
        super().save_model(request, obj, form, change)
        after_values = _values(obj)
        if change:
            changes = _diff(before_values, after_values)
            if changes:
                _event(obj, request.user, "edited", changes=changes, note="Changed in the admin.")
        else:
            _event(obj, request.user, "created", note="Added in the admin.")
        clusters.apply(before, clusters.snapshot(obj))

    def delete_model(self, request, obj):
        before = clusters.snapshot(obj)
        super().delete_model(request, obj)
        clusters.apply(before, None)

    def delete_queryset(self, request, queryset):
        befores = [clusters.snapshot(e) for e in queryset]
        super().delete_queryset(request, queryset)
        clusters.apply_many(befores, [None] * len(befores))
