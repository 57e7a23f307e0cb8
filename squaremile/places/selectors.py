"""Reads for places: lists, point-in-area and "near me"."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from squaremile.core.geo import bbox_around, haversine_m
from squaremile.places.geometry import contains
from squaremile.places.models import Area, AreaKind, Place, lookup_key


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


# ---- the gazetteer: a place name or postcode typed instead of a point tapped --------------------
ZOOM_FOR_KIND = {
    "street": 16, "postcode": 17, "landmark": 17, "locality": 14,  # gazetteer rows
    "neighbourhood": 15, "village": 15, "ward": 14, "parish": 13, "town": 12, "district": 11,  # areas
    "county": 9, "region": 9,
}  # fmt: skip


@dataclass(frozen=True)
class PlaceMatch:
    name: str
    context: str
    kind: str  # an AreaKind or PlaceKind value, or "area"
    kind_label: str
    lat: float
    lng: float
    exact: bool

    @property
    def zoom(self) -> int:
        return ZOOM_FOR_KIND.get(self.kind, 15)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.context}" if self.context else self.name


def lookup_places(text: str, *, limit: int = 8) -> list[PlaceMatch]:
    """Areas and gazetteer places whose names match what was typed: exact names first, then areas,
    then the shortest names. Areas match anywhere in the name; gazetteer rows (which may number
    millions) by the start of their key, through its index."""
    key = lookup_key(text or "")
    if len(key) < 2:
        return []
    words = (text or "").strip()[:100]
    found: list[PlaceMatch] = []
    areas = (
        Area.objects.filter(centroid_lat__isnull=False, name__icontains=words)
        .select_related("parent")
        .only("name", "kind", "centroid_lat", "centroid_lng", "parent__name")
        .order_by("name")[: limit * 2]
    )
    for a in areas:
        found.append(
            PlaceMatch(
                name=a.name, context=a.parent.name if a.parent else "", kind=a.kind, kind_label=a.get_kind_display(),
                lat=a.centroid_lat, lng=a.centroid_lng, exact=lookup_key(a.name) == key,
            )
        )  # fmt: skip
    for p in Place.objects.filter(key__startswith=key).order_by("key", "name")[: limit * 2]:
        found.append(
            PlaceMatch(
                name=p.name, context=p.context, kind=p.kind, kind_label=p.get_kind_display(),
                lat=p.lat, lng=p.lng, exact=p.key == key,
            )
        )  # fmt: skip
    is_area = {k for k, _ in AreaKind.choices}
    found.sort(key=lambda m: (not m.exact, m.kind not in is_area, len(m.name), m.name, m.context))
    return found[:limit]


def resolve_place(text: str) -> tuple[PlaceMatch | None, list[PlaceMatch]]:
    """The one place a typed name means, or (None, the candidates) when it is unknown or ambiguous."""
    matches = lookup_places(text, limit=6)
    exact = [m for m in matches if m.exact]
    if len(exact) == 1 or (len(matches) == 1):
        return (exact or matches)[0], matches
    return None, matches
