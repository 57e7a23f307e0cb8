"""manage.py restore ARCHIVE [--force] [--check]: restore an archive made by `manage.py backup`.

Into an empty instance of the same database engine (a new database, or one only `migrate` has
touched, and an empty MEDIA_ROOT); --force replaces whatever is there. --check only reads the
archive and checks it against its manifest, changing nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from squaremile.core.backup import ENGINE_NAMES, BackupError, restore
from squaremile.core.backup import human_size as _size


class Command(BaseCommand):
    help = (
        "Restore a backup archive (manage.py backup) into this instance's empty database and MEDIA_ROOT, "
        "checking every row count and media checksum against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by manage.py backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database or MEDIA_ROOT holds data: everything in the database is "
            "replaced; media files of the same name are overwritten, others are left.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only check the archive against its manifest; change nothing."
        )

    def handle(self, *args, archive: Path, force: bool, check: bool, verbosity: int, **options):
        try:
            result = restore(archive=archive, force=force, check_only=check)
        except BackupError as exc:
            raise CommandError(str(exc))
        m = result.manifest
        engine = ENGINE_NAMES[m["database"]["engine"]]
        summary = (
            f"{engine} database ({result.tables} tables, {result.rows:,} rows) and {result.media_files:,} media files "
            f"({_size(result.media_bytes)}) of the backup made {m['created_at']}"
        )
        if result.checked_only:
            self.stdout.write(
                self.style.SUCCESS(f"{archive} is sound: {summary}; every checksum and row count matches.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored the {summary} in {result.seconds:.1f}s. Row counts and media checksums match "
                    "the manifest."
                )
            )
            if result.replaced_media:
                self.stdout.write(f"{result.replaced_media:,} existing media files were overwritten.")
        missing = m["media"].get("missing") or []
        if missing:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(missing)} file(s) the database refers to were already missing when the backup was "
                    f"made, e.g. {missing[0]}."
                )
            )
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup predates {len(result.pending_migrations)} migration(s) of this version: "
                    "run `manage.py migrate` now."
                    if not result.checked_only
                    else f"The backup predates {len(result.pending_migrations)} migration(s) of this version; "
                    "run `manage.py migrate` after restoring it."
                )
            )
