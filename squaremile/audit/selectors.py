"""Reads of the audit log."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from squaremile.audit.models import AuditEvent


def history_for(target, *, model=None, pk=None) -> QuerySet[AuditEvent]:
    """A record's events, newest first, with their actors. Also works for a deleted record when
    given its `model` and `pk`."""
    if target is not None:
        model, pk = type(target), target.pk
    ct = ContentType.objects.get_for_model(model)
    return (
        AuditEvent.objects.filter(content_type=ct, object_id=pk)
        .select_related("actor__profile")
        .order_by("-created_at", "-id")
    )


def events_by(actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor=actor).select_related("content_type").order_by("-created_at", "-id")
