from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "squaremile.directory"
    label = "directory"

    def ready(self):
        from squaremile.directory.registrations import register_all

        register_all()  # on an area's page, on "near me", in a person's data download
        # organisations as things people can follow
        from squaremile.directory import notifications  # noqa: F401
