"""The printable noticeboard (an A4 poster of an area's current wants and offers with a QR code to
reply) and the RSS feed: both written from the same public items."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed

from squaremile.core.site import absolute_url
from squaremile.core.text import xml_safe
from squaremile.exchange.models import LIVE, Item, Side
from squaremile.moderation.models import ModerationState
from squaremile.places.selectors import descendant_ids

PER_SIDE = 8  # what fits on one A4 page in large print


def qr_svg(url: str) -> str:
    """An inline SVG QR code for `url` (segno; no network, no image file)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=True)


def public_items(area_ids: list[int]):
    return (
        Item.objects.filter(
            area_id__in=area_ids, status__in=LIVE, visibility="public", moderation=ModerationState.PUBLISHED
        )  # fmt: skip
        .select_related("organisation")
        .prefetch_related("skills", "resources")
        .order_by("-created_at")
    )


def context(area, *, request=None) -> dict:
    items = public_items(descendant_ids(area))
    wants = list(items.filter(side=Side.WANT)[:PER_SIDE])
    offers = list(items.filter(side=Side.OFFER)[:PER_SIDE])
    url = absolute_url(f"{reverse('exchange:list')}?area={area.slug}", request=request)
    reply_url = absolute_url(reverse("exchange:list"), request=request)
    return {
        "area": area, "wants": wants, "offers": offers, "qr": qr_svg(url), "reply_url": reply_url, "list_url": url,
        "printed": timezone.localdate(),
    }  # fmt: skip


def rss(items, *, link: str, request=None) -> str:
    feed = Rss201rev2Feed(
        title="Wants and offers", link=link, description="New wants and offers between neighbours.", language="en-gb"
    )
    for item in items:
        url = absolute_url(item.get_absolute_url(), request=request)
        what = item.what_label
        feed.add_item(
            title=xml_safe(f"{item.get_side_display()}: {item.title}"), link=url, unique_id=url,
            description=xml_safe(" · ".join(p for p in (what, item.get_kind_display(), item.when_note,
                                                        item.details[:300]) if p)),
            pubdate=item.created_at, categories=[xml_safe(t.name) for t in item.what_list] or None,
        )  # fmt: skip
    return feed.writeString("utf-8")
