"""What a file is, is read from its content: never from its name or the type the browser claims."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from squaremile.attachments import uploads
from squaremile.attachments.tests.conftest import jpeg_with_gps, png, upload

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def test_a_png_named_jpg_is_taken_as_a_png():
    item = uploads.prepare(upload(png(), "holiday.jpg", "image/jpeg"))
    assert (item.kind, item.extension, item.mime) == ("image", "png", "image/png")
    assert item.original_name == "holiday.jpg"
    with Image.open(io.BytesIO(item.content)) as stored:
        assert stored.format == "PNG"


@pytest.mark.parametrize("kinds", [("image",), ("image", "file")])
@pytest.mark.parametrize(
    "data,name", [(SVG, "logo.png"), (SVG, "drawing.svg"), (HTML, "page.jpg"), (HTML, "notes.txt"),
                  (b"  \n<svg onload=alert(1)>", "x.csv")],
)  # fmt: skip
def test_svg_and_html_are_refused_whatever_the_name(data, name, kinds):
    with pytest.raises(ValidationError) as err:
        uploads.prepare(upload(data, name, "image/png"), kinds=kinds)
    assert "web page or an SVG drawing" in err.value.messages[0]


def test_a_pdf_and_text_files_are_taken_as_files_when_the_owner_takes_files():
    pdf = uploads.prepare(upload(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF", "minutes.exe"), kinds=("image", "file"))
    assert (pdf.kind, pdf.extension, pdf.mime) == ("file", "pdf", "application/pdf")
    csv = uploads.prepare(upload("name,place\nCafé,Hall\n".encode(), "groups.csv"), kinds=("file",))
    assert (csv.extension, csv.mime) == ("csv", "text/csv")
    text = uploads.prepare(upload(b"Bring a flask.\r\n", "notes"), kinds=("file",))
    assert (text.extension, text.mime) == ("txt", "text/plain")


def test_files_are_refused_where_only_photos_are_taken():
    with pytest.raises(ValidationError) as err:
        uploads.prepare(upload(b"%PDF-1.7\n%%EOF", "poster.pdf"), kinds=("image",))
    assert "not a photo we can use" in err.value.messages[0]


def test_binary_that_is_no_known_kind_is_refused():
    with pytest.raises(ValidationError) as err:
        uploads.prepare(upload(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "setup.pdf"), kinds=("image", "file"))
    assert "not a file we can take" in err.value.messages[0]


def test_an_image_file_is_never_taken_as_a_plain_file():
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(ValidationError):
        uploads.prepare(upload(gif.getvalue(), "a.txt"), kinds=("image", "file"))


def test_the_name_is_cleaned_and_never_a_path():
    item = uploads.prepare(upload(png(), "../../etc/\u202epasswd\x00.png"))
    assert item.original_name == "passwd.png"
    assert uploads.clean_name("C:\\Users\\ann\\IMG 1.jpg") == "IMG 1.jpg"


def test_gps_gone_from_the_photo_and_its_thumbnail():
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825), "the test photo must carry a GPS position"
    item = uploads.prepare(upload(data, "IMG_0001.jpg", "image/jpeg"))
    assert item.thumbnail, "a thumbnail is made at upload"
    for content in (item.content, item.thumbnail):
        assert b"PhoneMaker" not in content and b"Exif" not in content
        with Image.open(io.BytesIO(content)) as cleaned:
            assert not cleaned.getexif() and not cleaned.getexif().get_ifd(0x8825)
    with Image.open(io.BytesIO(item.thumbnail)) as thumb:
        assert max(thumb.size) == 400 and thumb.size == (400, 267)
