from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "squaremile.stories"
    label = "stories"
    verbose_name = "Stories"
