"""Photos on map entries: checked by decoding (never by the file's name), turned the right way up,
shrunk to a sensible size and re-encoded, so no metadata (EXIF, GPS position, camera serials)
survives.

Cost is bounded before any pixel is decoded: the file's size, then its header (format and width ×
height) are checked, and an image with more than PHOTO_MAX_PIXELS pixels is refused unread. A JPEG
is decoded at a reduced scale (1/2 … 1/8, `Image.draft`) close to the size it is shrunk to; other
formats are reduced by an integer factor straight after decoding, so that only one full-size copy
ever exists. `process_all` checks every header of a request first and refuses the lot when
together they would decode more than PHOTO_MAX_PIXELS_PER_REQUEST pixels.

Settings: MAP_PHOTO_MAX_BYTES (default 5 MiB per file), MAP_PHOTO_MAX_EDGE (default 1600 px),
MAP_PHOTOS_PER_ENTRY (default 4), PHOTO_MAX_PIXELS (default 24 million),
PHOTO_MAX_PIXELS_PER_REQUEST (default 48 million).
"""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
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


def max_bytes() -> int:
    return int(getattr(settings, "MAP_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def max_edge() -> int:
    return int(getattr(settings, "MAP_PHOTO_MAX_EDGE", 1600))


def max_photos() -> int:
    return int(getattr(settings, "MAP_PHOTOS_PER_ENTRY", 4))


def max_pixels() -> int:
    return int(getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def max_request_pixels() -> int:
    return int(getattr(settings, "PHOTO_MAX_PIXELS_PER_REQUEST", 2 * max_pixels()))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _megapixels(n: int) -> str:
    if n < 1_000_000:
        return f"{n:,} pixels"
    return f"{n / 1_000_000:.0f} megapixels" if n >= 10_000_000 else f"{n / 1_000_000:.1f} megapixels"


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    extension: str
    width: int
    height: int
    original_name: str = ""

    @property
    def filename(self) -> str:
        return f"{uuid.uuid4().hex}.{self.extension}"

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.filename)


@dataclass(frozen=True)
class _Checked:
    """An upload whose size and header passed: its bytes, format and the pixels decoding will cost."""

    name: str
    data: bytes
    format: str
    size: tuple[int, int]
    cost: int


def _not_photo(name: str) -> ValidationError:
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


def _check(upload) -> _Checked:
    """Read the file and its header only: refused (ValidationError) when too big, empty, not an
    image we take, or with too many pixels. Nothing is decoded here."""
    name = getattr(upload, "name", "") or "photo"
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is None:
        data = upload.read(limit + 1)
        size = len(data)
        if hasattr(upload, "seek"):
            upload.seek(0)
    if size > limit:
        raise ValidationError(f"“{name}” is too big ({_megabytes(size)}); photos can be at most {_megabytes(limit)}.")
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"“{name}” is too big; photos can be at most {_megabytes(limit)}.")
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            fmt = probe.format
            if fmt not in ALLOWED:
                raise _not_photo(name)
            width, height = probe.size
            pixels = width * height
            if width < 1 or height < 1:
                raise _not_photo(name)
            if pixels > max_pixels():
                raise ValidationError(
                    f"“{name}” has too many pixels ({width:,}×{height:,}, {_megapixels(pixels)}); photos can have "
                    f"at most {_megapixels(max_pixels())}. Send a smaller photo or shrink it first."
                )
            probe.verify()  # the chunks' checksums (PNG) and structure, still without decoding
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit (twice PHOTO_MAX_PIXELS) met while reading the header
        raise ValidationError(
            f"“{name}” has far too many pixels; photos can have at most {_megapixels(max_pixels())}."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_photo(name) from None
    target = _fit((width, height), max_edge())
    if fmt == "JPEG":
        scale = _jpeg_scale((width, height), target)
        cost = math.ceil(width / scale) * math.ceil(height / scale)
    else:
        cost = pixels
    return _Checked(name=name, data=data, format=fmt, size=(width, height), cost=cost)


def _decode(checked: _Checked) -> ProcessedPhoto:
    """Decode at a reduced size, turn upright, keep only the pixels, shrink and re-encode."""
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
        out = io.BytesIO()
        if fmt == "JPEG":
            picture.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        elif fmt == "PNG":
            picture.save(out, "PNG", optimize=True)
        else:
            picture.save(out, "WEBP", quality=85)
        return ProcessedPhoto(out.getvalue(), ALLOWED[fmt], picture.width, picture.height, name)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_photo(name) from None


def process(upload) -> ProcessedPhoto:
    """Check and re-encode one uploaded file; ValidationError with a message a person can act on."""
    return process_all([upload])[0]


def process_all(uploads: Sequence) -> list[ProcessedPhoto]:
    """Check every upload's size and header first, then the request's total, and only then decode
    them one by one (so at most one photo is in memory decoded). ValidationError lists every problem."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(_check(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    total = sum(c.cost for c in checked)
    if total > max_request_pixels():
        raise ValidationError(
            f"These photos are too large together ({_megapixels(total)} to read); send fewer at once, or smaller ones."
        )
    processed = []
    for item in checked:
        try:
            processed.append(_decode(item))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return processed


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
