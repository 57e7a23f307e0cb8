"""Notifications per person, what they follow, how they want to hear, and the digest markers."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "E-mail me straight away"
    DAILY = "daily", "One e-mail a day (daily digest)"
    WEEKLY = "weekly", "One e-mail a week (weekly digest)"
    OFF = "off", "No e-mail"


PERIODS = (Delivery.DAILY, Delivery.WEEKLY)


class Notification(models.Model):
    """Something a person should know about. Always shown under the bell; e-mailed according to
    the person's choice for its kind (`delivery`, decided when it was made)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField(max_length=200, blank=True)  # kept when the record is gone
    url = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.OFF)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notif_list"),
            models.Index(fields=["delivery", "digested_at"], name="notif_digest"),
            models.Index(fields=["target_type", "target_id"], name="notif_target"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.title}"


class Preference(models.Model):
    """A person's choice for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=64)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_once")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.delivery}"


class Follow(models.Model):
    """A person follows a record (an area, a category, an organisation, a survey, an entry...)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="follow_target")]

    def __str__(self):
        return f"{self.user} follows {self.target_type_id}:{self.target_id}"


class Suppression(models.Model):
    """An address without an account that said "don't e-mail me again" (for one kind, or all: "*")."""

    email = models.EmailField()
    kind = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="suppression_once")]

    def __str__(self):
        return f"{self.email}: {self.kind}"


class DigestRun(models.Model):
    """One person's digest for one period (daily: the date; weekly: the ISO week): it exists once,
    so running the command twice sends nothing twice; `sent_at` is set when the e-mail is queued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, choices=[(p.value, p.label) for p in PERIODS])
    key = models.CharField(max_length=16)  # "2026-12-06" or "2026-W49"
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period", "key"], name="digest_once")]

    def __str__(self):
        return f"{self.user}: {self.period} {self.key}"
