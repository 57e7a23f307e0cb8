"""Daily (cron): remind people registered for tomorrow's events, the conveners of sessions that
ended without a report, and the owners of actions due within a week or overdue (at most once a
week each). Safe to run twice: each reminder is marked when sent.

    15 7 * * *  cd /srv/squaremile && .venv/bin/python manage.py events_remind
"""

from django.core.management.base import BaseCommand

from squaremile.events import services


class Command(BaseCommand):
    help = "Send the events' reminders: registered people, conveners without a report, action owners."

    def add_arguments(self, parser):
        parser.add_argument("--ahead-hours", type=int, default=24, help="Remind of events starting within this.")
        parser.add_argument("--every-days", type=int, default=7, help="Remind an action's owner at most this often.")

    def handle(self, *args, **options):
        registered = services.remind_registered(ahead_hours=options["ahead_hours"])
        conveners = services.remind_unreported()
        actions = services.remind_actions(every_days=options["every_days"])
        self.stdout.write(
            f"Reminded {registered} registered people, the conveners of {conveners} unreported sessions "
            f"and the owners of {actions} actions."
        )
