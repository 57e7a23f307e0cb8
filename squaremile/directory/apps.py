from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        from squaremile.directory import importers  # noqa: F401 - registers the organisation importer
