"""Load representatives (ward councillors, MPs...) from a CSV file, all or nothing, as the web import at
/civic/representatives/import/ does.

    manage.py import_representatives FILE [--map name=NAME,area=WARD,party=PARTY] [--dry-run]

Re-importing the same list changes nothing but each row's "last checked" date (moved to the file's
date, or today): run it whenever the council publishes its list, so the dates shown stay current.
"""

from django.core.management.base import BaseCommand

from squaremile.civic.importers import REPRESENTATIVES
from squaremile.imports import command


class Command(BaseCommand):
    help = "Load representatives from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        command.add_arguments(parser, REPRESENTATIVES, by_help="email of the administrator to record as the importer")

    def handle(self, *args, **opts):
        command.run(
            self, REPRESENTATIVES, opts, refused="That person may not import representatives (administrators may)."
        )
