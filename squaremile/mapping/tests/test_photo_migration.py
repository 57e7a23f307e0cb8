"""Migration 0010 turns every EntryPhoto into an Attachment of its entry (files kept in place,
size, width, height, description, position and date kept, a thumbnail made) and back again."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone
from PIL import Image

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mapping", "0009_moderation_preferences_to_notifications"), ("attachments", "0001_initial")]
AFTER = [("mapping", "0011_delete_entryphoto")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema(transactional_db):
    """Whatever happens in the test, leave the database at the latest migrations (a later test's
    flush cannot empty tables of an older schema on PostgreSQL)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _jpeg(size):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def test_photos_move_to_attachments_and_back(media):
    old = _migrate(BEFORE)
    try:
        User = old.get_model("accounts", "User")
        Category = old.get_model("mapping", "Category")
        Entry = old.get_model("mapping", "Entry")
        EntryPhoto = old.get_model("mapping", "EntryPhoto")
        owner = User.objects.create(email="owner@example.org")
        category = Category.objects.create(name="Test photos", slug="test-photos")
        entries = [
            Entry.objects.create(title=f"Hall {i}", category=category, lat=53.8, lng=-1.55, owner=owner if i else None)
            for i in range(2)
        ]
        when = timezone.now() - timezone.timedelta(days=400)
        names = []
        for i, (entry, size) in enumerate(
            [(entries[0], (1600, 1200)), (entries[0], (300, 200)), (entries[1], (80, 60))]
        ):
            name = default_storage.save(f"entries/{entry.pk}/p{i}.jpg", ContentFile(_jpeg(size)))
            names.append(name)
            photo = EntryPhoto.objects.create(
                entry=entry, image=name, width=size[0], height=size[1], alt=f"Photo {i}", position=i % 2
            )
            EntryPhoto.objects.filter(pk=photo.pk).update(created_at=when)
        default_storage.delete(names[2])  # a row whose file went missing still moves

        new = _migrate(AFTER)
        Attachment = new.get_model("attachments", "Attachment")
        rows = list(Attachment.objects.order_by("pk"))
        assert [(a.object_id, a.file.name, a.alt, a.position, a.width, a.height) for a in rows] == [
            (entries[0].pk, names[0], "Photo 0", 0, 1600, 1200),
            (entries[0].pk, names[1], "Photo 1", 1, 300, 200),
            (entries[1].pk, names[2], "Photo 2", 0, 80, 60),
        ]
        assert {a.content_type.model for a in rows} == {"entry"} and {a.kind for a in rows} == {"image"}
        assert [a.uploaded_by_id for a in rows] == [None, None, owner.pk] and all(a.created_at == when for a in rows)
        assert rows[0].size == default_storage.size(names[0]) and rows[0].mime == "image/jpeg"
        assert rows[0].thumbnail.name == f"entries/{entries[0].pk}/p0-thumb.jpg"
        with default_storage.open(rows[0].thumbnail.name) as handle, Image.open(handle) as thumb:
            assert thumb.size == (400, 300)
        assert rows[2].thumbnail.name == "" and rows[2].size == 0  # its file was missing

        old = _migrate(BEFORE)
        EntryPhoto = old.get_model("mapping", "EntryPhoto")
        back = list(EntryPhoto.objects.order_by("pk"))
        assert [(p.entry_id, p.image.name, p.alt, p.position, p.width, p.height) for p in back] == [
            (entries[0].pk, names[0], "Photo 0", 0, 1600, 1200),
            (entries[0].pk, names[1], "Photo 1", 1, 300, 200),
            (entries[1].pk, names[2], "Photo 2", 0, 80, 60),
        ]
        assert all(p.created_at == when for p in back)
        assert not default_storage.exists(rows[0].thumbnail.name) and default_storage.exists(names[0])
        assert not old.get_model("attachments", "Attachment").objects.exists()
    finally:
        _migrate(AFTER)
