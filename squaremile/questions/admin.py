"""The generic inline that owners' admin pages show (map categories, surveys)."""

from django.contrib.contenttypes.admin import GenericTabularInline

from squaremile.core.admin import AdminRoleMixin
from squaremile.questions.models import Question


class QuestionInline(AdminRoleMixin, GenericTabularInline):
    model = Question
    ct_field = "owner_type"
    ct_fk_field = "owner_id"
    fields = ("position", "label", "kind", "choices", "min_value", "max_value", "required", "help_text")
    extra = 0
