"""Organiser-defined questions ("custom questions"), one model for every kind of record that asks them.

A question belongs to its owner through a generic relation (content type + id): a map category, a
network survey, later an event or a civic report category. The owner declares
`questions = GenericRelation("questions.Question", ...)` (see `OWNER_RELATION`), which gives
`owner.questions.all()` in order, prefetching, and deletes the questions with their owner.
Answers are stored by the owner's records as JSON keyed by `str(question.pk)`; `answers.py` parses
and shows them.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from squaremile.core.text import nonblank_lines

LABEL_MAX = 300
HELP_MAX = 300
MAX_CHOICES = 50
NUMBER_LIMIT = 1e15  # no answer is further from zero than this


class Kind(models.TextChoices):
    TEXT = "text", "Short text"
    LONGTEXT = "longtext", "Longer text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    YESNO = "yesno", "Yes or no"
    CHOICE = "choice", "One of a list"
    MULTIPLE = "multiple", "Any of a list"
    SCALE = "scale", "Scale from 0 to 4"


CHOICE_KINDS = (Kind.CHOICE, Kind.MULTIPLE)

# What an owner model declares (the keyword arguments of its GenericRelation).
OWNER_RELATION = {"content_type_field": "owner_type", "object_id_field": "owner_id"}


class Question(models.Model):
    owner_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    label = models.CharField("question", max_length=LABEL_MAX)
    help_text = models.CharField("hint", max_length=HELP_MAX, blank=True)
    kind = models.CharField("kind of answer", max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="For “one of” and “any of” questions: one option per line.")
    min_value = models.FloatField("smallest number", null=True, blank=True, help_text="For a number: optional.")
    max_value = models.FloatField("largest number", null=True, blank=True, help_text="For a number: optional.")
    required = models.BooleanField("an answer is required", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["owner_type", "owner_id", "position", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id", "position"], name="question_owner_position")]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return nonblank_lines(self.choices)

    @property
    def field_name(self) -> str:
        """The stable name of its form field: `q_<id>`."""
        return f"q_{self.pk}"

    def clean(self):
        errors: dict[str, list[str]] = {}
        self.label = (self.label or "").strip()
        if not self.label:
            errors["label"] = ["Give the question's text."]
        if self.kind not in Kind.values:
            errors["kind"] = ["Choose a kind of answer from the list."]
        options = self.choice_list
        if self.kind in CHOICE_KINDS:
            if len(options) < 2:
                errors["choices"] = ["Give at least two options, one per line."]
            elif len(options) > MAX_CHOICES:
                errors["choices"] = [f"Give at most {MAX_CHOICES} options."]
            elif len({o.casefold() for o in options}) < len(options):
                errors["choices"] = ["Each option once, please: two lines say the same."]
            else:
                self.choices = "\n".join(options)
        if self.kind == Kind.NUMBER:
            for name in ("min_value", "max_value"):
                value = getattr(self, name)
                if value is not None and not abs(value) <= NUMBER_LIMIT:
                    errors[name] = ["Give a smaller number."]
            if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
                errors["max_value"] = ["The largest number must not be smaller than the smallest."]
        else:
            self.min_value = self.max_value = None
        if errors:
            raise ValidationError(errors)
