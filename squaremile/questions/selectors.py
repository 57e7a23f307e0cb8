"""Reads for custom questions. Owners usually read their questions through their own relation
(`category.questions.all()`, prefetchable); these are for code that holds only the owner."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from squaremile.questions.models import Question


def questions_of(owner: models.Model) -> QuerySet[Question]:
    """The owner's questions, in order."""
    return Question.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk).order_by(
        "position", "id"
    )


def questions_for_model(model: type[models.Model]) -> QuerySet[Question]:
    """Every question asked by records of this model (exports, imports), by owner then position."""
    return Question.objects.filter(owner_type=ContentType.objects.get_for_model(model)).order_by(
        "owner_id", "position", "id"
    )
