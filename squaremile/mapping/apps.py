from django.apps import AppConfig
from django.conf import settings


def _photos_per_entry() -> int:
    return int(getattr(settings, "MAP_PHOTOS_PER_ENTRY", 4))


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"

    def ready(self):
        from squaremile.mapping.entries import records

        records.register()  # entries as cards and link targets (core/records.py)
        from squaremile.audit import registry
        from squaremile.mapping.models import EntryAction, audit_action

        for action in EntryAction:
            quiet = action in (EntryAction.PHOTO_ADDED, EntryAction.PHOTO_REMOVED)
            registry.register(audit_action(action.value), action.label, show_changes=not quiet)
        # the map's notification kinds, and entries and categories as things people can follow
        from squaremile.attachments.registry import register
        from squaremile.mapping.entries import (
            moderation,  # noqa: F401  (registers entries with the moderation queue)
            notifications,  # noqa: F401
        )
        from squaremile.mapping.io import imports  # noqa: F401 - registers the map's importer
        from squaremile.mapping.models import Entry

        # An entry's photos: images only, added by whoever may change the entry.
        register(Entry, action="entry.change", kinds=("image",), max_count=_photos_per_entry)
