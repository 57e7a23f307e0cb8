"""Factories for stories. `StoryFactory` makes a published story told by a member; `feed_xml`
writes an RSS document of N items (for the feed tests and the benchmark)."""

import io
from xml.sax.saxutils import escape

import factory
from django.utils import timezone
from PIL import Image

from squaremile.accounts.tests.factories import UserFactory
from squaremile.stories.models import Story, StoryFeed, StoryKind


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    kind = StoryKind.OWN
    title = factory.Sequence(lambda n: f"Story {n}")
    body = "We cleared the canal path together on a Saturday."
    summary = factory.LazyAttribute(lambda s: s.body[:240])
    owner = factory.SubFactory(UserFactory)
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryFeed

    title = factory.Sequence(lambda n: f"Local site {n}")
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}.xml")


def feed_xml(n: int = 3, *, prefix: str = "item", title_suffix: str = "", summary: str = "A local story.") -> bytes:
    items = "".join(
        f"<item><title>{escape(f'{prefix.title()} {i}{title_suffix}')}</title><link>https://news.example.org/{prefix}/{i}</link>"
        f"<guid>https://news.example.org/{prefix}/{i}</guid><description>{escape(summary)}</description>"
        f"<pubDate>Mon, 0{1 + i % 9} Jun 2026 10:00:00 GMT</pubDate></item>"
        for i in range(n)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Kettleby Gazette</title>'
        f"<link>https://news.example.org/</link><description>News</description>{items}</channel></rss>"
    ).encode()


def png_bytes(colour="green", size=(60, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()
