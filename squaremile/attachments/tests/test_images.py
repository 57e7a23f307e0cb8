"""Photos: decoded to check them, turned upright, shrunk, and re-encoded without any metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from squaremile.attachments import uploads as photos


def jpeg_with_gps(size=(40, 20), orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows which way is up
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera app 1.0"  # Software
    gps = {1: "N", 2: (53.0, 48.0, 3.0), 3: "W", 4: (1.0, 32.0, 57.0)}
    exif[0x8825] = gps  # GPSInfo
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def test_gps_and_other_exif_are_gone():
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825), "the test image must carry GPS data"
    result = photos.prepare(upload(data))
    assert result.extension == "jpg"
    assert b"Exif" not in result.content and b"PhoneMaker" not in result.content
    with Image.open(io.BytesIO(result.content)) as cleaned:
        assert cleaned.format == "JPEG"
        assert not cleaned.getexif()
        assert not cleaned.getexif().get_ifd(0x8825)
        assert "exif" not in cleaned.info


def test_orientation_applied_before_stripping():
    # Orientation 6: the camera held sideways; viewers rotate 90° clockwise to show it upright.
    result = photos.prepare(upload(jpeg_with_gps(size=(40, 20), orientation=6)))
    assert (result.width, result.height) == (20, 40)
    with Image.open(io.BytesIO(result.content)) as cleaned:
        top = cleaned.convert("RGB").getpixel((10, 2))
        assert top[2] > top[0], "after rotating, the blue half must be at the top"


def test_large_photo_shrunk_to_the_max_edge(settings):
    settings.ATTACHMENT_IMAGE_MAX_EDGE = 100
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "green").save(out, "JPEG")
    result = photos.prepare(upload(out.getvalue()))
    assert (result.width, result.height) == (100, 50)


@pytest.mark.parametrize("fmt,ext,mode", [("PNG", "png", "RGBA"), ("WEBP", "webp", "RGB"), ("PNG", "png", "P")])
def test_png_and_webp_accepted(fmt, ext, mode):
    out = io.BytesIO()
    image = Image.new(mode, (30, 30))
    meta = {}
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", "secret place 53.8,-1.5")
        meta["pnginfo"] = info
    image.save(out, fmt, **meta)
    result = photos.prepare(upload(out.getvalue(), name=f"x.{ext}", content_type=f"image/{ext}"))
    assert result.extension == ext
    assert b"secret place" not in result.content
    with Image.open(io.BytesIO(result.content)) as cleaned:
        assert cleaned.format == fmt


def test_not_an_image_refused_whatever_its_name():
    with pytest.raises(ValidationError) as err:
        photos.prepare(upload(b"<html><script>alert(1)</script></html>", name="cat.jpg"))
    assert "JPEG, PNG or WebP" in err.value.messages[0]


def test_other_image_formats_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError):
        photos.prepare(upload(out.getvalue(), name="x.gif"))


def test_truncated_image_refused():
    data = jpeg_with_gps(size=(200, 200))
    with pytest.raises(ValidationError):
        photos.prepare(upload(data[: len(data) // 3]))


def test_oversize_refused_before_decoding(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as err:
        photos.prepare(upload(b"x" * 1001))
    assert "too big" in err.value.messages[0]


def test_decompression_bomb_refused():
    # A tiny PNG that claims a huge canvas: refused from its header, never decoded in full.
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValidationError):
        photos.prepare(upload(out.getvalue(), name="bomb.png"))


def test_empty_file_refused():
    with pytest.raises(ValidationError):
        photos.prepare(upload(b""))


def test_the_old_map_setting_names_are_still_read(settings):
    from squaremile.attachments import images

    del settings.ATTACHMENT_MAX_BYTES
    del settings.ATTACHMENT_IMAGE_MAX_EDGE
    settings.MAP_PHOTO_MAX_BYTES = 1234
    settings.MAP_PHOTO_MAX_EDGE = 321
    assert (images.max_bytes(), images.max_edge()) == (1234, 321)
    settings.ATTACHMENT_MAX_BYTES = 99
    assert images.max_bytes() == 99
