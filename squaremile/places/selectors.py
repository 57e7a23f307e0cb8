"""Reads for places: lists, point-in-area and "near me"."""

from django.db.models import Count, Q, QuerySet

from squaremile.core.geo import bbox_around, haversine_m
from squaremile.places.geometry import contains
from squaremile.places.models import Area


def area_list() -> QuerySet[Area]:
    return Area.objects.select_related("parent").defer("boundary").order_by("name")


def areas_with_counts() -> QuerySet[Area]:
    return area_list().annotate(child_count=Count("children", distinct=True))


def areas_containing(*, lat: float, lng: float) -> list[Area]:
    """Every area whose boundary holds the point, most specific (smallest) first."""
    candidates = Area.objects.filter(
        boundary__isnull=False, min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng
    ).order_by("area_sq_deg")
    return [a for a in candidates if contains(a.boundary, lat, lng)]


def area_for_point(*, lat: float | None, lng: float | None) -> Area | None:
    if lat is None or lng is None:
        return None
    found = areas_containing(lat=lat, lng=lng)
    return found[0] if found else None


def descendant_ids(area: Area) -> list[int]:
    """The area and every area below it (breadth-first, one query per level)."""
    ids, frontier = [area.pk], [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.extend(frontier)
    return ids


def ancestors(area: Area) -> list[Area]:
    chain, seen, current = [], {area.pk}, area.parent
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.parent
    return list(reversed(chain))


def near(queryset: QuerySet, *, lat: float, lng: float, radius_m: float, limit: int = 50):
    """Rows of a queryset with `lat`/`lng` columns within `radius_m`, nearest first, each with
    `distance_m` set. The indexed bounding box does the heavy lifting; the exact distance is
    computed only for the rows inside it."""
    min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, radius_m)
    box = Q(lat__gte=min_lat, lat__lte=max_lat)
    if min_lng > -180 and max_lng < 180:
        box &= Q(lng__gte=min_lng, lng__lte=max_lng)
    # else the circle reaches the antimeridian or a pole, where the box's longitudes would wrap:
    # keep the latitude band and let the exact distance decide.
    rows = queryset.filter(box).order_by()
    found = []
    for row in rows:
        d = haversine_m(lat, lng, row.lat, row.lng)
        if d <= radius_m:
            row.distance_m = d
            found.append(row)
    found.sort(key=lambda r: r.distance_m)
    return found[:limit], len(found)
