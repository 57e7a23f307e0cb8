"""manage.py seed_demo: fill an empty instance with a fictional locality to try Square Mile out.

    manage.py seed_demo [--size small|medium|large|N] [--seed S] [--reset]

Without --reset it does nothing when there are organisations already, so `make run` can call it
every time and it seeds only the first time.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from squaremile.core.db import analyze_tables
from squaremile.demo import generator
from squaremile.demo.generator import DEMO_ACCOUNTS, DEMO_PASSWORD, parse_size


class Command(BaseCommand):
    help = (
        "Create demo data: a fictional town (Kettleby) with areas, organisations, projects and people, "
        "plus the demo logins. Does nothing if there are organisations already, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            default="small",
            help="small (300 organisations), medium (3,000), large (80,000 organisations and 25,000 projects), "
            "or a number of organisations. Default: small.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete all organisations, projects, areas, search documents and non-superuser users.",
        )

    def handle(self, *args, size, seed: int, reset: bool, verbosity: int, **options):
        try:
            parsed = parse_size(size)
        except ValueError as exc:
            raise CommandError(str(exc))
        result = generator.seed(size=parsed, seed=seed, do_reset=reset)
        if result is None:
            if verbosity:
                self.stdout.write(
                    "There are organisations (or demo places) already, so no demo data was added "
                    "(use --reset to replace everything with demo data)."
                )
            return
        # Fresh statistics, so the query planner picks the indexes for lists and search at once
        # (PostgreSQL here may run without autovacuum; SQLite has none until ANALYZE runs).
        analyze_tables(connection)
        if not verbosity:
            return
        counts, timings = result["counts"], result["timings"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data for Kettleby (seed {seed}) ready in {timings['total']:.1f}s: "
                f"{counts['areas']} areas, {counts['organisations']:,} organisations, "
                f"{counts['projects']:,} projects, {counts['people']:,} people "
                f"(+{len(DEMO_ACCOUNTS)} demo logins), {counts['search_documents']:,} search documents, "
                f"{counts['map_entries']:,} map entries, a network survey with {counts['survey_answers']:,} answers."
            )
        )
        shown = {"areas", "organisations", "projects", "people", "search_documents", "map_entries", "survey_answers"}
        more = [f"{value:,} {key.replace('_', ' ')}" for key, value in counts.items() if key not in shown and value]
        if more:
            self.stdout.write("Also: " + ", ".join(more) + ".")
        if verbosity > 1:
            self.stdout.write("Timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for email, role, _display, _superuser in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {role.label}")
