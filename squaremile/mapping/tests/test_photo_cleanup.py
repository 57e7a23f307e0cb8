"""A create or an edit that stores photo files and then fails leaves no file behind on the storage."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from squaremile.accounts.tests.factories import UserFactory
from squaremile.attachments.models import Attachment
from squaremile.mapping.entries import services
from squaremile.mapping.models import Entry
from squaremile.mapping.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "cleanup-media"
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.fixture
def member():
    return UserFactory()


@pytest.fixture
def category():
    return CategoryFactory()


def _png(colour="red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(buf, "PNG")
    return SimpleUploadedFile(f"{colour}.png", buf.getvalue(), "image/png")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _create(member, category, **extra):
    return services.entry_create(by=member, title="Hall", category=category, lat=53.8, lng=-1.55, **extra)


def _fail(*args, **kwargs):
    raise Boom("the database went away")


def test_a_failed_create_removes_the_photos_it_stored(media, member, category, monkeypatch):
    monkeypatch.setattr(services, "_apply", _fail)  # runs after the photos are stored
    with pytest.raises(Boom):
        _create(member, category, photos=[_png("red"), _png("blue")])
    assert not Entry.objects.exists() and not Attachment.objects.exists()
    assert _files(media) == set()


def test_a_failed_edit_removes_only_the_new_photos(media, member, category, monkeypatch):
    entry = _create(member, category, photos=[_png("red")])
    kept = _files(media)
    assert len(kept) == 2  # the photo and its thumbnail
    monkeypatch.setattr(services, "_apply", _fail)
    with pytest.raises(Boom):
        services.entry_update(entry=entry, by=member, data={"title": "Village hall"}, add_photos=[_png("blue")])
    assert _files(media) == kept
    photo = Attachment.objects.get()
    assert {Path(photo.file.path), Path(photo.thumbnail.path)} == kept


def test_a_photo_row_that_cannot_be_saved_leaves_no_file(media, member, category, monkeypatch):
    # The file is written before its row: a failure writing the row must not strand the file.
    monkeypatch.setattr(Attachment, "save", _fail)
    with pytest.raises(Boom):
        _create(member, category, photos=[_png("red")])
    assert _files(media) == set()


def test_a_successful_create_keeps_its_photos(media, member, category):
    entry = _create(member, category, photos=[_png("red"), _png("blue")])
    stored = {Path(f.path) for p in entry.attachments.all() for f in (p.file, p.thumbnail)}
    assert stored == _files(media)
    assert len(_files(media)) == 4  # two photos, two thumbnails


def test_a_full_disk_is_a_clear_503_and_leaves_nothing_half_saved(client, media, member, category, monkeypatch, caplog):
    """The second photo's file is half written when the disk fills up (ENOSPC): the page says so in
    plain words, the reason is logged, and there is no entry, no photo row and no file left."""
    import errno
    import logging

    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage._save
    calls = {"n": 0}

    def save_until_full(self, name, content):
        calls["n"] += 1
        if calls["n"] < 2:
            return real_save(self, name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a photo")  # what a full disk leaves behind
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save_until_full)
    client.force_login(member)
    data = {"title": "Hall", "category": str(category.pk), "lat": "53.8", "lng": "-1.55",
            "photos": [_png("red"), _png("blue")]}  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="squaremile.unavailable"):
        response = client.post("/map/add/", data)
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "The site cannot store files just now. Nothing was saved" in response.content.decode()
    assert "Storage full, answered 503 to POST" in caplog.text and "No space left on device" in caplog.text
    assert not Entry.objects.exists() and not Attachment.objects.exists()
    assert _files(media) == set()


def test_deleting_an_entry_removes_its_photo_files(media, member, category, django_capture_on_commit_callbacks):
    entry = _create(member, category, photos=[_png("red"), _png("blue")])
    assert len(_files(media)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_delete(entry=entry, by=member)
    assert not Attachment.objects.exists() and _files(media) == set()


def test_an_entry_deleted_any_other_way_loses_its_photos_too(
    media, member, category, django_capture_on_commit_callbacks
):
    # The admin's delete, a shell, a cascade: the rows go with the entry (GenericRelation), the files after.
    entry = _create(member, category, photos=[_png("red")])
    with django_capture_on_commit_callbacks(execute=True):
        Entry.objects.filter(pk=entry.pk).delete()
    assert not Attachment.objects.exists() and _files(media) == set()
