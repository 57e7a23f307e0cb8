"""Areas as records others can link to and show as cards (core/records.py)."""

from squaremile.core.records import RecordKind, register_kind
from squaremile.places.models import Area


def register() -> None:
    register_kind(
        RecordKind(
            model=Area,
            label="Area",
            visible=lambda user, area: True,
            title=lambda area: area.name,
            meta=lambda area: area.get_kind_display() if hasattr(area, "get_kind_display") else "",
            url_names={"places:area_detail": "slug"},
            url_field="slug",
        )
    )
