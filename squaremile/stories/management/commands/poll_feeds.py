"""Poll the stories feeds that are due (each at most every STORIES_FEED_MIN_MINUTES).

Cron, every 10 minutes:  */10 * * * *  cd /srv/squaremile && .venv/bin/python manage.py poll_feeds
"""

from django.core.management.base import BaseCommand

from squaremile.stories.feeds import poller


class Command(BaseCommand):
    help = "Poll the stories feeds that are due (RSS/Atom from local sites) and add their new items."

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, action="append", help="Only this feed (by id); repeatable.")
        parser.add_argument("--force", action="store_true", help="Ignore the 30-minute wait (with --feed).")

    def handle(self, *args, feed=None, force=False, **options):
        outcomes = poller.poll_due(feed_ids=feed, force=force and bool(feed))
        for o in outcomes:
            if o.error:
                self.stdout.write(f"feed {o.feed_id}: refused: {o.error}")
            elif o.polled:
                self.stdout.write(f"feed {o.feed_id}: {o.added} new, {o.updated} updated")
        self.stdout.write(
            f"{sum(o.polled for o in outcomes)} polled, {sum(o.added for o in outcomes)} new stories, "
            f"{sum(bool(o.error) for o in outcomes)} refused or failing"
        )
