"""Send the daily or weekly notification digests. Meant for cron, for example

    15 7 * * *  cd /srv/squaremile && .venv/bin/python manage.py send_digests --period daily
    30 7 * * 1  cd /srv/squaremile && .venv/bin/python manage.py send_digests --period weekly

Safe to run twice: nobody gets the same period's digest twice."""

from django.core.management.base import BaseCommand

from squaremile.notifications.digests import send_digests


class Command(BaseCommand):
    help = "E-mail each person their daily or weekly digest of notifications (once per day / week)."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=["daily", "weekly"], required=True)

    def handle(self, *args, period, **options):
        sent = send_digests(period=period)
        self.stdout.write(f"Sent {sent} {period} digest{'' if sent == 1 else 's'}.")
