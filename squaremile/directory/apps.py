from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        from squaremile.directory.area_listings import register_listings

        register_listings()  # organisations and projects on an area's page and on "near me"
