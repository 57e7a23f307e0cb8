from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "squaremile.core"
    label = "core"

    def ready(self):
        from squaremile.core import checks  # noqa: F401  (registers them)
        from squaremile.core.signals import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="squaremile.core.after_migrate")
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb limit, for any image decoded in this process: the same
        # cap the photo checks apply from the header (Pillow warns above it and refuses above twice it).
        Image.MAX_IMAGE_PIXELS = int(getattr(settings, "PHOTO_MAX_PIXELS", 24_000_000))
