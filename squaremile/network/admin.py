"""Administrators' view of network surveys. Answers are confidential: they are listed read-only here
(changes go through the survey pages, which keep ties, nodes and the analysis in step)."""

from django.contrib import admin

from squaremile.core.admin import AdminRoleMixin
from squaremile.network.models import Invitation, MergeSuggestion, Node, Response, Round, Survey
from squaremile.questions.admin import QuestionInline


class RoundInline(admin.TabularInline):
    model = Round
    fields = ("number", "label", "opens_at", "closes_at", "data_version")
    readonly_fields = ("data_version",)
    extra = 0


@admin.register(Survey)
class SurveyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "owner", "audience", "opens_at", "closes_at", "is_published")
    list_filter = ("audience", "is_published")
    search_fields = ("title", "slug")
    raw_id_fields = ("owner", "area")
    readonly_fields = ("slug", "created_at", "updated_at", "published_at")
    filter_horizontal = ("skill_families", "resource_kinds")
    inlines = [RoundInline, QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("email", "survey", "sent_at", "used_at")
    search_fields = ("email", "survey__title")
    readonly_fields = ("token_hash", "sent_at", "used_at")
    raw_id_fields = ("survey",)


@admin.register(Node)
class NodeAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("label", "kind", "survey", "merged_into")
    list_filter = ("kind",)
    search_fields = ("label", "survey__title")
    raw_id_fields = ("survey", "organisation", "user", "merged_into")
    readonly_fields = ("match_key",)


@admin.register(Response)
class ResponseAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("display_name", "round", "consent", "source", "updated_at")
    list_filter = ("consent", "source")
    search_fields = ("display_name", "round__survey__title")
    list_select_related = ("round", "round__survey")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MergeSuggestion)
class MergeSuggestionAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("a", "b", "score", "status", "survey")
    list_filter = ("status",)
    raw_id_fields = ("survey", "a", "b", "decided_by")
