"""The background task that polls the feeds that are due (django-tasks). `manage.py poll_feeds`
runs the same from cron; see docs/stories.md."""

from django_tasks import task

from squaremile.stories.feeds import poller


@task()
def poll_feeds() -> dict:
    outcomes = poller.poll_due()
    return {
        "polled": sum(o.polled for o in outcomes),
        "added": sum(o.added for o in outcomes),
        "failed": sum(bool(o.error) for o in outcomes),
    }


@task()
def poll_one(feed_id: int) -> dict:
    outcomes = poller.poll_due(feed_ids=[feed_id], force=True)
    return {"added": sum(o.added for o in outcomes), "error": outcomes[0].error if outcomes else "no such feed"}
