"""Admin pages for the map: categories with their extra questions (administrators set these up),
and entries (their history is in the audit log). Restricted to the administrator role, like the
taxonomy's admin. Day-to-day moderation happens in the queue (/map/queue/), not here."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.html import format_html, format_html_join

from squaremile.attachments.models import Attachment
from squaremile.audit.selectors import history_for
from squaremile.core.admin import AdminRoleMixin
from squaremile.mapping.entries import services
from squaremile.mapping.models import Category, Entry
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


class EntryPhotoInline(AdminRoleMixin, GenericTabularInline):
    """An entry's photos (attachments): description and order can be changed; deleting one deletes its files."""

    model = Attachment
    fields = ("file", "alt", "position", "width", "height")
    readonly_fields = ("file", "width", "height")
    extra = 0
    verbose_name, verbose_name_plural = "photo", "photos"

    def has_add_permission(self, request, obj=None):
        return False  # photos come in through the form or the API, where they are checked and cleaned


@admin.register(Entry)
class EntryAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "category", "status", "verified", "area", "created_at")
    list_filter = ("status", "verified", "category", "category__is_threat")
    search_fields = ("title", "external_id", "submitter_email")
    raw_id_fields = ("owner", "area", "organisation", "project", "merged_into")
    readonly_fields = ("created_at", "updated_at", "published_at", "verified_at", "area", "merged_into", "history")
    list_select_related = ("category", "area")
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [EntryPhotoInline]

    @admin.display(description="history (latest 20; all in the audit log)")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        events = history_for(obj)[:20]
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} — {} by {}</li>",
                ((e.created_at.strftime("%d %b %Y %H:%M"), e.action_label, e.actor or "-") for e in events),
            ),
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        """An administrator's direct change goes through the service: area, cells and history kept."""
        services.entry_admin_save(entry=obj, by=request.user, is_new=not change)

    def delete_model(self, request, obj):
        """Photos removed, entries merged into it let go, cells kept, history written: the service."""
        services.entry_delete(entry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.entry_delete(entry=entry, by=request.user)
