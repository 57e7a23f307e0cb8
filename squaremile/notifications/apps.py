from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "squaremile.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Areas sit below this app, so this app makes them followable (places cannot import it).
        from squaremile.notifications import builtin  # noqa: F401
