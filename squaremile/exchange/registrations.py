"""What the exchange registers with the shared machinery when the app loads: its notification
kinds, saved filters as followable records, items with the moderation queue, as record cards,
as a listing on area pages and "near me", photos, audit labels and a person's data download."""

from __future__ import annotations

from squaremile.exchange.models import Alert, Item, Status
from squaremile.moderation import registry
from squaremile.notifications import followable, kinds
from squaremile.notifications.models import Delivery


def _still_visible(user, target) -> bool:
    from squaremile.exchange.selectors import may_see

    return isinstance(target, Item) and may_see(user, target)


def _still_open(user, target) -> bool:
    return _still_visible(user, target) and target.status == Status.OPEN


def register_kinds() -> None:
    kinds.register(
        "exchange.matched", label="Matches for your wants and offers",
        description="A new offer may meet your want, or a new want your offer.", default=Delivery.DAILY,
        check=_still_visible, subject="A possible match for your want or offer",
    )  # fmt: skip
    kinds.register(
        "exchange.asked", label="Neighbours asking for what you can share",
        description="Someone near you needs a skill or a resource your profile says you can share.",
        default=Delivery.DAILY, check=_still_open, subject="A neighbour may need your help",
    )  # fmt: skip
    kinds.register(
        "exchange.alert", label="Your wants and offers alerts",
        description="New wants or offers that fit a filter you follow (each alert says at once or in a digest).",
        default=Delivery.DAILY, check=_still_visible, subject="New wants and offers for your alert",
    )  # fmt: skip
    kinds.register(
        "exchange.progress", label="Your exchanges: promised and done",
        description="Someone promised your want or offer, or marked it done.", default=Delivery.IMMEDIATE,
        check=_still_visible, subject="News about your want or offer",
    )  # fmt: skip
    kinds.register(
        "exchange.reminder", label="Your wants and offers about to end",
        description="Seven days and one day before one of yours ends, with a one-tap renew.",
        default=Delivery.IMMEDIATE, subject="Your want or offer is about to end",
    )  # fmt: skip
    followable.register(Alert, visible=lambda user, alert: user.pk == alert.owner_id, noun="this alert")


@registry.register
class ItemModeration(registry.Moderated):
    kind, label, label_plural, model = "exchange", "want or offer", "wants and offers", Item
    state_field = "moderation"
    tracked = ("title", "details", "moderation")

    def queryset(self):
        return Item.objects.select_related("owner__profile", "area")

    def preview(self, obj):
        return registry.Preview(
            title=f"{obj.get_side_display()}: {obj.title}", url=obj.get_absolute_url(), excerpt=obj.details[:200],
            who=obj.by_label, area=obj.area.name if obj.area_id else "",
        )  # fmt: skip

    def after_report_url(self, obj):
        from django.urls import reverse

        return reverse("exchange:list")

    def after_change(self, obj, before):
        from squaremile.exchange.services import _index

        _index(obj)


def register_records() -> None:
    from squaremile.core.records import RecordKind, register_kind
    from squaremile.exchange.selectors import may_see

    register_kind(
        RecordKind(
            model=Item, label="Want or offer", visible=may_see,
            title=lambda i: f"{i.get_side_display()}: {i.title}", summary=lambda i: i.details[:200],
            meta=lambda i: " · ".join(p for p in (i.get_kind_display(), i.get_status_display(), i.when_note) if p),
            url_names={"exchange:detail": "pk"},
        )
    )  # fmt: skip


def register_listing() -> None:
    from squaremile.exchange import selectors
    from squaremile.places import listings
    from squaremile.places.selectors import descendant_ids

    def in_area(area):
        return selectors.with_related(
            selectors.area_items(descendant_ids(area)).filter(status__in=("open", "promised"), visibility="public")
        ).order_by("-created_at")

    listings.register(
        listings.Listing(key="exchange", label="Wants and offers", in_area=in_area,
                         template="exchange/includes/_area_listing.html")
    )  # fmt: skip


def register_layer() -> None:
    from django.urls import reverse

    from squaremile.mapping.layers import MapLayer
    from squaremile.mapping.layers import register_layer as add

    add(MapLayer(key="exchange", label="Wants and offers", url=lambda: reverse("exchange:map_layer"),
                 colour="#a04c00", description="Open wants and offers; people's points to about 500 m."))  # fmt: skip


def _data_export(user) -> dict:
    items = Item.objects.filter(owner=user).prefetch_related("skills", "resources").order_by("pk")
    return {
        "items": [
            {"id": i.pk, "side": i.side, "kind": i.kind, "title": i.title, "details": i.details,
             "what": [t.name for t in i.what_list], "when": i.when_note, "where": i.where, "lat": i.lat,
             "lng": i.lng, "radius_m": i.radius_m, "status": i.status, "visibility": i.visibility,
             "created_at": i.created_at.isoformat(), "thanks": i.thanks}
            for i in items
        ],
        "alerts": [a.describe() for a in Alert.objects.filter(owner=user).select_related("skill", "resource", "area")],
    }  # fmt: skip


def register_all() -> None:
    from squaremile.accounts.data_export import register_part

    register_part("wants_and_offers", _data_export)
    register_kinds()
    register_records()
    register_listing()
    register_layer()
    from squaremile.attachments.registry import register as attach
    from squaremile.audit import registry as audit_registry

    attach(Item, action="exchange.change", kinds=("image",), max_count=1)
    for key, label in (
        ("exchange.posted", "Posted"), ("exchange.changed", "Changed"), ("exchange.promised", "Promised"),
        ("exchange.done", "Marked done"), ("exchange.withdrawn", "Withdrawn"), ("exchange.renewed", "Renewed"),
        ("exchange.expired", "Expired"), ("exchange.reopened", "Opened again"),
        ("exchangealert.created", "Alert saved"), ("exchangealert.deleted", "Alert removed"),
    ):  # fmt: skip
        audit_registry.register(key, label)
