"""Moderation states shared by every moderatable kind of record, and reports (flags) by people."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ModerationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"
    HIDDEN = "hidden", "Hidden after reports"


class ReportReason(models.TextChoices):
    WRONG = "wrong", "It is wrong or out of date"
    SPAM = "spam", "It is spam or advertising"
    OFFENSIVE = "offensive", "It is offensive or hurtful"
    PRIVATE = "private", "It shares someone's private details"
    DUPLICATE = "duplicate", "It is already on the site"
    OTHER = "other", "Something else"


class ReportOutcome(models.TextChoices):
    OPEN = "", "Waiting for a moderator"
    KEPT = "kept", "Kept: a moderator found nothing wrong"
    REMOVED = "removed", "Taken down by a moderator"


class Report(models.Model):
    """One person's report of one record. A person reports a record once while it is open."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    text = models.TextField("more about it", blank=True)
    outcome = models.CharField(max_length=10, choices=ReportOutcome.choices, default=ReportOutcome.OPEN, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"],
                condition=models.Q(outcome=""),
                name="report_once_while_open",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "outcome"], name="report_target_outcome")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.content_type_id}:{self.object_id})"
