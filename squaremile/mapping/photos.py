"""Photos on map entries: checked by decoding (never by the file's name), turned the right way up,
shrunk to a sensible size and re-encoded, so no metadata (EXIF, GPS position, camera serials)
survives.

Settings: MAP_PHOTO_MAX_BYTES (default 5 MiB per file), MAP_PHOTO_MAX_EDGE (default 1600 px),
MAP_PHOTOS_PER_ENTRY (default 4).
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is large for a phone; anything bigger is refused unread


def max_bytes() -> int:
    return int(getattr(settings, "MAP_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def max_edge() -> int:
    return int(getattr(settings, "MAP_PHOTO_MAX_EDGE", 1600))


def max_photos() -> int:
    return int(getattr(settings, "MAP_PHOTOS_PER_ENTRY", 4))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


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


def process(upload) -> ProcessedPhoto:
    """Check and re-encode one uploaded file; ValidationError with a message a person can act on."""
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
    data = upload.read()
    not_photo = ValidationError(f"“{name}” is not a photo we can use: send a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in ALLOWED:
                    raise not_photo
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(f"“{name}” has too many pixels ({width}×{height}); take a smaller photo.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = _flatten(image, fmt)
                image.thumbnail((max_edge(), max_edge()), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                if fmt == "JPEG":
                    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
                elif fmt == "PNG":
                    image.save(out, "PNG", optimize=True)
                else:
                    image.save(out, "WEBP", quality=85)
                return ProcessedPhoto(out.getvalue(), ALLOWED[fmt], image.width, image.height, name)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise not_photo from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise not_photo from None


def _flatten(image: Image.Image, fmt: str) -> Image.Image:
    """A fresh image holding only pixels: no EXIF, XMP, ICC profile text or other chunks."""
    mode = image.mode
    if fmt == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    return clean
