"""Writes for custom questions: an owner's questions replaced by the organiser's ordered list."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from squaremile.core.permissions import require
from squaremile.questions.models import HELP_MAX, LABEL_MAX, Kind, Question


@transaction.atomic
def save_questions(*, owner: models.Model, items: list[dict], by, action: str) -> list[Question]:
    """Make `owner`'s questions exactly `items`, in that order. Each item: label, kind, help_text,
    choices, min_value, max_value, required, and `id` for an existing question of this owner (kept,
    so the answers given to it stay linked). Questions not listed are deleted. `action` is the
    owner's permission (such as "survey.change") that `by` must hold. Problems are raised together
    as `ValidationError({"questions": [...]})`, one line per question, and nothing is saved."""
    require(by, action, owner)
    owner_type = ContentType.objects.get_for_model(owner)
    existing = {q.pk: q for q in Question.objects.filter(owner_type=owner_type, owner_id=owner.pk)}
    keep: list[Question] = []
    errors: list[str] = []
    for position, item in enumerate(items):
        question = existing.get(_int(item.get("id"))) or Question(owner_type=owner_type, owner_id=owner.pk)
        question.label = (item.get("label") or "").strip()[:LABEL_MAX]
        question.kind = item.get("kind") or Kind.TEXT
        question.help_text = (item.get("help_text") or "").strip()[:HELP_MAX]
        question.choices = item.get("choices") or ""
        question.min_value = item.get("min_value")
        question.max_value = item.get("max_value")
        question.required = bool(item.get("required"))
        question.position = position
        try:
            question.clean()
        except ValidationError as exc:
            errors.extend(f"Question {position + 1}: {m}" for m in exc.messages)
            continue
        keep.append(question)
    if errors:
        raise ValidationError({"questions": errors})
    for question in keep:
        question.save()
    kept = {q.pk for q in keep}
    Question.objects.filter(pk__in=[pk for pk in existing if pk not in kept]).delete()
    return keep


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
