from django.apps import AppConfig


class MethodsConfig(AppConfig):
    name = "squaremile.methods"
    label = "methods"
    verbose_name = "Methods"
