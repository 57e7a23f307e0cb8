"""The daily run of the exchange: reminders 7 days and 1 day before an item ends, then expiry.

Cron (once a day, e.g. 06:10):  10 6 * * *  cd /srv/squaremile && .venv/bin/python manage.py exchange_daily
Safe to run more than once a day: each reminder is sent once."""

from django.core.management.base import BaseCommand

from squaremile.exchange.services import expire_and_remind


class Command(BaseCommand):
    help = "Remind owners of wants and offers that end soon, and expire those past their date."

    def handle(self, *args, **options):
        counts = expire_and_remind()
        self.stdout.write(
            f"Reminded {counts['reminded_7']} (7 days) and {counts['reminded_1']} (1 day); expired {counts['expired']}."
        )
