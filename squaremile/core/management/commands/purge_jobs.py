"""Delete finished background jobs (exports, imports) and their files once they are old. Meant for cron:

    45 3 * * *  cd /srv/squaremile && .venv/bin/python manage.py purge_jobs

Jobs that are done or failed and finished more than JOB_RETENTION_DAYS (default 14) days ago are
deleted with their stored files. Queued, running and waiting jobs are never touched."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from squaremile.core.jobs import jobs_purge, jobs_to_purge


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = "Delete finished (done or failed) background jobs older than JOB_RETENTION_DAYS, with their files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Delete jobs that finished more than this many days ago (default: JOB_RETENTION_DAYS, 14).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be deleted.")

    def handle(self, *args, days: int | None, dry_run: bool, verbosity: int, **options):
        if days is None:
            days = int(getattr(settings, "JOB_RETENTION_DAYS", 14))
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        if dry_run:
            count = files = 0
            for job in jobs_to_purge(days=days).iterator(chunk_size=1000):
                names = [f.name for f in (job.input_file, job.result_file) if f.name]
                count += 1
                files += len(names)
                if verbosity:
                    when = job.finished_at or job.created_at
                    self.stdout.write(" ".join([str(job), f"finished {when:%Y-%m-%d}", *names]))
            self.stdout.write(
                f"Would delete {_plural(count, 'job')} and {_plural(files, 'file')} "
                f"finished more than {_plural(days, 'day')} ago (dry run: nothing deleted)."
            )
            return
        deleted, files = jobs_purge(days=days)
        if verbosity:
            self.stdout.write(
                f"Deleted {_plural(deleted, 'job')} and {_plural(files, 'file')} finished more than "
                f"{_plural(days, 'day')} ago."
            )
