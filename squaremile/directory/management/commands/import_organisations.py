"""Import organisations into the directory from a CSV, all or nothing, as the web import does.

    manage.py import_organisations FILE [--map name=Organisation,postcode=PC,external_id=Ref] [--dry-run]
                                        [--by EMAIL]

Columns not named in --map are guessed from the header. Every bad row is printed with its number;
when any row is bad nothing is applied and the exit status is 1. Importing the same file again
changes nothing (rows are matched by external id, else by name and postcode).
"""

from django.core.management.base import BaseCommand

from squaremile.directory.importers import ORGANISATIONS
from squaremile.imports import command


class Command(BaseCommand):
    help = "Import organisations from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        command.add_arguments(
            parser, ORGANISATIONS, by_help="email of the moderator to record as the importer and owner"
        )

    def handle(self, *args, **opts):
        command.run(
            self, ORGANISATIONS, opts, refused="That person may not import organisations (moderators and admins may)."
        )
