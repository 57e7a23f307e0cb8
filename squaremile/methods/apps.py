from django.apps import AppConfig


class MethodsConfig(AppConfig):
    name = "squaremile.methods"
    label = "methods"
    verbose_name = "Methods"

    def ready(self):
        from squaremile.methods import moderation, records, registrations  # noqa: F401
