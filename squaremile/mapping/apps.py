from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"

    def ready(self):
        from squaremile.mapping import imports  # noqa: F401 - registers the map's importer
