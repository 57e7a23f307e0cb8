from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "squaremile.network"
    label = "network"

    def ready(self):
        from squaremile.network import importers  # noqa: F401 - registers the tie importer
