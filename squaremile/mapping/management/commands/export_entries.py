"""Export published map entries as GeoJSON, CSV or KML, with the map's filters.

    manage.py export_entries --format geojson|csv|kml [--category SLUG ...] [--area SLUG] [--verified]
                             [--q TEXT] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--base-url https://...] OUT

OUT is a file path, or - for standard output. Only published entries are exported (the public view).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from squaremile.mapping.entries.filters import FilterError, parse_filters
from squaremile.mapping.io import exports


class Command(BaseCommand):
    help = "Export published map entries as GeoJSON, CSV or KML."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the file to write, or - for standard output")
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="geojson")
        parser.add_argument("--category", action="append", default=[], help="a category slug (repeatable)")
        parser.add_argument("--area", default="", help="an area slug (sub-areas included)")
        parser.add_argument("--verified", action="store_true", help="verified entries only")
        parser.add_argument("--q", default="", help="free text in titles and descriptions")
        parser.add_argument("--from", dest="date_from", default="", help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default="", help="YYYY-MM-DD")
        parser.add_argument("--base-url", default="", help="the site's address, for the entries' links")

    def handle(self, *args, **opts):
        params = QueryDict(mutable=True)
        params.setlist("category", opts["category"])
        for name, key in (("area", "area"), ("q", "q"), ("from", "date_from"), ("to", "date_to")):
            if opts[key]:
                params[name] = opts[key]
        if opts["verified"]:
            params["verified"] = "1"
        try:
            filters = parse_filters(params)
        except FilterError as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
        queryset = exports.export_queryset(filters, user=None)
        base_url = opts["base_url"].rstrip("/")
        count = 0

        def counting(entries):
            nonlocal count
            for entry in entries:
                count += 1
                yield entry

        entries = counting(queryset.iterator(chunk_size=2000))
        if opts["out"] == "-":
            for chunk in exports.chunks(opts["format"], entries, base_url=base_url):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        path = Path(opts["out"])
        try:
            with path.open("wb") as handle:
                exports.write_file(opts["format"], entries, handle, base_url=base_url)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {count:,} entries to {path}."))
