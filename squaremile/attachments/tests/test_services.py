"""attach / detach / move through the service: permission-checked, limited per owner, files stored
beside their thumbnails and removed with their rows."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from squaremile.accounts.models import Profile
from squaremile.accounts.tests.factories import UserFactory
from squaremile.attachments import selectors, services
from squaremile.attachments.models import Attachment
from squaremile.attachments.tests.conftest import files_under, jpeg_with_gps, png, upload

pytestmark = pytest.mark.django_db


def test_attach_stores_the_photo_and_thumbnail_without_gps(media, profile_owner):
    user, profile = profile_owner
    photo = services.attach(owner=profile, file=upload(jpeg_with_gps(), "IMG_0001.jpg"), alt="Our stall", user=user)
    assert (photo.kind, photo.mime, photo.width, photo.height) == ("image", "image/jpeg", 900, 600)
    assert photo.alt == "Our stall" and photo.uploaded_by == user and photo.original_name == "IMG_0001.jpg"
    assert photo.owner == profile and photo.position == 0
    assert files_under(media) == {photo.file.name, photo.thumbnail.name}
    assert photo.file.name.startswith(f"attachments/accounts/profile/{profile.pk}/")
    assert "IMG_0001" not in photo.file.name  # the sender's name is never a path
    for stored in (photo.file, photo.thumbnail):
        with stored.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
            assert not image.getexif().get_ifd(0x8825)
    assert photo.size == photo.file.size


def test_only_people_who_may_change_the_owner_may_attach(media, profile_owner):
    _user, profile = profile_owner
    with pytest.raises(PermissionDenied):
        services.attach(owner=profile, file=upload(png(), "a.png"), user=UserFactory())
    with pytest.raises(PermissionDenied):
        services.attach(owner=profile, file=upload(png(), "a.png"), user=None)
    assert not Attachment.objects.exists() and files_under(media) == set()


def test_per_owner_limit(media, profile_owner):
    user, profile = profile_owner
    services.attach_all(owner=profile, files=[upload(png(), f"{i}.png") for i in range(2)], alts="Two", user=user)
    with pytest.raises(ValidationError) as err:
        services.attach_all(owner=profile, files=[upload(png(), f"{i}.png") for i in range(2)], user=user)
    assert "At most 3 attachments on one profile (2 already)" in err.value.messages[0]
    assert [a.alt for a in selectors.attachments_of(profile)] == ["Two", "Two"]


def test_one_description_per_file_or_one_for_all(media, profile_owner):
    user, profile = profile_owner
    made = services.attach_all(
        owner=profile, files=[upload(png(), "a.png"), upload(png(), "b.png")], alts=["Front", "Back"], user=user
    )
    assert [(a.alt, a.position) for a in made] == [("Front", 0), ("Back", 1)]


def test_a_file_attachment_keeps_its_bytes(media, profile_owner):
    user, profile = profile_owner
    body = b"%PDF-1.4\n% minutes of the meeting\n%%EOF"
    doc = services.attach(owner=profile, file=upload(body, "Minutes.pdf"), user=user)
    assert (doc.kind, doc.mime, doc.size, doc.thumbnail.name) == ("file", "application/pdf", len(body), "")
    assert doc.file.name.endswith(".pdf") and doc.file.read() == body


def test_detach_removes_the_files_after_commit(media, profile_owner, django_capture_on_commit_callbacks):
    user, profile = profile_owner
    photo = services.attach(owner=profile, file=upload(png(), "a.png"), user=user)
    assert len(files_under(media)) == 2
    with pytest.raises(PermissionDenied):
        services.detach(attachment=photo, user=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.detach(attachment=photo, user=user)
    assert not Attachment.objects.exists() and files_under(media) == set()


def test_a_deleted_row_loses_its_files_only_once_committed(media, profile_owner, django_capture_on_commit_callbacks):
    user, profile = profile_owner
    photo = services.attach(owner=profile, file=upload(png(), "a.png"), user=user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Attachment.objects.filter(pk=photo.pk).delete()  # a queryset delete sends post_delete too
    assert len(files_under(media)) == 2, "nothing goes before the commit"
    for callback in callbacks:
        callback()
    assert files_under(media) == set()


def test_move_takes_as_many_as_fit(media, profile_owner):
    user, profile = profile_owner
    services.attach_all(owner=profile, files=[upload(png(), f"{i}.png") for i in range(3)], user=user)
    other = Profile.objects.get(user=UserFactory(role="admin"))
    admin = other.user
    services.attach(owner=other, file=upload(png(), "mine.png"), user=admin)
    assert services.move(source=profile, target=other, user=admin) == 2
    assert [a.position for a in selectors.attachments_of(other)] == [0, 1, 2]
    assert selectors.attachments_of(profile).count() == 1


def test_an_unregistered_owner_is_a_programming_error(media):
    user = UserFactory()
    with pytest.raises(LookupError):
        services.attach(owner=user, file=upload(png(), "a.png"), user=user)
