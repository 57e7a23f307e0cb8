from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        from squaremile.audit import registry as audit_labels
        from squaremile.directory import records

        for key, label in (
            ("organisation.person_added", "A person was added to its people"),
            ("organisation.person_removed", "A person was removed from its people"),
            ("organisation.person_left", "A person left its people"),
        ):
            audit_labels.register(key, label)
        records.register()  # organisations and projects as cards and link targets (core/records.py)
        from squaremile.directory.registrations import register_all

        register_all()  # on an area's page, on "near me", in a person's data download
        # organisations as things people can follow
        from squaremile.directory import (
            importers,  # noqa: F401 - registers the organisation importer
            notifications,  # noqa: F401
        )
