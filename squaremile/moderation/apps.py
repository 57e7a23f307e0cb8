from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "squaremile.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from squaremile.notifications import kinds

        kinds.register(
            "moderation.report_decided",
            label="What happened to something you reported",
            description="When a moderator has looked at something you reported.",
            default="immediate",
        )
