"""Delete the files stored for mails (a proceedings PDF, say) once every mail that carries them has
long gone. Run daily by the worker (PERIODIC_COMMANDS) or from cron:

    50 3 * * *  cd /srv/squaremile && .venv/bin/python manage.py purge_mail_files"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from squaremile.notifications.email import mail_files_purge


class Command(BaseCommand):
    help = "Delete files stored for mails older than MAIL_FILES_RETENTION_DAYS (default 7)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Older than this many days (default: the setting).")

    def handle(self, *args, days: int | None, verbosity: int, **options):
        if days is None:
            days = int(getattr(settings, "MAIL_FILES_RETENTION_DAYS", 7))
        if days < 1:
            raise CommandError("--days must be 1 or more: a mail may still be waiting to be sent.")
        deleted = mail_files_purge(days=days)
        if verbosity:
            self.stdout.write(f"Deleted {deleted} mail file{'' if deleted == 1 else 's'} older than {days} days.")
