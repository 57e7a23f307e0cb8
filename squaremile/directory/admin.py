from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.directory.models import Organisation, Project, ResourceKind, Skill, SkillFamily
from squaremile.directory.services import index_organisation, index_project


class SkillInline(AdminRoleMixin, admin.TabularInline):
    model = Skill
    fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    extra = 1


@admin.register(SkillFamily)
class SkillFamilyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SkillInline]


@admin.register(Skill)
class SkillAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "family")
    list_filter = ("family",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    exclude = ("people",)


@admin.register(ResourceKind)
class ResourceKindAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    exclude = ("people",)


@admin.register(Organisation)
class OrganisationAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "stream", "org_type", "area", "updated_at")
    list_filter = ("stream", "org_type")
    search_fields = ("name",)
    raw_id_fields = ("owner", "area")
    autocomplete_fields = ()
    filter_horizontal = ("skills", "resources", "areas_served")
    list_select_related = ("area",)
    show_full_result_count = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_organisation(form.instance)


@admin.register(Project)
class ProjectAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "status", "area", "updated_at")
    list_filter = ("status",)
    search_fields = ("name",)
    raw_id_fields = ("owner", "area", "organisations")
    filter_horizontal = ("skills",)
    list_select_related = ("area",)
    show_full_result_count = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_project(form.instance)
