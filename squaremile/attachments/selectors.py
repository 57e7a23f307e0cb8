"""Reads for attachments. An owner model with `attachments = GenericRelation(Attachment)` can also
prefetch them: `.prefetch_related("attachments")`."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from squaremile.attachments.models import Attachment, AttachmentKind


def attachments_of(owner) -> QuerySet[Attachment]:
    ct = ContentType.objects.get_for_model(owner)
    return Attachment.objects.filter(content_type=ct, object_id=owner.pk).order_by("position", "id")


def attachments_of_many(model, owner_ids) -> dict[int, list[Attachment]]:
    """The attachments of many owners of one model, in one query: {owner id: [attachments in order]}
    (a page of 50 posts: one query, without a generic prefetch's per-owner querysets)."""
    found: dict[int, list[Attachment]] = {}
    ids = list(owner_ids)
    if not ids:
        return found
    ct = ContentType.objects.get_for_model(model)
    for a in Attachment.objects.filter(content_type=ct, object_id__in=ids).order_by("object_id", "position", "id"):
        found.setdefault(a.object_id, []).append(a)
    return found


def images_of(owner) -> QuerySet[Attachment]:
    return attachments_of(owner).filter(kind=AttachmentKind.IMAGE)


def as_json(attachment: Attachment, *, absolute=None) -> dict:
    """An attachment as the API and exports show it; `absolute` turns a path into a full address."""

    def url(f):
        return (absolute(f.url) if absolute else f.url) if f else None

    return {
        "kind": attachment.kind,
        "url": url(attachment.file),
        "thumbnail_url": url(attachment.thumbnail or attachment.file),
        "alt": attachment.alt,
        "name": attachment.original_name,
        "mime": attachment.mime,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
    }
