"""Import organisations into the directory from a CSV, all or nothing, as the web import does.

    manage.py import_organisations FILE [--map name=Organisation,postcode=PC,external_id=Ref] [--dry-run]
                                        [--by EMAIL]

Columns not named in --map are guessed from the header. Every bad row is printed with its number;
when any row is bad nothing is applied and the exit status is 1. Importing the same file again
changes nothing (rows are matched by external id, else by name and postcode).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from squaremile.directory.importers import ORGANISATIONS, TARGETS
from squaremile.imports import pipeline
from squaremile.imports.reading import ImportFileError, read_table

KEYS = {t.key for t in TARGETS}


class Command(BaseCommand):
    help = "Import organisations from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv file")
        parser.add_argument(
            "--map", default="",
            help="target=column pairs, comma-separated (targets: " + ", ".join(sorted(KEYS)) + ")",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts only")
        parser.add_argument("--by", default="", help="email of the moderator to record as the importer and owner")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            table = read_table(path.read_bytes(), path.name, limits=ORGANISATIONS.limits())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        mapping = ORGANISATIONS.guess(table)
        for pair in filter(None, (p.strip() for p in opts["map"].split(","))):
            target, sep, column = pair.partition("=")
            if not sep or target.strip() not in KEYS:
                raise CommandError(f"--map: “{pair}” is not target=column with a known target.")
            mapping[target.strip()] = column.strip()
        by = pipeline.OPERATOR
        if opts["by"]:
            from squaremile.accounts.models import User

            by = User.objects.filter(email__iexact=opts["by"]).first()
            if by is None:
                raise CommandError(f"--by: nobody has the email {opts['by']}.")
        options = pipeline.ImportOptions(mapping=mapping, source=path.name[:200])
        try:
            plan = pipeline.preview(ORGANISATIONS, table=table, options=options, by=by)
            self.stdout.write("Columns: " + ", ".join(f"{k}={v}" for k, v in sorted(mapping.items())))
            for label, count in plan.report()["summary"]:
                self.stdout.write(f"{label}: {count:,}")
            if not plan.ok:
                for error in plan.errors:
                    self.stderr.write(f"Row {error['row']}: {error['message']}" if error["row"] else error["message"])
                raise CommandError(f"Nothing was applied: {len(plan.errors):,} rows have problems.")
            if opts["dry_run"]:
                self.stdout.write("Dry run: nothing was applied.")
                return
            result = pipeline.apply(ORGANISATIONS, table=table, options=options, by=by, plan=plan)
        except PermissionDenied:
            raise CommandError("That person may not import organisations (moderators and admins may).") from None
        except pipeline.ImportRejected as rejected:
            raise CommandError(rejected.plan.errors[0]["message"]) from None
        self.stdout.write(self.style.SUCCESS(result.message))
