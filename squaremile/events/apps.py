from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "squaremile.events"
    label = "events"
    verbose_name = "Events"
