"""Entries' history moves into the shared audit log (`audit.AuditEvent`), and their status takes
the shared moderation states (same stored values, plus "draft" and "hidden").

Each EntryEvent becomes an AuditEvent with the same actor, changes, note and time; its action
"published" becomes "entry.published". The stored file names of photos are not carried over
(the history says "A photo was added"). Backwards, the entries' events go back to EntryEvent and
entries hidden after reports go back to the queue."""

from django.db import migrations, models

BATCH = 2000
ACTIONS = (
    "created", "edited", "published", "rejected", "verified", "unverified", "archived", "restored",
    "merged", "imported", "photo_added", "photo_removed",
)  # fmt: skip
PHOTO_ACTIONS = {"photo_added", "photo_removed"}


def _entry_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="mapping", model="entry")[0]


def to_audit(apps, schema_editor):
    EntryEvent = apps.get_model("mapping", "EntryEvent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ct = _entry_type(apps)
    rows = EntryEvent.objects.order_by("id").values_list(
        "entry_id", "entry__title", "actor_id", "action", "changes", "note", "created_at"
    )
    batch = []
    for entry_id, title, actor_id, action, changes, note, created_at in rows.iterator(chunk_size=BATCH):
        batch.append(
            AuditEvent(
                content_type_id=ct.pk,
                object_id=entry_id,
                target_label=(title or "")[:300],
                actor_id=actor_id,
                action=f"entry.{action}",
                changes=changes or {},
                note="" if action in PHOTO_ACTIONS else (note or ""),
                created_at=created_at,
            )  # fmt: skip
        )
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def from_audit(apps, schema_editor):
    EntryEvent = apps.get_model("mapping", "EntryEvent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Entry = apps.get_model("mapping", "Entry")
    ct = _entry_type(apps)
    # Keep each event's recorded time (auto_now_add would stamp them all with now); this is the
    # migration's own copy of the model.
    EntryEvent._meta.get_field("created_at").auto_now_add = False
    Entry.objects.filter(status__in=["hidden", "draft"]).update(status="pending")
    events = AuditEvent.objects.filter(content_type_id=ct.pk, action__in=[f"entry.{a}" for a in ACTIONS])
    existing = set(Entry.objects.values_list("pk", flat=True))
    batch = []
    for object_id, actor_id, action, changes, note, created_at in (
        events.order_by("id")
        .values_list("object_id", "actor_id", "action", "changes", "note", "created_at")
        .iterator(chunk_size=BATCH)
    ):
        if object_id not in existing:  # the entry was deleted: EntryEvent cannot hold its history
            continue
        batch.append(
            EntryEvent(
                entry_id=object_id,
                actor_id=actor_id,
                action=action.split(".", 1)[1],
                changes=changes or {},
                note=note or "",
                created_at=created_at,
            )  # fmt: skip
        )
        if len(batch) >= BATCH:
            EntryEvent.objects.bulk_create(batch)
            batch = []
    EntryEvent.objects.bulk_create(batch)
    AuditEvent.objects.filter(content_type_id=ct.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0007_entry_date_columns"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("pending", "Waiting for moderation"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("archived", "Archived"),
                    ("hidden", "Hidden after reports"),
                    ("merged", "Merged into another entry"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(to_audit, from_audit, elidable=False),
        migrations.DeleteModel(name="EntryEvent"),
    ]
