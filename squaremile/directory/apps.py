from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        # organisations as things people can follow
        from squaremile.directory import notifications  # noqa: F401
