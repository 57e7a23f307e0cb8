"""Which body a problem goes to: by where it is and what kind of problem it is.

A body handles some categories in some areas. For a point and a category, the candidates are the
bodies that handle the category and whose areas' bounding boxes (widened by `NEAR_M`) hold the point
— one indexed query, whatever the number of boundaries. Each candidate's boundary is then tested
exactly (shapely): the body whose area holds the point and is the most local (smallest) is chosen;
a body whose area does *not* hold the point but lies within `NEAR_M` of it is "near", and then the
reporter is asked which side the problem is on (a boundary drawn on a map is rarely exact to the
metre, and a report sent to the wrong body is the commonest complaint about such services).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from shapely import affinity
from shapely.geometry import Point, shape

from squaremile.civic.models import Body, ProblemCategory

NEAR_M = 100.0
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG_EQ = 111_320.0


@dataclass
class Candidate:
    body: Body
    area_id: int
    area_name: str
    distance_m: float  # 0 when the area holds the point
    size: float


@dataclass
class Routing:
    chosen: Body | None = None
    chosen_area_id: int | None = None
    inside: list[Candidate] = field(default_factory=list)
    near: list[Candidate] = field(default_factory=list)

    @property
    def ask_which_side(self) -> bool:
        return bool(self.near) and self.chosen is not None

    @property
    def choices(self) -> list[Body]:
        """The bodies the reporter chooses between: the chosen one, then each one nearby."""
        seen, out = set(), []
        for c in ([self.inside[0]] if self.inside else []) + self.near:
            if c.body.pk not in seen:
                seen.add(c.body.pk)
                out.append(c.body)
        return out


def _metres_from(geom, lat: float, lng: float) -> float:
    """Distance in metres from the point to the geometry, on a local flat projection (good to a
    fraction of a metre at 100 m)."""
    squeeze = math.cos(math.radians(lat))
    flat = affinity.scale(geom, xfact=squeeze, yfact=1.0, origin=(lng, lat))
    return flat.distance(Point(lng, lat)) * M_PER_DEG_LAT


def candidates(*, lat: float, lng: float, category: ProblemCategory | int, near_m: float = NEAR_M):
    """(body id, area id, area name, boundary, size) rows whose widened bounding box holds the point."""
    from squaremile.places.models import Area

    dlat = near_m / M_PER_DEG_LAT
    dlng = near_m / (M_PER_DEG_LNG_EQ * max(math.cos(math.radians(lat)), 0.01))
    category_id = category if isinstance(category, int) else category.pk
    through = Body.areas.through
    area_ids = Area.objects.filter(
        min_lat__lte=lat + dlat, max_lat__gte=lat - dlat, min_lng__lte=lng + dlng, max_lng__gte=lng - dlng,
        boundary__isnull=False,
    ).values("pk")  # fmt: skip
    return list(
        through.objects.filter(area_id__in=area_ids, body__categories=category_id).values_list(
            "body_id", "area_id", "area__name", "area__boundary", "area__area_sq_deg"
        )
    )


def route(*, lat: float, lng: float, category: ProblemCategory | int, near_m: float = NEAR_M) -> Routing:
    rows = candidates(lat=lat, lng=lng, category=category, near_m=near_m)
    inside: list[tuple] = []
    near: list[tuple] = []
    point = Point(lng, lat)
    for body_id, area_id, area_name, boundary, size in rows:
        try:
            geom = shape(boundary)
        except Exception:  # noqa: S112 - a stored boundary was checked on save; skip anything odd
            continue
        if geom.covers(point):
            inside.append((body_id, area_id, area_name, 0.0, size or geom.area))
            continue
        d = _metres_from(geom, lat, lng)
        if d <= near_m:
            near.append((body_id, area_id, area_name, d, size or geom.area))
    bodies = Body.objects.in_bulk({r[0] for r in inside} | {r[0] for r in near})
    result = Routing()
    result.inside = sorted(
        (Candidate(bodies[r[0]], r[1], r[2], r[3], r[4]) for r in inside), key=lambda c: (c.size, c.body.name)
    )
    if result.inside:
        result.chosen = result.inside[0].body
        result.chosen_area_id = result.inside[0].area_id
        inside_ids = {c.body.pk for c in result.inside}
        # only a body of the same standing (an area no bigger than ten times the chosen one's) across
        # a boundary is a real alternative: the county next door is not asked about a parish lamp
        limit = result.inside[0].size * 10
        result.near = sorted(
            (Candidate(bodies[r[0]], r[1], r[2], r[3], r[4]) for r in near if r[0] not in inside_ids and r[4] <= limit),
            key=lambda c: (c.distance_m, c.body.name),
        )
    else:  # outside every body's area, but close to one: offer it
        result.near = sorted(
            (Candidate(bodies[r[0]], r[1], r[2], r[3], r[4]) for r in near), key=lambda c: (c.distance_m, c.body.name)
        )
        if result.near:
            result.chosen, result.chosen_area_id = result.near[0].body, result.near[0].area_id
            result.inside, result.near = [result.near[0]], result.near[1:]
    return result


def bodies_for_point(*, lat: float, lng: float) -> list[Body]:
    """Every body whose areas hold the point, most local first (for "who serves my square mile")."""
    from squaremile.places.selectors import areas_containing

    areas = areas_containing(lat=lat, lng=lng)
    order = {a.pk: i for i, a in enumerate(areas)}
    through = Body.areas.through
    best: dict[int, int] = {}
    for body_id, area_id in through.objects.filter(area_id__in=list(order)).values_list("body_id", "area_id"):
        best[body_id] = min(best.get(body_id, 10**9), order[area_id])
    found = Body.objects.filter(pk__in=list(best)).prefetch_related("categories")
    return sorted(found, key=lambda b: (best[b.pk], b.name))
