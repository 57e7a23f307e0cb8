"""RSS 2.0 and Atom feeds of the newest 50 published stories, for every list the stories page
shows (the same filters: area, tag, organisation, kind, words):

    /stories/feed.rss?area=kettleby      /stories/feed.atom?tag=food

Every text goes through `core.text.xml_safe` (the map's GeoRSS writers, which also place stories
that have a point). A missing area, tag or organisation answers 404, like the list."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse

from squaremile.core.site import base_url
from squaremile.core.text import render_markdown
from squaremile.mapping.io.feeds import GeoAtomFeed, GeoRssFeed
from squaremile.stories import selectors

FEED_SIZE = 50


@dataclass
class _Query:
    filters: selectors.StoryFilters
    base: str
    path: str
    list_query: str


class StoriesRss(Feed):
    feed_type = GeoRssFeed

    def get_object(self, request, *args, **kwargs):
        from squaremile.stories.views import parse_filters

        query = request.GET.copy()
        query.pop("near", None)  # "near my square mile" is a person's; a feed is public
        request.GET = query
        return _Query(parse_filters(request), base_url(request), request.get_full_path(), query.urlencode())

    def title(self, q):
        words = q.filters.words()
        site = getattr(settings, "SITE_NAME", "Square Mile")
        return f"{site} stories: {words}" if words else f"{site}: the latest stories"

    def link(self, q):
        return q.base + reverse("stories:list") + (f"?{q.list_query}" if q.list_query else "")

    def feed_url(self, q):
        return q.base + q.path

    def description(self, q):
        return "Stories of community action, told by the people who took part" + (
            f" ({q.filters.words()})." if q.filters.words() else "."
        )

    def items(self, q):
        stories = list(selectors.for_cards(selectors.filtered(q.filters))[:FEED_SIZE])
        for story in stories:
            story.feed_link = q.base + story.get_absolute_url()
        return stories

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        if story.is_linked:
            return story.body + (f" (From {story.source}.)" if story.source else "")
        return render_markdown(story.body)

    def item_link(self, story):
        return story.feed_link

    def item_guid(self, story):
        return story.feed_link

    def item_pubdate(self, story):
        return story.published_at or story.created_at

    def item_updateddate(self, story):
        return story.updated_at

    def item_author_name(self, story):
        if story.is_linked:
            return story.source or None
        if story.organisation_id:
            return story.organisation.name
        return str(story.owner) if story.owner_id else None

    def item_categories(self, story):
        return [t.name for t in story.tags.all()]

    def item_extra_kwargs(self, story):
        return {"lat": story.lat, "lng": story.lng}


class StoriesAtom(StoriesRss):
    feed_type = GeoAtomFeed
    subtitle = StoriesRss.description
