from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "squaremile.places"
    label = "places"
