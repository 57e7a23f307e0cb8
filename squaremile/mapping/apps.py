from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"

    def ready(self):
        # the map's notification kinds, and entries and categories as things people can follow
        from squaremile.mapping import notifications  # noqa: F401
