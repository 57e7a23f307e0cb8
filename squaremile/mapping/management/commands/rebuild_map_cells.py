"""Recompute the community map's cluster cells from the entries (after a bulk load, or to check)."""

import time

from django.core.management.base import BaseCommand

from squaremile.mapping.cells import clusters, textindex
from squaremile.mapping.models import Entry, EntryStatus, date_columns


class Command(BaseCommand):
    help = (
        "Recompute every cluster cell of the community map from the published entries "
        "(and put the free-text index back if it went missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix-columns",
            action="store_true",
            help="Also recompute each entry's cell columns from its point and its date span from its dates "
            "(only needed if rows were written outside the application without them).",
        )

    def handle(self, *args, fix_columns: bool, verbosity: int, **options):
        started = time.monotonic()
        if fix_columns:
            fixed = 0
            batch = []
            names = ["cx20", "cy20", "date_lo", "date_hi"]
            dates = ["start_date", "end_date", "announced_on", "takes_effect_on"]
            for entry in Entry.objects.only("id", "lat", "lng", *names, *dates).iterator(chunk_size=5000):
                cols = {
                    **clusters.cell_columns(entry.lat, entry.lng),
                    **date_columns(*(getattr(entry, d) for d in dates)),
                }
                if any(getattr(entry, k) != v for k, v in cols.items()):
                    for k, v in cols.items():
                        setattr(entry, k, v)
                    batch.append(entry)
                if len(batch) >= 5000:
                    Entry.objects.bulk_update(batch, names)
                    fixed += len(batch)
                    batch = []
            if batch:
                Entry.objects.bulk_update(batch, names)
                fixed += len(batch)
            if verbosity:
                self.stdout.write(f"Cell columns and date spans corrected on {fixed:,} entries.")
        if textindex.ensure() and verbosity:
            self.stdout.write("The free-text index was missing (a table rebuild drops its triggers): made again.")
        cells = clusters.rebuild()
        if verbosity:
            published = Entry.objects.filter(status=EntryStatus.PUBLISHED).count()
            self.stdout.write(
                self.style.SUCCESS(
                    f"{cells:,} cluster cells for {published:,} published entries, "
                    f"in {time.monotonic() - started:.1f}s."
                )
            )
