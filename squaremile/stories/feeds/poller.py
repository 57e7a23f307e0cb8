"""Polling feeds: at most every STORIES_FEED_MIN_MINUTES (30) per feed, conditional GET, backing off
after errors (doubling, up to a day), and each item added once as a linked story: an item's
identity is its guid (else its link), so an edited item updates its story and a feed read again
adds nothing. A refused or failing feed records why on itself and harms nothing else."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from squaremile.moderation.models import ModerationState as S
from squaremile.stories import indexing
from squaremile.stories.feeds import fetcher, parsing
from squaremile.stories.models import FeedStatus, Story, StoryFeed, StoryKind

logger = logging.getLogger("squaremile.stories.feeds")
MAX_BACKOFF = dt.timedelta(hours=24)


def min_interval() -> dt.timedelta:
    return dt.timedelta(minutes=max(1, int(getattr(settings, "STORIES_FEED_MIN_MINUTES", 30))))


@dataclass
class Outcome:
    feed_id: int
    polled: bool = False
    added: int = 0
    updated: int = 0
    error: str = ""


def _backoff(failures: int) -> dt.timedelta:
    return min(min_interval() * (2 ** max(0, failures - 1)), MAX_BACKOFF)


def _fail(feed: StoryFeed, message: str, now) -> None:
    feed.failures += 1
    feed.status, feed.status_message = FeedStatus.ERROR, message[:500]
    feed.last_polled_at, feed.next_poll_at = now, now + _backoff(feed.failures)
    feed.items_added = feed.items_updated = 0
    feed.save(
        update_fields=[
            "failures",
            "status",
            "status_message",
            "last_polled_at",
            "next_poll_at",
            "items_added",
            "items_updated",
        ]
    )


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def store_items(feed: StoryFeed, items: list[parsing.Item]) -> tuple[int, int]:
    """Add new items as linked stories and update those whose text changed upstream."""
    if not items:
        return 0, 0
    guids = [item.guid for item in items]
    existing = {s.guid: s for s in Story.objects.filter(feed=feed, guid__in=guids)}
    new, changed = [], []
    for item in items:
        story = existing.get(item.guid)
        if story is None:
            new.append(
                Story(
                    kind=StoryKind.LINKED,
                    status=S.PUBLISHED,
                    feed=feed,
                    guid=item.guid,
                    title=item.title,
                    body=item.summary,
                    summary=_short(item.summary),
                    link=item.link,
                    source=feed.title,
                    area_id=feed.area_id,
                    published_at=item.published,
                )
            )
        elif (story.title, story.body, story.link) != (item.title, item.summary, item.link):
            story.title, story.body, story.link = item.title, item.summary, item.link
            story.summary = _short(item.summary)
            changed.append(story)
    with transaction.atomic():
        if new:
            Story.objects.bulk_create(new, ignore_conflicts=True)  # a poll racing this one adds nothing twice
        if changed:
            now = timezone.now()
            for story in changed:
                story.updated_at = now
            Story.objects.bulk_update(changed, ["title", "body", "summary", "link", "updated_at"])
        touched = Story.objects.filter(feed=feed, guid__in=[s.guid for s in new + changed], status=S.PUBLISHED)
        indexing.sync_linked(touched.only("id", "title", "body", "source", "status", "area_id"))
    return len(new), len(changed)


def poll_feed(feed: StoryFeed, *, now=None, force: bool = False, session=None) -> Outcome:
    now = now or timezone.now()
    outcome = Outcome(feed_id=feed.pk)
    if not force and feed.last_polled_at and now - feed.last_polled_at < min_interval():
        return outcome  # at most every 30 minutes, whoever asks
    outcome.polled = True
    try:
        fetched = fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified, session=session)
        if fetched.not_modified:
            feed.status, feed.status_message = FeedStatus.NOT_MODIFIED, "Nothing new since the last read."
            added = updated = 0
        else:
            _title, items = parsing.parse(fetched.body, now=now)
            added, updated = store_items(feed, items)
            feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
            feed.status = FeedStatus.OK
            feed.status_message = (
                f"Read {len(items)} item{'s' if len(items) != 1 else ''}: {added} new, {updated} updated."
            )
    except fetcher.FeedRefused as exc:
        outcome.error = str(exc)
        _fail(feed, str(exc), now)
        return outcome
    except Exception as exc:  # noqa: BLE001 - one broken feed must never stop the others
        logger.exception("Feed %s could not be read", feed.pk)
        outcome.error = "The feed could not be read (an unexpected error)."
        _fail(feed, outcome.error, now)
        del exc
        return outcome
    feed.failures = 0
    feed.last_polled_at = feed.last_success_at = now
    feed.next_poll_at = now + min_interval()
    feed.items_added, feed.items_updated = added, updated
    feed.save()
    outcome.added, outcome.updated = added, updated
    return outcome


def due(now=None):
    now = now or timezone.now()
    return StoryFeed.objects.filter(active=True).filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))


def poll_due(*, now=None, feed_ids=None, force: bool = False, session=None) -> list[Outcome]:
    """Poll every active feed that is due (or those named, with `force` ignoring the wait)."""
    now = now or timezone.now()
    feeds = StoryFeed.objects.filter(pk__in=feed_ids) if feed_ids else due(now)
    return [poll_feed(feed, now=now, force=force, session=session) for feed in feeds.order_by("next_poll_at", "id")]
