"""Reads for wants and offers, permission-aware: what a person may see, near me, filters, a
map layer, matches, "more with more" per area, the noticeboard."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from squaremile.core.geo import MILE_M, bbox_around
from squaremile.core.permissions import can, signed_in
from squaremile.core.visibility import visible_q
from squaremile.exchange import blocking
from squaremile.exchange.matching import M_PER_DEG, cells_in_box, cells_within
from squaremile.exchange.models import (
    ANYWHERE_CELL,
    CELL_LEVEL,
    FINE_LEVEL,
    LIVE,
    WORD_PREFIX,
    Alert,
    Ask,
    Item,
    ItemKey,
    Kind,
    Match,
    Side,
    Status,
)
from squaremile.moderation.models import ModerationState

PEOPLE_ROUNDING_M = 500  # people's points on the map and in feeds, to about 500 m


def hidden_ids(user) -> set[int]:
    """People whose items `user` does not see (blocked either way); pass it on when listing twice."""
    return blocking.blocked_ids(user) if signed_in(user) else set()


def visible_items(user, *, hidden: set | None = None) -> QuerySet[Item]:
    """Items `user` may see: public ones, members-only ones when signed in, their own, and not hidden
    by moderation (except to their owner and moderators), and none by people they blocked."""
    qs = Item.objects.filter(visible_q(user, action="exchange.see_hidden", visibility_field="visibility"))
    if not can(user, "exchange.moderate"):
        mine = Q(owner_id=user.pk) if signed_in(user) else Q(pk__in=[])
        qs = qs.filter(Q(moderation=ModerationState.PUBLISHED) | mine)
    hidden = hidden_ids(user) if hidden is None else hidden
    if hidden:
        qs = qs.exclude(owner_id__in=hidden)
    return qs


def may_see(user, item: Item) -> bool:
    return visible_items(user).filter(pk=item.pk).exists()


def with_related(qs: QuerySet[Item]) -> QuerySet[Item]:
    return (
        qs.select_related("owner__profile", "organisation", "area")
        .defer("area__boundary", "area__description")  # an area's outline can be large: never needed here
        .prefetch_related("skills", "resources")
    )


@dataclass
class Filters:
    side: str = ""
    kind: str = ""
    term: str = ""  # "s12" / "r5"
    q: str = ""
    max_age_days: int | None = None
    lat: float | None = None
    lng: float | None = None
    radius_m: float | None = None
    area_ids: list | None = None
    status: str = "live"
    include_anywhere: bool = True  # near a point: "online or anywhere" items too, after the near ones
    only_anywhere: bool = False


def _d2(lat, lng):
    kx = M_PER_DEG * math.cos(math.radians(lat))
    dy = (F("lat") - Value(lat)) * Value(M_PER_DEG)
    dx = (F("lng") - Value(lng)) * Value(kx)
    return ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField())


def item_list(user, f: Filters, *, hidden: set | None = None) -> QuerySet[Item]:
    """Filtered, visible items; near a point: nearest first (indexed cells, distance in SQL),
    and "online or anywhere" items after them; else newest first."""
    qs = visible_items(user, hidden=hidden)
    qs = qs.filter(status__in=LIVE) if f.status == "live" else qs.filter(status=f.status)
    if f.side:
        qs = qs.filter(side=f.side)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.term:
        qs = qs.filter(pk__in=ItemKey.objects.filter(key=f.term).values("item_id"))
    if f.max_age_days:
        qs = qs.filter(created_at__gte=timezone.now() - timedelta(days=f.max_age_days))
    if f.area_ids:
        qs = qs.filter(area_id__in=f.area_ids)
    if f.only_anywhere:
        qs = qs.filter(fine_cell=ANYWHERE_CELL)
    if f.q:
        from squaremile.core.search import search

        hits = search(f.q, kinds=["exchange"], limit=100)
        ids = [h.object_id for h in hits.hits]
        qs = qs.filter(Q(pk__in=ids) | Q(title__icontains=f.q[:100]))
    if f.lat is not None and f.lng is not None:
        radius = float(f.radius_m or MILE_M)
        min_lat, min_lng, max_lat, max_lng = bbox_around(f.lat, f.lng, radius)
        cells = cells_within(f.lat, f.lng, radius, FINE_LEVEL)
        if not f.include_anywhere:
            cells = [c for c in cells if c != ANYWHERE_CELL]
        qs = qs.filter(fine_cell__in=cells)
        qs = qs.filter(Q(lat__isnull=True) | Q(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng))
        qs = qs.annotate(d2=_d2(f.lat, f.lng)).filter(Q(lat__isnull=True) | Q(d2__lte=radius * radius))
        return qs.order_by(F("d2").asc(nulls_last=True), "-created_at", "-pk")
    return qs.order_by("-created_at", "-pk")


def anywhere_ids(user, f: Filters, *, limit: int = 5, hidden: set | None = None) -> list[int]:
    """The newest "online or anywhere" items that fit the other filters (shown beside a near-me list)."""
    from dataclasses import replace

    g = replace(f, lat=None, lng=None, radius_m=None, only_anywhere=True)
    return list(item_list(user, g, hidden=hidden).values_list("pk", flat=True)[:limit])


def items_in_order(ids: list[int], f: Filters | None = None) -> list[Item]:
    """The items of a page, given their ids in order (the list is paged on ids alone, so the joins
    run for one page's rows only, not for every row the sort reads), each with `distance`."""
    rows = {i.pk: i for i in with_related(Item.objects.filter(pk__in=ids))}
    out = []
    for pk in ids:
        item = rows.get(pk)
        if item is None:
            continue
        item.distance = None
        if f is not None and f.lat is not None and item.lat is not None:
            kx = M_PER_DEG * math.cos(math.radians(f.lat))
            item.distance = math.hypot((item.lat - f.lat) * M_PER_DEG, (item.lng - f.lng) * kx)
        out.append(item)
    return out


def distance_m(item) -> float | None:
    d2 = getattr(item, "d2", None)
    return math.sqrt(max(d2, 0.0)) if d2 is not None else None


def rounded_point(item: Item) -> tuple[float, float] | None:
    """Where the map shows an item: an organisation's exactly, a person's on a ~500 m grid."""
    if item.lat is None:
        return None
    if item.organisation_id:
        return item.lat, item.lng
    step_lat = PEOPLE_ROUNDING_M / M_PER_DEG
    step_lng = PEOPLE_ROUNDING_M / (M_PER_DEG * max(math.cos(math.radians(item.lat)), 0.01))
    return round(round(item.lat / step_lat) * step_lat, 5), round(round(item.lng / step_lng) * step_lng, 5)


def map_layer(user, *, bbox: tuple[float, float, float, float], limit: int = 500) -> list[dict]:
    """GeoJSON features of live items in the box, at most `limit`, newest first."""
    west, south, east, north = bbox
    rows = visible_items(user).filter(status__in=LIVE, lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    # the indexed cells of the view: fine ones for a street's view, coarse ones for a town's
    fine = cells_in_box(west, south, east, north, FINE_LEVEL, most=64)
    if fine is not None:
        rows = rows.filter(fine_cell__in=fine)
    else:
        coarse = cells_in_box(west, south, east, north, CELL_LEVEL, most=64)
        if coarse is not None:
            rows = rows.filter(cell__in=coarse)
    rows = rows.order_by("-created_at").only("pk", "title", "side", "lat", "lng", "organisation_id")[:limit]
    from squaremile.mapping.layers import feature

    features = []
    for item in rows:
        lat, lng = rounded_point(item)
        features.append(
            feature(
                lat=lat,
                lng=lng,
                title=f"{item.get_side_display()}: {item.title}",
                url=item.get_absolute_url(),
                kind=item.side,
            )  # fmt: skip
        )
    return features


def matches_of(item: Item, user) -> list[Match]:
    """The item's counterparts the viewer may see (shown to its owner and moderators)."""
    if not can(user, "exchange.see_hidden", item):
        return []
    visible = visible_items(user).filter(status=Status.OPEN)
    if item.side == Side.WANT:
        qs = Match.objects.filter(want=item, offer__in=visible).select_related(
            "offer__owner__profile", "offer__organisation"
        )
    else:
        qs = Match.objects.filter(offer=item, want__in=visible).select_related(
            "want__owner__profile", "want__organisation"
        )
    return list(qs.order_by("-score", "pk")[:20])


def ask_for(item: Item, user) -> Ask | None:
    """Whether this person was asked about the item (only they see their own ask)."""
    if not signed_in(user):
        return None
    return Ask.objects.filter(item=item, person=user).first()


def my_items(user) -> QuerySet[Item]:
    return with_related(Item.objects.filter(owner=user)).order_by("-created_at", "-pk")


def promised_to_me(user) -> QuerySet[Item]:
    return with_related(Item.objects.filter(partner=user)).order_by("-updated_at")


def asks_of(user) -> QuerySet[Ask]:
    return Ask.objects.filter(person=user, item__status=Status.OPEN).select_related("item").order_by("-created_at")


def alerts_of(user) -> QuerySet[Alert]:
    return Alert.objects.filter(owner=user).select_related("skill", "resource", "area")


# ---- "more with more" ----------------------------------------------------------------------------
@dataclass
class TermGap:
    name: str
    term: str
    offers: int
    wants: int
    url: str = ""


def area_items(area_ids: list[int]) -> QuerySet[Item]:
    return Item.objects.filter(area_id__in=area_ids, moderation=ModerationState.PUBLISHED)


def term_balance(area_ids: list[int]) -> list[dict]:
    """Per taxonomy term in the area: live offers and wants (public counts, no one named)."""
    from squaremile.directory.models import ResourceKind, Skill

    rows = (
        ItemKey.objects.filter(item__in=area_items(area_ids).filter(status__in=LIVE))
        .exclude(key__startswith=WORD_PREFIX)
        .values("key", "side")
        .annotate(n=Count("item_id"))
        .order_by()
    )
    by_term: dict[str, dict] = {}
    for r in rows:
        by_term.setdefault(r["key"], {"offer": 0, "want": 0})[r["side"]] = r["n"]
    skill_ids = [int(t[1:]) for t in by_term if t.startswith("s") and t[1:].isdigit()]
    res_ids = [int(t[1:]) for t in by_term if t.startswith("r") and t[1:].isdigit()]
    names = {f"s{s.pk}": s for s in Skill.objects.filter(pk__in=skill_ids)}
    names.update({f"r{r.pk}": r for r in ResourceKind.objects.filter(pk__in=res_ids)})
    out = []
    for term, counts in by_term.items():
        obj = names.get(term)
        if obj is None:
            continue
        out.append({"term": term, "obj": obj, "name": obj.name, "offers": counts["offer"], "wants": counts["want"]})
    out.sort(key=lambda r: (-(r["offers"] + r["wants"]), r["name"]))
    return out


def needs_met_by_month(area_ids: list[int], *, months: int = 12) -> list[dict]:
    since = timezone.now() - timedelta(days=31 * months)
    rows = (
        area_items(area_ids)
        .filter(side=Side.WANT, status=Status.DONE, met_at__gte=since)
        .annotate(month=TruncMonth("met_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [{"month": r["month"], "n": r["n"]} for r in rows]


def organisations_offering(area, term: str, *, limit: int = 3) -> tuple[list, int]:
    """Organisations in the directory that list the term as a skill or resource, serving the area."""
    from squaremile.directory.models import Organisation

    qs = Organisation.objects.all()
    qs = qs.filter(skills=int(term[1:])) if term.startswith("s") else qs.filter(resources=int(term[1:]))
    qs = qs.filter(Q(area=area) | Q(areas_served=area)).distinct()
    return list(qs.order_by("name")[:limit]), qs.count()


def network_skills_views(area, area_ids: list[int]) -> list[dict]:
    """The network map's skills view of each published survey of the area (or an area inside it)."""
    from django.urls import reverse

    from squaremile.network.models import Survey

    surveys = Survey.objects.filter(is_published=True, area_id__in=area_ids).order_by("title")[:3]
    return [{"title": s.title, "url": reverse("network:skills", args=[s.slug])} for s in surveys]


def kinds() -> list:
    return list(Kind.choices)
