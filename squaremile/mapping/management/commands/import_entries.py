"""Import map entries from a CSV or GeoJSON file, all or nothing, as the web import does.

    manage.py import_entries FILE [--map title=Name,lat=Y,lng=X,external_id=Ref] [--category SLUG_OR_NAME]
                                  [--publish] [--dry-run] [--source NAME] [--by EMAIL]

Columns not named in --map are guessed from the header. Every bad row is printed with its number;
when any row is bad nothing is applied and the exit status is 1.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from squaremile.mapping.entries.selectors import category_questions
from squaremile.mapping.io import imports
from squaremile.mapping.models import Category

ALIASES = {
    "latitude": "lat", "y": "lat", "lon": "lng", "long": "lng", "longitude": "lng", "x": "lng", "id": "external_id",
    "name": "title", "start": "start_date", "end": "end_date", "organization": "organisation",
}  # fmt: skip


class Command(BaseCommand):
    help = "Import map entries from a CSV or GeoJSON file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .geojson file")
        parser.add_argument(
            "--map",
            default="",
            help="target=column pairs, comma-separated, e.g. title=Name,lat=Y,lng=X,external_id=Ref "
            "(targets: " + ", ".join(t.key for t in imports.TARGETS) + ", q<question id>)",
        )
        parser.add_argument("--category", default="", help="default category (name or slug) for rows without one")
        parser.add_argument("--publish", action="store_true", help="publish new entries at once (default: queue)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts only")
        parser.add_argument("--source", default="", help="recorded on each entry (default: the file name)")
        parser.add_argument("--by", default="", help="email of the moderator to record as the importer")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            table = imports.read_table(data, path.name)
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from None

        questions = category_questions()
        mapping = imports.guess_mapping(table.columns, questions, geojson=table.kind == "geojson")
        for pair in filter(None, (p.strip() for p in opts["map"].split(","))):
            target, sep, column = pair.partition("=")
            target = ALIASES.get(target.strip().lower(), target.strip().lower())
            if not sep or not (target in imports.TARGET_KEYS or (target.startswith("q") and target[1:].isdigit())):
                raise CommandError(f"--map: “{pair}” is not target=column with a known target.")
            mapping[target] = column.strip()

        default_id = None
        if opts["category"]:
            wanted = opts["category"].casefold()
            match = [c for c in Category.objects.all() if wanted in (c.slug.casefold(), c.name.casefold())]
            if not match:
                raise CommandError(f"--category: there is no category called “{opts['category']}”.")
            default_id = match[0].pk

        by = imports.OPERATOR
        if opts["by"]:
            from squaremile.accounts.models import User

            by = User.objects.filter(email__iexact=opts["by"]).first()
            if by is None:
                raise CommandError(f"--by: nobody has the email {opts['by']}.")

        options = imports.ImportOptions(
            mapping=mapping, default_category_id=default_id, publish=opts["publish"],
            source=(opts["source"] or path.name)[:200],
        )  # fmt: skip
        self.stdout.write("Columns: " + ", ".join(f"{k}={v}" for k, v in mapping.items()))
        try:
            plan = imports.import_preview(table=table, options=options, by=by)
        except PermissionDenied:
            raise CommandError(f"{opts['by']} may not import entries.") from None
        c = plan.counts()
        self.stdout.write(
            f"{c['rows']:,} rows: {c['create']:,} new, {c['update']:,} to update, {c['unchanged']:,} unchanged, "
            f"{c['bad']:,} with problems."
        )
        if not plan.ok:
            word = table.row_word
            for error in plan.errors:
                prefix = f"{word} {error['row']}: " if error["row"] else ""
                self.stdout.write(f"{prefix}{error['message']}")
            raise CommandError(f"{c['bad']:,} rows have problems: nothing was applied.")
        if opts["dry_run"]:
            self.stdout.write("Dry run: nothing was applied.")
            return
        try:
            result = imports.import_apply(table=table, options=options, by=by, plan=plan)
        except imports.ImportRejected as exc:
            for error in exc.plan.errors:
                self.stdout.write(error["message"])
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.created:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged."
            )
        )
