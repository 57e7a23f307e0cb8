"""Photo uploads cost bounded time and memory: a small file that claims a huge canvas (a
decompression bomb) is refused from its header, quickly, with a message a person can act on; a
request's photos together are bounded; JPEGs are decoded at a reduced scale; ordinary phone photos
still go through, without their location."""

import functools
import io
import struct
import time
import zlib

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, JpegImagePlugin

from squaremile.accounts.tests.factories import UserFactory
from squaremile.attachments import uploads as photos
from squaremile.attachments.models import Attachment
from squaremile.mapping.entries import services
from squaremile.mapping.entries.forms import sign_started
from squaremile.mapping.models import Entry
from squaremile.mapping.tests.factories import CategoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")]
ADD = "/map/add/"
GPS = {1: "N", 2: (53.0, 48.0, 3.0), 3: "W", 4: (1.0, 32.0, 57.0)}


def flat_png(width: int, height: int, *, bilevel: bool = False) -> bytes:
    """A PNG of one flat colour, written row by row (never held decoded): a 6320×6320 one is the
    ~150 KB file of the issue, which decodes to 40 megapixels. `bilevel` (one bit a pixel) makes
    large ones quickly."""
    row = b"\x00" + (bytes((width + 7) // 8) if bilevel else bytes((120, 160, 90)) * width)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    depth, colour = (1, 0) if bilevel else (8, 2)  # 1-bit grey, or 8-bit RGB
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = flat_png(6320, 6320)
    assert len(data) < 200_000
    return data


@functools.cache
def phone_jpeg(size=(4032, 3024)) -> bytes:
    """A 12-megapixel phone photo with the camera's make and a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.MAP_MIN_SUBMIT_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


def form_data(category, **extra):
    return {"title": "Friday pantry", "category": str(category.pk), "description": "Food for all",
            "lat": "53.8", "lng": "-1.55", **extra}  # fmt: skip


# ---- the bomb ----------------------------------------------------------------------------------
def test_bomb_refused_from_its_header_quickly(bomb):
    started = time.process_time()  # CPU time: steady when the machine is busy
    with pytest.raises(ValidationError) as err:
        photos.prepare(upload(bomb, name="bomb.png"))
    elapsed = time.process_time() - started
    message = err.value.messages[0]
    assert "“bomb.png” has too many pixels (6,320×6,320" in message and "at most 24 megapixels" in message
    assert elapsed < 2, f"refusing the bomb took {elapsed:.2f} s: it was decoded"


def test_bomb_refused_through_the_form_for_a_member(client, bomb, category):
    client.force_login(UserFactory())
    assert client.get(ADD).status_code == 200  # the first request loads every URL and template: not timed
    started = time.process_time()  # CPU time: steady when the machine is busy
    response = client.post(ADD, {**form_data(category, title="Keep this"), "photos": [upload(bomb, name="bomb.png")]})
    elapsed = time.process_time() - started
    html = response.content.decode()
    assert response.status_code == 400
    assert "“bomb.png” has too many pixels" in html and 'value="Keep this"' in html
    assert elapsed < 4, f"the form took {elapsed:.2f} s"
    assert not Entry.objects.exists() and not Attachment.objects.exists()


def test_bomb_refused_through_the_form_for_an_anonymous_visitor(client, bomb, category, settings):
    settings.MAP_ANONYMOUS_SUBMISSIONS = True
    data = form_data(category, submitter_name="Ann", submitter_email="ann@example.org", started=sign_started())
    assert client.get(ADD).status_code == 200
    started = time.process_time()  # CPU time: steady when the machine is busy
    response = client.post(ADD, {**data, "photos": [upload(bomb, name=f"bomb{i}.png") for i in range(4)]})
    elapsed = time.process_time() - started
    assert response.status_code == 400 and "has too many pixels" in response.content.decode()
    assert elapsed < 4, f"four bombs took {elapsed:.2f} s"
    assert not Entry.objects.exists()


def test_bomb_refused_by_the_service_every_writer_goes_through(bomb, category):
    # The JSON API has no photo upload; any writer (form, API, import) stores photos through
    # services, which check them the same way.
    with pytest.raises(ValidationError) as err:
        services.entry_create(by=UserFactory(), title="Hall", category=category, lat=53.8, lng=-1.55,
                              photos=[upload(bomb, name="bomb.png")])  # fmt: skip
    assert "has too many pixels" in err.value.message_dict["photos"][0]
    assert not Entry.objects.exists()


def test_pixel_cap_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 40 * 30
    assert photos.prepare(upload(flat_png(40, 30))).width == 40
    with pytest.raises(ValidationError) as err:
        photos.prepare(upload(flat_png(40, 31)))
    assert "(40×31, 1,240 pixels); photos can have at most 1,200 pixels" in err.value.messages[0]


def test_pillow_bomb_limit_matches_the_setting(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.PHOTO_MAX_PIXELS


def test_photos_of_one_request_bounded_together():
    # Each just under the cap; together far more than one request may decode. Refused before any is read.
    near_cap = flat_png(4890, 4890, bilevel=True)
    started = time.process_time()  # CPU time: steady when the machine is busy
    with pytest.raises(ValidationError) as err:
        photos.prepare_all([upload(near_cap, name=f"p{i}.png") for i in range(3)])
    assert "too large together" in err.value.messages[0]
    assert time.process_time() - started < 2


# ---- ordinary photos ---------------------------------------------------------------------------
def test_phone_jpeg_decoded_at_reduced_scale_and_stripped(monkeypatch):
    scales = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        scales.append(self.decoderconfig[0] if result else 1)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    result = photos.prepare(upload(phone_jpeg(), name="IMG_0001.jpg", content_type="image/jpeg"))
    assert scales == [2], "the JPEG must be decoded at half size, not in full"
    assert (result.width, result.height) == (1600, 1200)
    assert b"Exif" not in result.content and b"PhoneMaker" not in result.content
    with Image.open(io.BytesIO(result.content)) as cleaned:
        assert not cleaned.getexif() and "exif" not in cleaned.info
        left, right = cleaned.getpixel((10, 600)), cleaned.getpixel((1590, 600))
        assert left[2] > left[0] and right[0] > right[2], "the picture survived the reduced decoding"


def test_phone_jpeg_with_gps_accepted_through_the_form_and_stored_without_it(client, category):
    client.force_login(UserFactory())
    data = phone_jpeg()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825), "the test photo must carry a GPS position"
    response = client.post(
        ADD, {**form_data(category), "photos": [upload(data, name="IMG_0001.jpg", content_type="image/jpeg")]}
    )
    assert response.status_code == 302
    photo = Entry.objects.get().attachments.get()
    with photo.file.open("rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as cleaned:
        assert cleaned.size == (1600, 1200) and not cleaned.getexif().get_ifd(0x8825)
    photo.file.delete(save=False)


def test_four_phone_photos_in_one_request_fit():
    four = [upload(phone_jpeg(), name=f"IMG_{i}.jpg", content_type="image/jpeg") for i in range(4)]
    assert [p.width for p in photos.prepare_all(four)] == [1600] * 4


def test_far_beyond_pillows_own_limit_still_a_clear_message():
    # Pillow itself refuses to open more than twice Image.MAX_IMAGE_PIXELS: the person still learns why.
    with pytest.raises(ValidationError) as err:
        photos.prepare(upload(flat_png(10000, 6000, bilevel=True), name="huge.png"))
    assert err.value.messages[0] == "“huge.png” has far too many pixels; photos can have at most 24 megapixels."
