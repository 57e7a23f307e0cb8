"""From an uploaded file to something safe to store: `prepare_all` reads each upload's size and
header first, bounds what the whole request may decode, then re-encodes images (no metadata, a
thumbnail made) and checks other files by their first bytes. Names sent by the browser are kept
only as text to show (cleaned), never as a path."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from squaremile.attachments import files, images

IMAGE, FILE = "image", "file"
KINDS = (IMAGE, FILE)


@dataclass(frozen=True)
class Prepared:
    """An upload checked and made safe: an image re-encoded (with its thumbnail), or a file as sent."""

    kind: str
    content: bytes
    extension: str
    mime: str
    original_name: str
    width: int = 0
    height: int = 0
    thumbnail: bytes = b""

    @property
    def size(self) -> int:
        return len(self.content)


def clean_name(raw: str) -> str:
    """The name a person gave their file, to show: its last part only, without control characters,
    at most 200 characters. Never used to build a path."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name or "file"


def _refused(name: str, kinds: Iterable[str]) -> ValidationError:
    if FILE in kinds:
        return ValidationError(
            f"“{name}” is not a file we can take: send a JPEG, PNG or WebP photo, a PDF, or a plain text or CSV file."
        )
    return images.not_photo(name)


def read(upload) -> tuple[str, bytes]:
    """The upload's cleaned name and bytes, refused (ValidationError) when too big or empty before
    more than the limit is read."""
    name = clean_name(getattr(upload, "name", "") or "file")
    limit = images.max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"“{name}” is too big ({images.megabytes(size)}); files can be at most {images.megabytes(limit)}."
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > limit:
        raise ValidationError(f"“{name}” is too big; files can be at most {images.megabytes(limit)}.")
    if not data:
        raise ValidationError(f"“{name}” is empty.")
    return name, data


def prepare(upload, *, kinds: Sequence[str] = (IMAGE,)) -> Prepared:
    """Check and make safe one uploaded file; ValidationError with a message a person can act on."""
    return prepare_all([upload], kinds=kinds)[0]


def prepare_all(uploads: Sequence, *, kinds: Sequence[str] = (IMAGE,)) -> list[Prepared]:
    """Check every upload's size and header first, then the request's total pixels, and only then
    decode the images one by one (so at most one is in memory decoded). Uploads that are already
    `Prepared` pass through. ValidationError lists every problem."""
    steps: list = []  # per upload: Prepared (done), images._Checked (to decode), or None (refused)
    errors: list[str] = []
    for upload in uploads:
        if isinstance(upload, Prepared):
            steps.append(upload)
            continue
        try:
            name, data = read(upload)
            steps.append(_check(name, data, kinds))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    total = sum(s.cost for s in steps if isinstance(s, images.Checked))
    if total > images.max_request_pixels():
        raise ValidationError(
            f"These photos are too large together ({images.megapixels(total)} to read); "
            "send fewer at once, or smaller ones."
        )
    done: list[Prepared] = []
    for step in steps:
        if not isinstance(step, images.Checked):
            done.append(step)
            continue
        try:
            clean = images.decode(step)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        done.append(
            Prepared(
                kind=IMAGE,
                content=clean.content,
                extension=clean.extension,
                mime=clean.mime,
                original_name=step.name,
                width=clean.width,
                height=clean.height,
                thumbnail=clean.thumbnail,
            )  # fmt: skip
        )
    if errors:
        raise ValidationError(errors)
    return done


def _check(name: str, data: bytes, kinds: Sequence[str]):
    """An image's checked header (decoded later), a file made Prepared, or ValidationError."""
    try:
        checked = images.check_header(name, data)
    except images.NotAnImage:
        checked = None
    if checked is not None:
        if IMAGE not in kinds:
            raise _refused(name, kinds)
        return checked
    if files.looks_like_markup(data):  # SVG and HTML: refused with their own words, whatever is allowed
        raise files.markup_refusal(name)
    if FILE not in kinds:
        raise _refused(name, kinds)
    kind = files.sniff(name, data)
    if kind is None:
        raise _refused(name, kinds)
    return Prepared(kind=FILE, content=data, extension=kind.extension, mime=kind.mime, original_name=name)
