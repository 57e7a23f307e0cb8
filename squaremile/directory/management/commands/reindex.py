from django.core.management.base import BaseCommand
from django.db import transaction

from squaremile.core.models import SearchDocument
from squaremile.directory.models import Organisation, Project
from squaremile.directory.services import index_organisation, index_project


class Command(BaseCommand):
    help = "Rebuild the search index of the directory (organisations and projects) from the records."

    def handle(self, *args, **options):
        with transaction.atomic():
            SearchDocument.objects.filter(kind__in=["organisation", "project"]).delete()
            n = 0
            orgs = Organisation.objects.prefetch_related("skills", "resources").order_by("pk")
            for org in orgs.iterator(chunk_size=1000):
                index_organisation(org)
                n += 1
            for project in Project.objects.order_by("pk").iterator(chunk_size=1000):
                index_project(project)
                n += 1
        self.stdout.write(self.style.SUCCESS(f"Indexed {n} records."))
