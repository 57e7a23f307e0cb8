"""Finding and ranking the counterparts of a want or an offer, with the reason in plain words.

Reads only: the services decide whom to tell. The work is done in SQL over a small candidate set:

1. **term and cell**: open counterparts with the same taxonomy term whose map cell (`Item.cell`, a
   tile at `CELL_LEVEL`) lies within reach (the item's radius plus the farthest any item reaches),
   or that are "online or anywhere" (cell -1): one range of the `exch_match` index per cell;
2. **reach**: an equirectangular distance, computed in SQL (no trigonometry, so the same on SQLite and
   PostgreSQL), within the sum of the two radii (both square miles overlap);
3. **order**: nearest first, the freshest breaking ties, `LIMIT CANDIDATES`;
4. **rank** the few rows left in Python: nearness, words in common, the same kind of exchange,
   and the reason is written out ("offers Car or van · 0.4 miles away · weekends").

People whose profile lists the term and who are willing to share are found the same way through
the taxonomy's link table and their square mile, only when their skills are visible to the item's
owner; they are *asked* (told), never listed to anyone else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Q, Value

from squaremile.core.geo import MILE_M, bbox_around
from squaremile.core.visibility import visible_q
from squaremile.exchange.models import (
    ANYWHERE_CELL,
    CELL_LEVEL,
    MAX_RADIUS_M,
    Item,
    Side,
    Status,
    Where,
)
from squaremile.mapping.cells.tiles import tile
from squaremile.moderation.models import ModerationState

M_PER_DEG = 111_195.0
CANDIDATES = 40  # rows read from SQL for ranking
ANYWHERE_D_M = 3000.0  # how far an "online or anywhere" counterpart counts as, for ordering
STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "need",
        "needs",
        "want",
        "wants",
        "offer",
        "offers",
        "can",
        "any",
        "some",
        "please",
        "help",
        "would",
        "like",
        "your",
        "you",
        "our",
        "are",
        "get",
        "got",
        "who",
        "has",
        "was",
        "will",
        "just",
        "into",
        "about",
        "able",
        "anyone",
        "someone",
    ]
)


def words(text: str) -> set[str]:
    found = set()
    for w in re.findall(r"[a-z]{3,}", (text or "").lower()):
        if w in STOP:
            continue
        found.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return found


def miles(distance_m: float | None) -> str:
    if distance_m is None:
        return "online or anywhere"
    m = distance_m / MILE_M
    if m < 0.1:
        return "less than 0.1 miles away"
    if m < 10:
        return f"{m:.1f} miles away"
    return f"{m:.0f} miles away"


def cells_within(lat: float, lng: float, reach_m: float, level: int = CELL_LEVEL) -> list[int]:
    """The cell keys of every tile the circle's box touches, and the "anywhere" cell."""
    min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, reach_m)
    return cells_in_box(min_lng, min_lat, max_lng, max_lat, level) or []


def cells_in_box(west: float, south: float, east: float, north: float, level: int, most: int = 10_000):
    """The keys of the tiles a box touches (and the "anywhere" cell), or None when more than `most`."""
    x0, y1 = tile(south, west, level)  # south-west: smallest x, largest y
    x1, y0 = tile(north, east, level)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > most:
        return None
    keys = [ANYWHERE_CELL]
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            keys.append((x << level) | y)
    return keys


def _d2(lat: float, lng: float):
    """Squared distance in metres from (lat, lng), as an SQL expression over `lat`/`lng` columns."""
    kx = M_PER_DEG * math.cos(math.radians(lat))
    dy = (F("lat") - Value(lat)) * Value(M_PER_DEG)
    dx = (F("lng") - Value(lng)) * Value(kx)
    return ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField())


@dataclass
class Found:
    item: Item
    score: float
    distance_m: float | None
    reason: str


def counterpart_side(side: str) -> str:
    return Side.OFFER if side == Side.WANT else Side.WANT


def candidate_items(item: Item, *, limit: int = CANDIDATES, exclude_owner_ids=()):
    """The open counterparts of `item` within reach, nearest first (one SQL query)."""
    qs = Item.objects.filter(
        side=counterpart_side(item.side),
        status=Status.OPEN,
        term=item.term,
        moderation=ModerationState.PUBLISHED,
    ).exclude(owner_id=item.owner_id)
    if item.pk:
        qs = qs.exclude(pk=item.pk)
    if exclude_owner_ids:
        qs = qs.exclude(owner_id__in=list(exclude_owner_ids))
    if item.where == Where.ANYWHERE or item.lat is None:
        qs = qs.order_by("-created_at")
    else:
        reach = item.radius_m + MAX_RADIUS_M
        qs = qs.filter(cell__in=cells_within(item.lat, item.lng, reach)).annotate(d2=_d2(item.lat, item.lng))
        # both square miles overlap: d <= r1 + r2 (rows without a point are "anywhere")
        r = F("radius_m") + Value(item.radius_m)
        qs = qs.filter(Q(lat__isnull=True) | Q(d2__lte=ExpressionWrapper(r * r, output_field=FloatField())))
        qs = qs.order_by(F("d2").asc(nulls_last=True), "-created_at")
    return qs.select_related("skill", "resource", "owner__profile", "organisation")[:limit]


def _distance(item: Item, other) -> float | None:
    d2 = getattr(other, "d2", None)
    if d2 is None or item.lat is None:
        return None
    return math.sqrt(max(d2, 0.0))


def reason_for(item: Item, other: Item, distance_m: float | None, common: set[str]) -> str:
    what = other.what.name if other.what else ""
    parts = [f"{other.verb} {what}".strip()]
    parts.append(miles(distance_m))
    if other.when_note:
        parts.append(other.when_note)
    if common:
        parts.append("also mentions " + ", ".join(sorted(common)[:3]))
    return " · ".join(parts)[:300]


def rank(item: Item, rows) -> list[Found]:
    mine = words(f"{item.title} {item.details}")
    found = []
    for other in rows:
        d = _distance(item, other)
        reach = item.radius_m + other.radius_m
        near = 1.0 - min(d / reach, 1.0) if d is not None else 0.5
        common = mine & words(f"{other.title} {other.details}")
        score = 60 * near + 10 * min(len(common), 3) + (10 if other.kind == item.kind else 0)
        found.append(Found(item=other, score=round(score, 2), distance_m=d, reason=reason_for(item, other, d, common)))
    found.sort(key=lambda f: (-f.score, f.item.pk))
    return found


def find_matches(item: Item, *, limit: int = 10, exclude_owner_ids=()) -> list[Found]:
    """The ranked counterparts of `item` (at most `limit`), each with its reason."""
    if not item.term:
        return []
    rows = list(candidate_items(item, exclude_owner_ids=exclude_owner_ids))
    return rank(item, rows)[:limit]


# ---- people whose profile says they can share it --------------------------------------------
@dataclass
class Candidate:
    person: object  # a User
    distance_m: float | None
    reason: str


def candidate_people(item: Item, *, limit: int = 10, exclude_user_ids=()) -> list[Candidate]:
    """People willing to share `item`'s term (as a want's helpers), nearest first, only those whose
    skills and resources the item's owner may see. Asked, never listed."""
    from squaremile.accounts.models import Profile

    if item.side != Side.WANT or not item.term:
        return []
    viewer = item.owner
    rule = {"action": "profile.see_hidden", "owner_field": "user"}
    qs = Profile.objects.filter(user__is_active=True, willingness__gte=1).filter(
        visible_q(viewer, visibility_field="skills_visibility", **rule)
    )
    qs = qs.filter(skills=item.skill_id) if item.skill_id else qs.filter(resources=item.resource_id)
    qs = qs.exclude(user_id=item.owner_id)
    if exclude_user_ids:
        qs = qs.exclude(user_id__in=list(exclude_user_ids))
    what = item.what.name
    if item.lat is None:
        rows = list(qs.select_related("user").order_by("-willingness", "user_id")[:limit])
        return [Candidate(p.user, None, f"you said you can share {what} · online or anywhere") for p in rows]
    min_lat, min_lng, max_lat, max_lng = bbox_around(item.lat, item.lng, item.radius_m + MAX_RADIUS_M)
    qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    qs = qs.annotate(d2=_d2(item.lat, item.lng))
    r = F("radius_m") + Value(item.radius_m)
    qs = qs.filter(d2__lte=ExpressionWrapper(r * r, output_field=FloatField())).order_by("d2", "user_id")
    out = []
    for p in qs.select_related("user")[:limit]:
        d = math.sqrt(max(p.d2, 0.0))
        reason = f"you said you can share {what} · {miles(d).replace(' away', '')} from your square mile"
        if item.when_note:
            reason += f" · {item.when_note}"
        out.append(Candidate(p.user, d, reason[:300]))
    return out


# ---- the obvious way, for the benchmark's ratio -------------------------------------------
def baseline_matches(item: Item, *, limit: int = 10) -> list[Found]:
    """Load every open counterpart and score it in Python (what one writes first)."""
    from squaremile.core.geo import haversine_m

    mine = words(f"{item.title} {item.details}")
    found = []
    for other in Item.objects.filter(side=counterpart_side(item.side), status=Status.OPEN).select_related(
        "skill", "resource"
    ):
        if other.term != item.term or other.owner_id == item.owner_id:
            continue
        if item.lat is not None and other.lat is not None:
            d = haversine_m(item.lat, item.lng, other.lat, other.lng)
            if d > item.radius_m + other.radius_m:
                continue
        else:
            d = None
        common = mine & words(f"{other.title} {other.details}")
        near = 1.0 - min(d / (item.radius_m + other.radius_m), 1.0) if d is not None else 0.5
        score = 60 * near + 10 * min(len(common), 3) + (10 if other.kind == item.kind else 0)
        found.append(Found(item=other, score=score, distance_m=d, reason=reason_for(item, other, d, common)))
    found.sort(key=lambda f: (-f.score, f.item.pk))
    return found[:limit]
