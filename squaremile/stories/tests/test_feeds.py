"""Stories others tell: feeds read safely from a local HTTP server, items added once, hostile
feeds refused with a clear status that harms nothing else."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import SearchDocument
from squaremile.stories.feeds import fetcher, parsing, poller
from squaremile.stories.models import FeedStatus, Story, StoryFeed, StoryKind
from squaremile.stories.tests.factories import FeedFactory, feed_xml

pytestmark = pytest.mark.django_db
RSS = {"Content-Type": "application/rss+xml"}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title><guid>x</guid></item></channel></rss>"""


def _feed(server, path="/feed.xml", **kw):
    return FeedFactory(url=server.url + path, **kw)


def test_items_become_linked_stories_once_and_edits_update(feed_server):
    feed_server.routes["/feed.xml"] = (200, RSS, feed_xml(3))
    feed = _feed(feed_server)
    out = poller.poll_feed(feed)
    assert (out.added, out.updated, out.error) == (3, 0, "")
    stories = Story.objects.filter(feed=feed)
    assert stories.count() == 3
    assert set(stories.values_list("kind", "status")) == {(StoryKind.LINKED, "published")}
    s = stories.get(guid="https://news.example.org/item/1")
    assert (s.title, s.link, s.source) == ("Item 1", "https://news.example.org/item/1", feed.title)
    assert SearchDocument.objects.filter(kind="story", object_id=s.pk).exists()
    # read again (forced past the 30 minutes), one item edited upstream: updated, nothing added twice
    feed_server.routes["/feed.xml"] = (200, RSS, feed_xml(3, title_suffix=" (corrected)"))
    out = poller.poll_feed(feed, now=timezone.now() + dt.timedelta(minutes=31))
    assert (out.added, out.updated) == (0, 3)
    assert Story.objects.filter(feed=feed).count() == 3
    assert Story.objects.get(pk=s.pk).title == "Item 1 (corrected)"


def test_at_most_every_thirty_minutes(feed_server):
    feed_server.routes["/feed.xml"] = (200, RSS, feed_xml(1))
    feed = _feed(feed_server)
    assert poller.poll_feed(feed).polled
    assert not poller.poll_feed(feed, now=timezone.now() + dt.timedelta(minutes=10)).polled
    assert len(feed_server.hits) == 1
    assert feed.next_poll_at > timezone.now() + dt.timedelta(minutes=29)


def test_conditional_get_sends_etag_and_last_modified(feed_server):
    def answer(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return 200, {**RSS, "ETag": '"v1"', "Last-Modified": "Mon, 01 Jun 2026 10:00:00 GMT"}, feed_xml(2)

    feed_server.routes["/feed.xml"] = answer
    feed = _feed(feed_server)
    poller.poll_feed(feed)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ('"v1"', "Mon, 01 Jun 2026 10:00:00 GMT")
    out = poller.poll_feed(feed, now=timezone.now() + dt.timedelta(hours=1))
    assert out.polled and out.added == 0
    assert feed.status == FeedStatus.NOT_MODIFIED
    assert feed_server.hits[-1][1]["If-Modified-Since"] == "Mon, 01 Jun 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ((200, RSS, BILLION_LAUGHS), "entities"),
        ((200, RSS, b"<rss><channel><item><title>broken</ti"), "not a readable"),
        ((200, {"Content-Type": "text/html"}, b"<html><body>Hello</body></html>"), "does not give an RSS"),
        ((500, {}, b"oops"), "error (500)"),
        ((200, {**RSS, "Content-Length": str(50 * 1024 * 1024)}, b""), "larger than 2 MB"),
    ],
    ids=["billion-laughs", "malformed", "web-page", "server-error", "declared-50MB"],
)
def test_hostile_or_broken_feeds_are_refused_with_a_status(feed_server, route, words):
    feed_server.routes["/feed.xml"] = route
    feed_server.routes["/good.xml"] = (200, RSS, feed_xml(2))
    bad, good = _feed(feed_server), _feed(feed_server, "/good.xml")
    outcomes = poller.poll_due()
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == FeedStatus.ERROR and words in bad.status_message
    assert not Story.objects.filter(feed=bad).exists()
    assert good.status == FeedStatus.OK and Story.objects.filter(feed=good).count() == 2  # harms nothing else
    assert any(o.error for o in outcomes)


def test_a_50mb_body_is_not_read_past_the_limit(feed_server, settings):
    settings.STORIES_FEED_MAX_BYTES = 64 * 1024

    def endless(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for _ in range(50 * 16):  # 50 MB in 64 KB chunks, no Content-Length
                handler.wfile.write(b"<!-- " + b"x" * 65_000 + b" -->")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return None

    feed_server.routes["/feed.xml"] = endless
    with pytest.raises(fetcher.FeedRefused, match="larger than"):
        fetcher.fetch(feed_server.url + "/feed.xml")


def test_redirect_loop_and_too_many_redirects_are_refused(feed_server):
    feed_server.routes["/a"] = (302, {"Location": "/b"}, b"")
    feed_server.routes["/b"] = (302, {"Location": "/a"}, b"")
    with pytest.raises(fetcher.FeedRefused, match="loop"):
        fetcher.fetch(feed_server.url + "/a")
    for i in range(8):
        feed_server.routes[f"/r{i}"] = (301, {"Location": f"/r{i + 1}"}, b"")
    with pytest.raises(fetcher.FeedRefused, match="more than 5"):
        fetcher.fetch(feed_server.url + "/r0")
    feed_server.routes["/r8"] = (200, RSS, feed_xml(1))
    assert fetcher.fetch(feed_server.url + "/r4").body.startswith(b"<?xml")  # 4 redirects are fine


def test_slow_site_times_out(feed_server, settings):
    import time

    settings.STORIES_FEED_TIMEOUT = 0.5

    def slow(handler):
        time.sleep(1.5)
        return 200, RSS, feed_xml(1)

    feed_server.routes["/slow"] = slow
    with pytest.raises(fetcher.FeedRefused, match="did not answer|longer than"):
        fetcher.fetch(feed_server.url + "/slow")


def test_private_addresses_and_other_schemes_are_refused_in_production(settings):
    settings.STORIES_FEED_ALLOW_PRIVATE = False
    with pytest.raises(fetcher.FeedRefused, match="private network"):
        fetcher.fetch("http://127.0.0.1:9/feed")
    with pytest.raises(fetcher.FeedRefused, match="Only web addresses"):
        fetcher.fetch("file:///etc/passwd")


def test_demo_feeds_only_when_switched_on(settings):
    settings.STORIES_DEMO_FEEDS = False
    with pytest.raises(fetcher.FeedRefused, match="switched off"):
        fetcher.fetch("demo-feed:kettleby-gazette")
    settings.STORIES_DEMO_FEEDS = True
    assert b"<rss" in fetcher.fetch("demo-feed:kettleby-gazette").body
    with pytest.raises(fetcher.FeedRefused):
        fetcher.fetch("demo-feed:../../settings")


def test_backoff_doubles_after_each_failure(feed_server):
    feed_server.routes["/feed.xml"] = (500, {}, b"")
    feed = _feed(feed_server)
    now = timezone.now()
    poller.poll_feed(feed, now=now)
    first = feed.next_poll_at - now
    poller.poll_feed(feed, now=now + first)
    second = feed.next_poll_at - (now + first)
    assert feed.failures == 2 and second == 2 * first
    assert poller.due(now + dt.timedelta(minutes=5)).filter(pk=feed.pk).count() == 0


def test_item_identity_falls_back_to_link_and_text_is_plain():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>&lt;b&gt;Bold&lt;/b&gt; news</title><link>https://x.example/1</link>"
        b"<description>&lt;script&gt;alert(1)&lt;/script&gt;Hello "
        b"&lt;a href='javascript:x'&gt;there&lt;/a&gt;</description></item>"
        b"<item><title>Bad link</title><link>javascript:alert(1)</link><description>x</description></item>"
        b"</channel></rss>"
    )
    _title, items = parsing.parse(body)
    assert items[0].guid == "https://x.example/1"
    assert items[0].title == "Bold news"
    assert "<" not in items[0].summary and "alert" not in items[0].summary
    assert items[1].link == ""


def test_feed_page_shows_status_and_organiser_adds_a_feed(client, feed_server):
    organiser = UserFactory(role="organiser")
    feed_server.routes["/feed.xml"] = (200, RSS, feed_xml(2))
    feed_server.routes["/bomb.xml"] = (200, RSS, BILLION_LAUGHS)
    client.force_login(organiser)
    r = client.post(reverse("stories:feed_list"), {"title": "Gazette", "url": feed_server.url + "/feed.xml"})
    feed = StoryFeed.objects.get(title="Gazette")
    assert r.status_code == 302 and r["Location"] == feed.get_absolute_url()
    page = client.get(feed.get_absolute_url()).content.decode()
    assert "Working" in page and "2 new" in page and "Item 1" in page
    client.post(reverse("stories:feed_list"), {"title": "Bomb", "url": feed_server.url + "/bomb.xml"})
    bomb = StoryFeed.objects.get(title="Bomb")
    page = client.get(bomb.get_absolute_url()).content.decode()
    assert "Refused or failing" in page and "billion laughs" in page
    # organiser input may never be a file or a demo feed
    r = client.post(reverse("stories:feed_list"), {"title": "Local file", "url": "file:///etc/passwd"})
    assert r.status_code == 400 and not StoryFeed.objects.filter(title="Local file").exists()
    r = client.post(reverse("stories:feed_list"), {"title": "Demo", "url": "demo-feed:kettleby-gazette"})
    assert r.status_code == 400


def test_members_cannot_add_feeds(client):
    client.force_login(UserFactory())
    r = client.post(reverse("stories:feed_list"), {"title": "X", "url": "https://x.example/feed"})
    assert r.status_code == 403 and not StoryFeed.objects.exists()


def test_poll_feeds_command(feed_server):
    from io import StringIO

    from django.core.management import call_command

    feed_server.routes["/feed.xml"] = (200, RSS, feed_xml(4))
    _feed(feed_server)
    out = StringIO()
    call_command("poll_feeds", stdout=out)
    assert "1 polled, 4 new stories" in out.getvalue()
    out = StringIO()
    call_command("poll_feeds", stdout=out)  # nothing due yet
    assert "0 polled" in out.getvalue()
