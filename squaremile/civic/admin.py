from django.contrib import admin

from squaremile.civic.models import (
    Body,
    ProblemCategory,
    QuestionRecipient,
    Report,
    ReportUpdate,
    RepQuestion,
    Representative,
)
from squaremile.core.admin import AdminRoleMixin
from squaremile.questions.admin import QuestionInline


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "service_code", "group", "is_threat")
    search_fields = ("name", "service_code")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [QuestionInline]  # its custom questions: the Open311 service definition


@admin.register(Body)
class BodyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "delivery", "email")
    list_filter = ("kind", "delivery")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("categories",)
    autocomplete_fields = ("areas",)


@admin.register(Representative)
class RepresentativeAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("name", "role", "area", "party", "last_checked", "questions_sent", "questions_answered")
    search_fields = ("name", "email")
    list_filter = ("role",)
    autocomplete_fields = ("area",)
    readonly_fields = ("questions_sent", "questions_answered", "median_days", "figures_at")


class ReportUpdateInline(AdminRoleMixin, admin.TabularInline):
    model = ReportUpdate
    extra = 0
    fields = ("author_kind", "status_before", "status_after", "text")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "category", "body", "status", "send_state", "created_at")
    list_filter = ("status", "send_state", "category")
    search_fields = ("title",)
    raw_id_fields = ("owner", "area")
    readonly_fields = ("is_open", "supporters", "sent_at", "send_error", "external_id", "source")
    inlines = [ReportUpdateInline]


class RecipientInline(AdminRoleMixin, admin.TabularInline):
    model = QuestionRecipient
    extra = 0
    fields = ("representative", "sent_at", "answered_at", "answer")
    readonly_fields = ("sent_at", "answered_at")
    raw_id_fields = ("representative",)


@admin.register(RepQuestion)
class RepQuestionAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ("title", "status", "created_at", "me_too")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("owner", "area")
    inlines = [RecipientInline]
