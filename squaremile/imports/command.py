"""The command-line side of an import, shared by every `manage.py import_...` command: read the
file, guess the columns (or take `--map target=column,...`), check every row, print every bad one
and apply nothing if there is any, else apply all (unless `--dry-run`)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from squaremile.imports import pipeline
from squaremile.imports.reading import ImportFileError, read_table


def add_arguments(parser, importer: pipeline.Importer, *, by_help: str) -> None:
    keys = sorted(t.key for t in importer.targets)
    parser.add_argument("file", help="a .csv (or .geojson) file")
    parser.add_argument(
        "--map", default="", help="target=column pairs, comma-separated (targets: " + ", ".join(keys) + ")"
    )
    parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts only")
    parser.add_argument("--by", default="", help=by_help)


def run(command, importer: pipeline.Importer, opts: dict, *, refused: str) -> None:
    """Run `importer` on `opts["file"]` for a management command (`command.stdout`/`stderr`)."""
    path = Path(opts["file"])
    try:
        table = read_table(path.read_bytes(), path.name, limits=importer.limits())
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    keys = {t.key for t in importer.targets}
    mapping = importer.guess(table)
    for pair in filter(None, (p.strip() for p in opts["map"].split(","))):
        target, sep, column = pair.partition("=")
        if not sep or target.strip() not in keys:
            raise CommandError(f"--map: “{pair}” is not target=column with a known target.")
        mapping[target.strip()] = column.strip()
    by = pipeline.OPERATOR
    if opts["by"]:
        from django.contrib.auth import get_user_model

        by = get_user_model().objects.filter(email__iexact=opts["by"]).first()
        if by is None:
            raise CommandError(f"--by: nobody has the email {opts['by']}.")
    options = pipeline.ImportOptions(mapping=mapping, source=path.name[:200])
    try:
        plan = pipeline.preview(importer, table=table, options=options, by=by)
        command.stdout.write("Columns: " + ", ".join(f"{k}={v}" for k, v in sorted(mapping.items())))
        for label, count in plan.report()["summary"]:
            command.stdout.write(f"{label}: {count:,}")
        if not plan.ok:
            for error in plan.errors:
                command.stderr.write(f"Row {error['row']}: {error['message']}" if error["row"] else error["message"])
            raise CommandError(f"Nothing was applied: {len(plan.errors):,} rows have problems.")
        if opts["dry_run"]:
            command.stdout.write("Dry run: nothing was applied.")
            return
        result = pipeline.apply(importer, table=table, options=options, by=by, plan=plan)
    except PermissionDenied:
        raise CommandError(refused) from None
    except pipeline.ImportRejected as rejected:
        raise CommandError(rejected.plan.errors[0]["message"]) from None
    command.stdout.write(command.style.SUCCESS(result.message))
