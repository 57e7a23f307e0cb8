"""RSS 2.0 and Atom feeds of the latest 50 published entries for any map filter.

    /map/feed.rss?category=threat-or-cut&area=kettleby
    /map/feed.atom?q=library

The filters are the map's own (`filters.parse_filters`); bad ones answer 400 with what is wrong.
Feeds are public: only published entries, whoever asks. Each item carries its point as GeoRSS
(`<georss:point>lat lng</georss:point>`), so feed readers that know maps can place it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.functional import Promise

from squaremile.core.site import base_url
from squaremile.core.text import render_markdown, xml_safe
from squaremile.mapping.entries.filters import FilterError, MapFilters, filtered_entries, parse_filters

FEED_SIZE = 50
GEORSS = "http://www.georss.org/georss"


def _xml_safe(value):
    """Strings (also inside lists, such as the categories) with what XML 1.0 cannot hold removed."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(v) for v in value]
    return value


class _GeoMixin:
    """GeoRSS points, and a feed that cannot be malformed: every text the feed is given, about the
    feed or an item, goes through `core.text.xml_safe` on its way in. Text stored before the door
    cleaned it (a title with U+0001, say) would otherwise make Django's XML writer raise, and the
    feed answer 500 to everyone, or write XML no reader can parse (U+FFFE)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*[_xml_safe(a) for a in args], **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*[_xml_safe(a) for a in args], **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("lat") is not None and item.get("lng") is not None:
            handler.addQuickElement("georss:point", f"{item['lat']!r} {item['lng']!r}")


class GeoRssFeed(_GeoMixin, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:georss": GEORSS}


class GeoAtomFeed(_GeoMixin, Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:georss": GEORSS}


def describe(filters: MapFilters) -> str:
    """The filters in words, for a feed's title."""
    parts = []
    if filters.categories:
        parts.append(", ".join(c.name for c in filters.categories))
    if filters.threats == "only":
        parts.append("threats and cuts")
    elif filters.threats == "exclude":
        parts.append("without threats and cuts")
    if filters.area is not None:
        parts.append(f"in {filters.area.name}")
    if filters.verified:
        parts.append("verified")
    if filters.q:
        parts.append(f"matching “{filters.q}”")
    if filters.date_from or filters.date_to:
        parts.append(
            "dated " + " to ".join(d.isoformat() for d in (filters.date_from, filters.date_to) if d is not None)
        )
    return "; ".join(parts)


@dataclass
class FeedQuery:
    """What one request asked for: its filters, and the site's address for absolute links (SITE_URL
    when set, else the request's; never the Sites framework's "example.com")."""

    filters: MapFilters
    base: str
    path: str


class EntryFeed(Feed):
    feed_type = GeoRssFeed

    # One instance serves every request (and thread): nothing request-specific is kept on it.
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except FilterError as exc:
            lines = "\n".join(f"{name}: {message}" for name, message in exc.errors.items())
            return HttpResponseBadRequest(f"These filters are not valid:\n{lines}\n", content_type="text/plain")

    def get_object(self, request, *args, **kwargs):
        return FeedQuery(parse_filters(request.GET), base_url(request), request.get_full_path())

    def title(self, query):
        site = getattr(settings, "SITE_NAME", "Square Mile")
        summary = describe(query.filters)
        return f"{site} map: {summary}" if summary else f"{site} map: latest entries"

    def link(self, query):
        params = query.filters.query_string(view=False)
        return query.base + reverse("mapping:map") + (f"?{params}" if params else "")

    def feed_url(self, query):
        return query.base + query.path

    def description(self, query):
        summary = describe(query.filters)
        return "The latest entries published on the community map" + (f" ({summary})." if summary else ".")

    def items(self, query):
        # Public whoever asks: published entries only.
        entries = list(filtered_entries(query.filters, user=None).order_by("-published_at", "-pk")[:FEED_SIZE])
        for entry in entries:
            entry.feed_link = query.base + entry.get_absolute_url()
        return entries

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return render_markdown(entry.description)

    def item_link(self, entry):
        return entry.feed_link

    def item_pubdate(self, entry):
        return entry.published_at or entry.created_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_categories(self, entry):
        return [entry.category.name]

    def item_extra_kwargs(self, entry):
        return {"lat": entry.lat, "lng": entry.lng}


class EntryAtomFeed(EntryFeed):
    feed_type = GeoAtomFeed
    subtitle = EntryFeed.description
