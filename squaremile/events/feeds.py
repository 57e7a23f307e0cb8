"""RSS 2.0 and Atom feeds of the next 50 events (optionally of one area: `?area=<slug>`), with
their places as GeoRSS. Every text goes through `core.text.xml_safe` (the map's feed classes)."""

from django.contrib.syndication.views import Feed
from django.utils import timezone

from squaremile.core.text import plain_text
from squaremile.events.models import Event
from squaremile.mapping.io.feeds import GeoAtomFeed, GeoRssFeed

FEED_SIZE = 50


class EventFeed(Feed):
    feed_type = GeoRssFeed
    description = "Events coming up"

    def get_object(self, request, *args, **kwargs):
        from squaremile.places.models import Area

        slug = (request.GET.get("area") or "")[:220]
        return Area.objects.filter(slug=slug).first() if slug else None

    def title(self, area):
        return f"Events in {area.name}" if area else "Events"

    def link(self, area):
        from django.urls import reverse

        return reverse("events:list") + (f"?area={area.slug}" if area else "")

    def items(self, area):
        qs = Event.objects.filter(ends_at__gte=timezone.now()).select_related("area")
        if area is not None:
            from squaremile.places.selectors import descendant_ids

            qs = qs.filter(area_id__in=descendant_ids(area))
        return qs.order_by("starts_at", "id")[:FEED_SIZE]

    def item_title(self, event):
        when = timezone.localtime(event.starts_at).strftime("%-d %b %Y, %H:%M")
        prefix = "Cancelled: " if event.is_cancelled else ""
        return f"{prefix}{event.title} ({when})"

    def item_description(self, event):
        return plain_text(event.description or "")[:1000]

    def item_link(self, event):
        return event.get_absolute_url()

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_extra_kwargs(self, event):
        return {"lat": event.lat, "lng": event.lng}


class EventAtomFeed(EventFeed):
    feed_type = GeoAtomFeed
    subtitle = EventFeed.description
