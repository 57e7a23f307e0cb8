from django.apps import AppConfig


class CivicConfig(AppConfig):
    name = "squaremile.civic"
    label = "civic"
    verbose_name = "Civic"
