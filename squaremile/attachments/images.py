"""Images: checked by decoding (never by the file's name), turned the right way up, shrunk to a
sensible size and re-encoded, so no metadata (EXIF, GPS position, camera serials) survives; a small
rendition (the thumbnail) is made from the cleaned picture.

Cost is bounded before any pixel is decoded: the file's size (`uploads.read`), then its header
(format and width × height) are checked, and an image with more than PHOTO_MAX_PIXELS pixels is
refused unread. A JPEG is decoded at a reduced scale (1/2 … 1/8, `Image.draft`) close to the size
it is shrunk to; other formats are reduced by an integer factor straight after decoding, so that
only one full-size copy ever exists. `uploads.prepare_all` checks every header of a request first
and refuses the lot when together they would decode more than PHOTO_MAX_PIXELS_PER_REQUEST pixels.

Settings (the older MAP_PHOTO_* names are still read when the new one is not set):
ATTACHMENT_MAX_BYTES (MAP_PHOTO_MAX_BYTES; default 5 MiB per file), ATTACHMENT_IMAGE_MAX_EDGE
(MAP_PHOTO_MAX_EDGE; default 1600 px), ATTACHMENT_THUMBNAIL_EDGE (default 400 px),
ATTACHMENTS_PER_OWNER (MAP_PHOTOS_PER_ENTRY; default 4), PHOTO_MAX_PIXELS (default 24 million),
PHOTO_MAX_PIXELS_PER_REQUEST (default 48 million).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DEFAULT_MAX_PIXELS = 24_000_000  # a 24-megapixel photo is large for a phone; anything bigger is refused unread
# EXIF orientation -> the transpose that shows the picture upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _setting(name: str, old: str | None, default: int) -> int:
    """A limit from settings: the attachments name, else the map's older name (still honoured), else `default`."""
    value = getattr(settings, name, None)
    if value is None and old:
        value = getattr(settings, old, None)
    return int(default if value is None else value)


def max_bytes() -> int:
    return _setting("ATTACHMENT_MAX_BYTES", "MAP_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def max_edge() -> int:
    return _setting("ATTACHMENT_IMAGE_MAX_EDGE", "MAP_PHOTO_MAX_EDGE", 1600)


def thumbnail_edge() -> int:
    return _setting("ATTACHMENT_THUMBNAIL_EDGE", None, 400)


def max_per_owner() -> int:
    return _setting("ATTACHMENTS_PER_OWNER", "MAP_PHOTOS_PER_ENTRY", 4)


def max_pixels() -> int:
    return _setting("PHOTO_MAX_PIXELS", None, DEFAULT_MAX_PIXELS)


def max_request_pixels() -> int:
    return _setting("PHOTO_MAX_PIXELS_PER_REQUEST", None, 2 * max_pixels())


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def megapixels(n: int) -> str:
    if n < 1_000_000:
        return f"{n:,} pixels"
    return f"{n / 1_000_000:.0f} megapixels" if n >= 10_000_000 else f"{n / 1_000_000:.1f} megapixels"


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels only, and its thumbnail (same format)."""

    content: bytes
    format: str
    width: int
    height: int
    thumbnail: bytes

    @property
    def extension(self) -> str:
        return ALLOWED[self.format]

    @property
    def mime(self) -> str:
        return MIME[self.format]


class NotAnImage(Exception):
    """The bytes are no image Pillow knows (the caller may try other kinds of file)."""


@dataclass(frozen=True)
class Checked:
    """An upload whose size and header passed: its bytes, format and the pixels decoding will cost."""

    name: str
    data: bytes
    format: str
    size: tuple[int, int]
    cost: int


def not_photo(name: str) -> ValidationError:
    return ValidationError(f"“{name}” is not a photo we can use: send a JPEG, PNG or WebP image.")


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """The size `size` is shrunk to so that its longer side is at most `edge` (never enlarged)."""
    width, height = size
    scale = min(1.0, edge / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _jpeg_scale(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The reduction (8, 4, 2 or 1) the JPEG decoder applies for `Image.draft(…, target)`."""
    scale = min(size[0] // target[0], size[1] // target[1])
    return next(s for s in (8, 4, 2, 1) if scale >= s)


def check_header(name: str, data: bytes) -> Checked:
    """Read the header only: NotAnImage when the bytes are no image at all; ValidationError when it is
    an image we do not take, broken, or with too many pixels. Nothing is decoded here."""
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            fmt = probe.format
            if fmt not in ALLOWED:
                raise not_photo(name)
            width, height = probe.size
            pixels = width * height
            if width < 1 or height < 1:
                raise not_photo(name)
            if pixels > max_pixels():
                raise ValidationError(
                    f"“{name}” has too many pixels ({width:,}×{height:,}, {megapixels(pixels)}); photos can have "
                    f"at most {megapixels(max_pixels())}. Send a smaller photo or shrink it first."
                )
            probe.verify()  # the chunks' checksums (PNG) and structure, still without decoding
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit (twice PHOTO_MAX_PIXELS) met while reading the header
        raise ValidationError(
            f"“{name}” has far too many pixels; photos can have at most {megapixels(max_pixels())}."
        ) from None
    except UnidentifiedImageError:
        raise NotAnImage(name) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise not_photo(name) from None
    target = _fit((width, height), max_edge())
    if fmt == "JPEG":
        scale = _jpeg_scale((width, height), target)
        cost = math.ceil(width / scale) * math.ceil(height / scale)
    else:
        cost = pixels
    return Checked(name=name, data=data, format=fmt, size=(width, height), cost=cost)


def decode(checked: Checked) -> CleanImage:
    """Decode at a reduced size, turn upright, keep only the pixels, shrink, re-encode, and make the
    thumbnail from the cleaned picture."""
    name, fmt = checked.name, checked.format
    try:
        with Image.open(io.BytesIO(checked.data)) as image:
            orientation = image.getexif().get(0x0112)
            target = _fit(image.size, max_edge())
            if fmt == "JPEG":
                image.draft(None, target)  # the decoder itself scales down by 1/2, 1/4 or 1/8
            image.load()
            factor = min(image.width // target[0], image.height // target[1])
            # Reduce by a whole factor straight away (box averaging, leaving between one and two
            # times the target for the high-quality resize): the full-size image is the only large
            # copy, and it goes when this block ends.
            picture = image
            if factor >= 2:
                if picture.mode not in ("L", "LA", "RGB", "RGBA"):  # palette, bilevel, 16-bit: average
                    picture = picture.convert(_plain_mode(picture, fmt))  # colours, not palette indices
                picture = picture.reduce(factor)
            if orientation in _UPRIGHT:
                picture = picture.transpose(_UPRIGHT[orientation])
            picture = _flatten(picture, fmt)
        picture.thumbnail((max_edge(), max_edge()), Image.Resampling.LANCZOS)
        content = _encode(picture, fmt)
        small = picture.copy()
        small.thumbnail((thumbnail_edge(), thumbnail_edge()), Image.Resampling.LANCZOS)
        return CleanImage(content, fmt, picture.width, picture.height, _encode(small, fmt))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        raise not_photo(name) from None


def _encode(picture: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=85)
    return out.getvalue()


def thumbnail_of(data: bytes) -> tuple[bytes, str] | None:
    """A thumbnail (bytes, extension) of an image that is already clean (re-encoded, no metadata),
    e.g. one stored before thumbnails existed; None when it cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if fmt not in ALLOWED or image.width * image.height > max_pixels():
                return None
            edge = thumbnail_edge()
            if fmt == "JPEG":
                image.draft(None, (edge, edge))
            image.load()
            picture = _flatten(image, fmt)
        picture.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        return _encode(picture, fmt), ALLOWED[fmt]
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return None


def _plain_mode(image: Image.Image, fmt: str) -> str:
    """The mode the re-encoded photo is written in: grey or colour, with alpha where it had some."""
    if fmt == "JPEG":
        return "L" if image.mode in ("L", "1") else "RGB"
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image.mode
    return "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"


def _flatten(image: Image.Image, fmt: str) -> Image.Image:
    """A fresh image holding only pixels: no EXIF, XMP, ICC profile text or other chunks."""
    mode = _plain_mode(image, fmt)
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    return clean
