"""An attachment: a photo or a file that belongs to any record (its owner, through a generic
relation). The stored file was checked by its content and, for an image, re-encoded without
metadata; `original_name` is only text to show."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AttachmentKind(models.TextChoices):
    IMAGE = "image", "Photo"
    FILE = "file", "File"


TYPE_LABELS = {
    "image/jpeg": "JPEG photo",
    "image/png": "PNG image",
    "image/webp": "WebP image",
    "application/pdf": "PDF",
    "text/plain": "text",
    "text/csv": "CSV spreadsheet",
}


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.IMAGE)
    # Names are made by the service (never from the sender's file name); no upload_to is needed.
    file = models.FileField(max_length=300)
    thumbnail = models.FileField(max_length=300, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    mime = models.CharField("content type as detected", max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField("description for people who cannot see it", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["content_type", "object_id", "position", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "position"], name="attachment_owner")]

    def __str__(self):
        return self.alt or self.original_name or f"Attachment {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE

    @property
    def type_label(self) -> str:
        """What kind of file it is, in words people know."""
        return TYPE_LABELS.get(self.mime, "file")

    @property
    def thumbnail_url(self) -> str:
        """The small rendition's address, or the full image's when it has none (yet)."""
        return (self.thumbnail or self.file).url
