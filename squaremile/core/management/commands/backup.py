"""manage.py backup: one archive of the database and the media, safe while the site runs. For cron:

    30 2 * * *  cd /srv/squaremile && .venv/bin/python manage.py backup --output /srv/backups/ --quiet

See squaremile/core/backup.py for what the archive holds and why it is consistent."""

from django.core.management.base import BaseCommand, CommandError

from squaremile.core.backup import ENGINE_NAMES, BackupError, backup
from squaremile.core.backup import human_size as _size


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent snapshot: SQLite's online backup, or pg_dump) and every file "
        "under MEDIA_ROOT into one .tar.gz archive with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help="The archive to write, or a folder to write it in (default: var/backups/squaremile-<time>.tar.gz). "
            "An existing file is never overwritten.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only warnings (for cron).")

    def handle(self, *args, output, quiet: bool, verbosity: int, **options):
        try:
            result = backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc))
        m = result.manifest
        db, media = m["database"], m["media"]
        if media["missing"]:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(media['missing'])} file(s) that the database refers to were not found under MEDIA_ROOT "
                    f"(listed in the manifest), e.g. {media['missing'][0]}"
                )
            )
        if media["skipped"]:
            self.stderr.write(
                self.style.WARNING(f"Skipped {len(media['skipped'])} entries that are not regular files (symlinks?).")
            )
        if quiet or not verbosity:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {ENGINE_NAMES[db['engine']]} ({len(db['tables'])} tables, {db['rows']:,} rows) and "
                f"{media['count']:,} media files ({_size(media['bytes'])}) to {result.path} "
                f"({_size(result.path.stat().st_size)}) in {result.seconds:.1f}s."
            )
        )
