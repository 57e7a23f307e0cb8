"""Files that are not images: what they are is read from their first bytes, never from their name.

Taken: PDF (starts with `%PDF-`) and plain text or CSV (UTF-8 or Windows-1252 text without control
characters). Refused whatever their name says: HTML, SVG, XML and anything else that a browser could
run or render as a page (markup is looked for in the text's first bytes), and every other kind.
A file is stored as it was sent, under a name of our own with the extension of the detected kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# Markup a browser would render (and run scripts in): looked for near the start of any text.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|a\s|img|style)", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
SNIFF = 8192


@dataclass(frozen=True)
class FileKind:
    extension: str
    mime: str
    label: str


PDF = FileKind("pdf", "application/pdf", "PDF")
TEXT = FileKind("txt", "text/plain", "text")
CSV = FileKind("csv", "text/csv", "CSV")


def markup_refusal(name: str) -> ValidationError:
    return ValidationError(
        f"“{name}” is a web page or an SVG drawing, which can carry code that runs in a browser, so it "
        "cannot be added. Send a JPEG, PNG or WebP photo, a PDF, or a plain text file instead."
    )


def looks_like_markup(data: bytes) -> bool:
    head = data[:SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or bool(_MARKUP.search(data[:SNIFF]))


def _is_text(data: bytes) -> bool:
    if _CONTROL.search(data):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(name: str, data: bytes) -> FileKind | None:
    """The kind of file `data` is (by content), None when we do not take it; ValidationError for
    markup (HTML, SVG), so that the person learns why."""
    if data.startswith(b"%PDF-"):
        return PDF
    if looks_like_markup(data):
        raise markup_refusal(name)
    if _is_text(data):
        return CSV if name.lower().endswith(".csv") else TEXT
    return None
