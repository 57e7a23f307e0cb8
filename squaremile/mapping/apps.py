from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"

    def ready(self):
        from squaremile.audit import registry
        from squaremile.mapping.models import EntryAction, audit_action

        for action in EntryAction:
            quiet = action in (EntryAction.PHOTO_ADDED, EntryAction.PHOTO_REMOVED)
            registry.register(audit_action(action.value), action.label, show_changes=not quiet)
        # the map's notification kinds, and entries and categories as things people can follow
        from squaremile.mapping import (
            moderation,  # noqa: F401  (registers entries with the moderation queue)
            notifications,  # noqa: F401
        )
