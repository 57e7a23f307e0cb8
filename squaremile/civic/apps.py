from django.apps import AppConfig


class CivicConfig(AppConfig):
    name = "squaremile.civic"
    label = "civic"
    verbose_name = "Civic"

    def ready(self):
        from squaremile.attachments.registry import register
        from squaremile.civic import (
            importers,  # noqa: F401 - registers the representatives importer
            moderation,  # noqa: F401 - questions to representatives in the moderation queue
            notifications,  # noqa: F401 - kinds and followable models
            records,
            replies,
        )
        from squaremile.civic.models import Report

        records.register()
        replies.register()  # replies by e-mail from bodies and representatives
        from squaremile.accounts.data_export import register_part

        register_part("civic", records.data_of)  # a person's reports, updates, questions in their download
        from django.urls import reverse

        from squaremile.mapping.layers import MapLayer, register_layer

        register_layer(
            MapLayer(
                key="reports", label="Problem reports", url=lambda: reverse("civic:map_layer"), colour="#b35c00",
                description="Problems reported to councils and agencies, with their status.",
            )
        )  # fmt: skip
        # a report's photos: images only, added with the report (its owner or a moderator later)
        register(Report, action="report.change", kinds=("image",), max_count=4)
