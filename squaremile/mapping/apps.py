from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "squaremile.mapping"
    label = "mapping"
