"""Map entries as records others can link to and show as cards (core/records.py)."""

from squaremile.core.records import RecordKind, register_kind
from squaremile.core.text import plain_text
from squaremile.mapping.entries.selectors import can_view_entry
from squaremile.mapping.models import Entry


def _image(entry: Entry) -> str:
    photo = entry.attachments.first()
    return photo.thumbnail_url if photo else ""


def register() -> None:
    register_kind(
        RecordKind(
            model=Entry,
            label="Map entry",
            visible=can_view_entry,
            title=lambda entry: entry.title,
            summary=lambda entry: plain_text(entry.description or "", 160),
            meta=lambda entry: entry.category.name,
            image=_image,
            url_names={"mapping:entry_detail": "pk"},
        )
    )
