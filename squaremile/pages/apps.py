from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "squaremile.pages"
    label = "pages"
    verbose_name = "Site pages"
