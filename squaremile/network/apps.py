from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "squaremile.network"
    label = "network"
