import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from squaremile.accounts.models import Profile
from squaremile.accounts.tests.factories import UserFactory
from squaremile.attachments import registry

GPS = {1: "N", 2: (53.0, 48.0, 3.0), 3: "W", 4: (1.0, 32.0, 57.0)}


def jpeg_with_gps(size=(900, 600)) -> bytes:
    """A phone-like photo: camera make and a GPS position (the reporter's home) in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size=(40, 30), colour="green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type)


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.fixture
def profile_owner(db):
    """A model below attachments registered for the test: a person may attach photos and files to
    their own profile (the `profile.change` rule)."""
    registry.register(Profile, action="profile.change", kinds=("image", "file"), max_count=3)
    user = UserFactory()
    yield user, Profile.objects.get(user=user)
    registry.unregister(Profile)


def files_under(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()
