from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "squaremile.network"
    label = "network"

    def ready(self):
        from squaremile.network.surveys import records

        records.register()  # surveys as cards and link targets (core/records.py)
        from squaremile.audit.services import register_people_actions

        register_people_actions("survey", "its organisers")
        # the network's notification kinds, and surveys as things organisers can follow
        from squaremile.network.surveys import notifications  # noqa: F401
        from squaremile.network.weaving import importers  # noqa: F401 - registers the tie importer
