"""One audit log for every kind of record: who did what to which record, when, with the field-level
diff and a note. Rows outlive their record (the label keeps its name); nothing here knows the
kinds of record it is used for."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from squaremile.audit import registry


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    # A short key, "<kind>.<what happened>": "entry.published", "organisation.changed", "role.changed".
    action = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    # The record's name when the event was written: the history still reads after the record is deleted.
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {field: [old, new]}
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="audit_target_created"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_created"),
            models.Index(fields=["action", "created_at"], name="audit_action_created"),
        ]

    def __str__(self):
        return f"{self.action} {self.target_label}"

    @property
    def kind(self) -> str:
        return self.action.split(".", 1)[0]

    @property
    def action_label(self) -> str:
        return registry.label_for(self.action)

    @property
    def shows_changes(self) -> bool:
        return registry.shows_changes(self.action)
