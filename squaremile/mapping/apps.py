from django.apps import AppConfig
from django.conf import settings


def _photos_per_entry() -> int:
    return int(getattr(settings, "MAP_PHOTOS_PER_ENTRY", 4))


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"

    def ready(self):
        from squaremile.attachments.registry import register
        from squaremile.mapping.models import Entry

        # An entry's photos: images only, added by whoever may change the entry.
        register(Entry, action="entry.change", kinds=("image",), max_count=_photos_per_entry)
