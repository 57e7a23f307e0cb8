from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "squaremile.core"
    label = "core"
