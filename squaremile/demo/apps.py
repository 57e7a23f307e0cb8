from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "squaremile.demo"
    label = "demo"
