from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        from squaremile.audit.services import register_people_actions
        from squaremile.directory import records

        register_people_actions("organisation")
        records.register()  # organisations and projects as cards and link targets (core/records.py)
        from squaremile.directory.registrations import register_all

        register_all()  # on an area's page, on "near me", in a person's data download
        # organisations as things people can follow
        from squaremile.directory import (
            importers,  # noqa: F401 - registers the organisation importer
            notifications,  # noqa: F401
        )
