"""manage.py sweep_media removes files that nothing refers to (after a grace period) and keeps every
file an attachment or any other file field refers to."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from squaremile.attachments import services
from squaremile.attachments.tests.conftest import files_under, png, upload
from squaremile.core.models import Job

pytestmark = pytest.mark.django_db


def _age(root, name, hours):
    past = time.time() - hours * 3600
    os.utime(root / name, (past, past))


def test_orphans_go_referenced_files_stay(media, profile_owner):
    user, profile = profile_owner
    photo = services.attach(owner=profile, file=upload(png(), "a.png"), user=user)
    job = Job.objects.create(kind="map_export")
    job.result_file.save("export.csv", ContentFile(b"id\n1\n"), save=True)  # another model's file field
    orphan = default_storage.save("attachments/accounts/profile/9/left-behind.png", ContentFile(png()))
    fresh = default_storage.save("attachments/accounts/profile/9/being-written.png", ContentFile(png()))
    staging = default_storage.save(".restore-123/media/x.png", ContentFile(b"x"))
    for name in (photo.file.name, photo.thumbnail.name, job.result_file.name, orphan, staging):
        _age(media, name, 48)
    _age(media, fresh, 1)  # within the grace period (24 h): perhaps its row is being written

    out = StringIO()
    call_command("sweep_media", "--dry-run", stdout=out)
    assert f"Would remove {orphan}" in out.getvalue() and "Would remove 1 file" in out.getvalue()
    assert orphan in files_under(media)

    out = StringIO()
    call_command("sweep_media", stdout=out)
    assert f"Removed {orphan}" in out.getvalue()
    assert files_under(media) == {photo.file.name, photo.thumbnail.name, job.result_file.name, fresh, staging}

    call_command("sweep_media", "--older-than-hours", "0", stdout=StringIO())
    assert fresh not in files_under(media) and photo.file.name in files_under(media)


def test_an_empty_media_root_is_fine(media):
    out = StringIO()
    call_command("sweep_media", stdout=out)
    assert "Removed 0 files" in out.getvalue()
