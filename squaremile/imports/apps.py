from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "squaremile.imports"
    label = "imports"
    verbose_name = "Imports"
