"""The civic app's daily round (cron, once a day):

    15 6 * * *  cd /srv/squaremile && .venv/bin/python manage.py civic_daily

- asks each reporter "is it fixed?" four weeks after a report that is still open (once);
- reminds representatives of questions unanswered after 7 and after 14 days (once each);
- retries reports whose sending failed, and reads back the status of those sent by Open311;
- recomputes every representative's responsiveness (the 12-month window moves with the days; each
  answer already recomputes its representative at once).
"""

from django.core.management.base import BaseCommand

from squaremile.civic import delivery, services
from squaremile.civic.models import Report, SendState


class Command(BaseCommand):
    help = "Civic's daily round: is it fixed?, reminders, retries, Open311 statuses, responsiveness."

    def handle(self, *args, **opts):
        asked = services.ask_if_fixed()
        reminded = services.send_reminders()
        retried = 0
        for pk in Report.objects.filter(send_state=SendState.FAILED).values_list("pk", flat=True)[:1000]:
            retried += delivery.send_report(report_id=pk) == "sent"
        closed = delivery.fetch_open311_updates()
        reps = services.recompute_all_responsiveness()
        self.stdout.write(
            f"Asked if fixed: {asked}. Reminders: {reminded}. Resent: {retried}. Closed by Open311: {closed}. "
            f"Representatives recomputed: {reps}."
        )
