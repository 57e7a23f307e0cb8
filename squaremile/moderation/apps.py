from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "squaremile.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from squaremile.audit import registry

        registry.register("report.outcome", "Reports decided")
