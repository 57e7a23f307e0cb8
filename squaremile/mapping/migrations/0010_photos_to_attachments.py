"""The map's photos become attachments (squaremile/attachments): every EntryPhoto row becomes an
Attachment of its entry, with its file kept where it is (it was already re-encoded without
metadata), its size, width, height, description, position and date; a thumbnail is made beside it
(`<name>-thumb.<ext>`) when the file can be read. Backwards: the rows come back as EntryPhoto rows
and the thumbnails made here are deleted. Migration 0009 then drops EntryPhoto."""

from django.db import migrations

MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
BATCH = 500


def _thumbnail(storage, name: str) -> str:
    """Make and store a thumbnail of an already clean image; its name, or "" when the file is not
    there or cannot be read (the pages then show the full image)."""
    from squaremile.attachments.images import thumbnail_of

    try:
        with storage.open(name, "rb") as handle:
            made = thumbnail_of(handle.read())
    except (OSError, ValueError):
        return ""
    if made is None:
        return ""
    data, extension = made
    from django.core.files.base import ContentFile

    stem = name.rsplit(".", 1)[0]
    try:
        return storage.save(f"{stem}-thumb.{extension}", ContentFile(data))
    except OSError:
        return ""


def forwards(apps, schema_editor):
    EntryPhoto = apps.get_model("mapping", "EntryPhoto")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    photos = EntryPhoto.objects.select_related("entry").order_by("pk")
    if not photos.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="mapping", model="entry")
    storage = Attachment._meta.get_field("file").storage
    batch = []
    for photo in photos.iterator(chunk_size=BATCH):
        name = photo.image.name
        try:
            size = storage.size(name)
        except OSError:
            size = 0
        batch.append(
            Attachment(
                content_type_id=ct.pk,
                object_id=photo.entry_id,
                kind="image",
                file=name,
                thumbnail=_thumbnail(storage, name) if size else "",
                original_name="",
                mime=MIME.get(name.rsplit(".", 1)[-1].lower(), "image/jpeg"),
                size=size,
                width=photo.width,
                height=photo.height,
                alt=photo.alt,
                position=photo.position,
                uploaded_by_id=photo.entry.owner_id,
                created_at=photo.created_at,
            )  # fmt: skip
        )
        if len(batch) >= BATCH:
            Attachment.objects.bulk_create(batch)
            batch = []
    Attachment.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    EntryPhoto = apps.get_model("mapping", "EntryPhoto")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="mapping", model="entry").first()
    if ct is None:
        return
    rows = Attachment.objects.filter(content_type_id=ct.pk, kind="image").order_by("pk")
    storage = Attachment._meta.get_field("file").storage
    batch, times, thumbnails = [], [], []
    for row in rows.iterator(chunk_size=BATCH):
        times.append(row.created_at)
        batch.append(
            EntryPhoto(
                entry_id=row.object_id,
                image=row.file.name,
                width=row.width,
                height=row.height,
                alt=row.alt,
                position=row.position,
                created_at=row.created_at,
            )  # fmt: skip
        )
        if row.thumbnail:
            thumbnails.append(row.thumbnail.name)
    # EntryPhoto.created_at is auto_now_add: bulk_create would stamp "now", so it is put back after.
    created = EntryPhoto.objects.bulk_create(batch, batch_size=BATCH)
    for photo, when in zip(created, times, strict=True):
        photo.created_at = when
    EntryPhoto.objects.bulk_update(created, ["created_at"], batch_size=BATCH)
    rows.delete()  # historical model: no signal, so the photo files stay for EntryPhoto
    for name in thumbnails:
        try:
            storage.delete(name)
        except OSError:
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0009_moderation_preferences_to_notifications"),
        ("attachments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
