"""Load the gazetteer (the place names people type for "my square mile" and "near me") from a CSV or
GeoJSON file, all or nothing, as the web import at /areas/gazetteer/import/ does.

    manage.py import_gazetteer FILE [--map name=NAME1,kind=LOCAL_TYPE,context=POPULATED_PLACE] [--dry-run]

Columns not named in --map are guessed from the header. Every bad row is printed with its number;
when any row is bad nothing is applied and the exit status is 1. Loading the same file again adds
nothing twice (a place is its name, kind and context) and moves the points that changed.
"""

from django.core.management.base import BaseCommand

from squaremile.imports import command
from squaremile.places.importers import GAZETTEER


class Command(BaseCommand):
    help = "Load gazetteer places (streets, postcodes, landmarks, localities) from a file (all rows or none)."

    def add_arguments(self, parser):
        command.add_arguments(parser, GAZETTEER, by_help="email of the administrator to record as the importer")

    def handle(self, *args, **opts):
        command.run(self, GAZETTEER, opts, refused="That person may not load the gazetteer (administrators may).")
