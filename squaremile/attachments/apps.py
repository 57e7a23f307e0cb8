from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "squaremile.attachments"
    label = "attachments"
    verbose_name = "Attachments"

    def ready(self):
        from squaremile.attachments import signals  # noqa: F401  (connects the file clean-up)
