"""manage.py sweep_media [--dry-run] [--older-than-hours N]: remove files under MEDIA_ROOT that no
row refers to (see attachments/sweep.py). Safe to run from cron, on any one node."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from squaremile.attachments import sweep


class Command(BaseCommand):
    help = (
        "Remove files under MEDIA_ROOT that no attachment or other file field refers to and that are "
        "older than a grace period (MEDIA_SWEEP_GRACE_HOURS, default 24)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")
        parser.add_argument(
            "--older-than-hours", type=float, default=None,
            help="Only files last changed longer ago than this (default: MEDIA_SWEEP_GRACE_HOURS).",
        )  # fmt: skip

    def handle(self, *args, dry_run=False, older_than_hours=None, **options):
        older = dt.timedelta(hours=older_than_hours) if older_than_hours is not None else None
        found = sweep.sweep(dry_run=dry_run, older_than=older)
        verb = "Would remove" if dry_run else "Removed"
        for orphan in found:
            self.stdout.write(f"{verb} {orphan.name} ({filesizeformat(orphan.size)})")
        total = sum(o.size for o in found)
        self.stdout.write(
            f"{verb} {len(found)} file{'s' if len(found) != 1 else ''} that nothing refers to "
            f"({filesizeformat(total)})."
        )
