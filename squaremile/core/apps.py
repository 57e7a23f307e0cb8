from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "squaremile.core"
    label = "core"

    def ready(self):
        from squaremile.core import checks  # noqa: F401  (registers them)
        from squaremile.core.signals import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="squaremile.core.after_migrate")
