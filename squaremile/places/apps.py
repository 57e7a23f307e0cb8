from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "squaremile.places"
    label = "places"

    def ready(self):
        from squaremile.places import records

        records.register()  # areas as cards and link targets (core/records.py)
        from squaremile.places import importers  # noqa: F401  (the gazetteer's importer, for the worker too)
