from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "squaremile.core"
    label = "core"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb limit, for any image decoded in this process: the same
        # cap the photo checks apply from the header (Pillow warns above it and refuses above twice it).
        Image.MAX_IMAGE_PIXELS = int(getattr(settings, "PHOTO_MAX_PIXELS", 24_000_000))
