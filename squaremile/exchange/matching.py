"""Finding and ranking the counterparts of a want or an offer, with the reason in plain words.

Reads only: the services decide whom to tell. The work is done in SQL over a small candidate set:

1. **keys and cells**: open counterparts that share any taxonomy term with the item — or, when
   either of the two has no term, a significant word of its text — whose map cell (a tile at
   `CELL_LEVEL`) lies within reach (the item's radius plus the farthest any item reaches), or that
   are "online or anywhere" (cell -1): ranges of the `exch_key` index (`ItemKey`: side, key, cell);
2. **reach**: an equirectangular distance, computed in SQL (no trigonometry, so the same on SQLite and
   PostgreSQL), within the sum of the two radii (both square miles overlap);
3. **order**: nearest first, the freshest breaking ties, `LIMIT CANDIDATES`;
4. **rank** the few rows left in Python: a shared term, nearness, words in common, the same kind of
   exchange, and the reason is written out ("offers Car or van · 0.4 miles away · weekends").

People whose profile lists one of the terms and who are willing to share are found through the
taxonomy's link tables and their square mile (or, without one, their home area, when it is local;
or anywhere, for an "online or anywhere" want), only when their skills are visible to the item's
owner; they are *asked* (told), never listed to anyone else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import ExpressionWrapper, F, FloatField, Q, Value

from squaremile.core.geo import MILE_M, bbox_around
from squaremile.core.visibility import visible_q
from squaremile.exchange.models import (
    ANYWHERE_CELL,
    CELL_LEVEL,
    MAX_RADIUS_M,
    WORD_PREFIX,
    Item,
    ItemKey,
    Side,
    Status,
    Where,
    word_keys,
    words,
)
from squaremile.mapping.cells.tiles import tile
from squaremile.moderation.models import ModerationState

M_PER_DEG = 111_195.0
CANDIDATES = 40  # rows read from SQL for ranking
ANYWHERE_D_M = 3000.0  # how far an "online or anywhere" counterpart counts as, for ordering
TERM_BONUS = 20  # a shared skill or resource counts for more than words alone


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
    shared: list = field(default_factory=list)  # names of the terms both share
    common: set = field(default_factory=set)  # words both mention


def counterpart_side(side: str) -> str:
    return Side.OFFER if side == Side.WANT else Side.WANT


def _key_filter(item: Item) -> Q | None:
    """Which counterparts' keys count: any of its terms; and its words, against counterparts without
    a term (or against every counterpart when the item itself has none)."""
    terms = list(item.terms)
    wkeys = word_keys(item.title, item.details)
    if terms:
        q = Q(key__in=terms)
        if wkeys:
            q |= Q(key__in=wkeys, tagged=False)
        return q
    return Q(key__in=wkeys) if wkeys else None


def candidate_items(item: Item, *, limit: int = CANDIDATES, exclude_owner_ids=()):
    """The open counterparts of `item` within reach, nearest first (one SQL query)."""
    keyed = _key_filter(item)
    if keyed is None:
        return Item.objects.none()
    keys = ItemKey.objects.filter(keyed, side=counterpart_side(item.side))
    near = item.where != Where.ANYWHERE and item.lat is not None
    if near:
        keys = keys.filter(cell__in=cells_within(item.lat, item.lng, item.radius_m + MAX_RADIUS_M))
    qs = Item.objects.filter(
        pk__in=keys.values("item_id"), status=Status.OPEN, moderation=ModerationState.PUBLISHED
    ).exclude(owner_id=item.owner_id)
    if item.pk:
        qs = qs.exclude(pk=item.pk)
    if exclude_owner_ids:
        qs = qs.exclude(owner_id__in=list(exclude_owner_ids))
    if not near:
        qs = qs.order_by("-created_at", "-pk")
    else:
        qs = qs.annotate(d2=_d2(item.lat, item.lng))
        # both square miles overlap: d <= r1 + r2 (rows without a point are "anywhere")
        r = F("radius_m") + Value(item.radius_m)
        qs = qs.filter(Q(lat__isnull=True) | Q(d2__lte=ExpressionWrapper(r * r, output_field=FloatField())))
        qs = qs.order_by(F("d2").asc(nulls_last=True), "-created_at", "-pk")
    return qs.select_related("owner__profile", "organisation")[:limit]


def _distance(item: Item, other) -> float | None:
    d2 = getattr(other, "d2", None)
    if d2 is None or item.lat is None:
        return None
    return math.sqrt(max(d2, 0.0))


def term_names(keys) -> dict[str, str]:
    """{"s12": "First aid", "r5": "Car or van"} for the given term keys (two small queries at most)."""
    from squaremile.directory.models import ResourceKind, Skill

    keys = [k for k in keys if k and not k.startswith(WORD_PREFIX)]
    s_ids = [int(k[1:]) for k in keys if k[0] == "s" and k[1:].isdigit()]
    r_ids = [int(k[1:]) for k in keys if k[0] == "r" and k[1:].isdigit()]
    out = {}
    if s_ids:
        out.update({f"s{pk}": name for pk, name in Skill.objects.filter(pk__in=s_ids).values_list("pk", "name")})
    if r_ids:
        out.update({f"r{pk}": name for pk, name in ResourceKind.objects.filter(pk__in=r_ids).values_list("pk", "name")})
    return out


def reason_for(item: Item, other: Item, distance_m: float | None, common: set[str], shared: list[str] = ()) -> str:
    """Why `other` is shown to `item`'s owner, in plain words: what it offers or needs (the shared
    skills and resources, or its title when only words meet), how far, when, the words in common."""
    if shared:
        parts = [f"{other.verb} {' and '.join(shared[:2])}" + (" and more" if len(shared) > 2 else "")]
    else:
        parts = [f"{other.verb} “{other.title[:60]}”"]
    parts.append(miles(distance_m))
    if other.when_note:
        parts.append(other.when_note)
    if common:
        parts.append(("also mentions " if shared else "mentions ") + ", ".join(sorted(common)[:3]))
    return " · ".join(parts)[:300]


def shared_terms(item: Item, rows) -> dict[int, list[str]]:
    """{counterpart id: names of the terms it shares with `item`} (one query)."""
    terms = list(item.terms)
    if not terms or not rows:
        return {}
    names = term_names(terms)
    out: dict[int, list[str]] = {}
    pairs = ItemKey.objects.filter(item_id__in=[r.pk for r in rows], key__in=terms).values_list("item_id", "key")
    for item_id, key in pairs:
        if key in names:
            out.setdefault(item_id, []).append(names[key])
    return {k: sorted(v) for k, v in out.items()}


def rank(item: Item, rows, shared: dict[int, list[str]] | None = None) -> list[Found]:
    mine = words(f"{item.title} {item.details}")
    shared = shared if shared is not None else shared_terms(item, rows)
    found = []
    for other in rows:
        d = _distance(item, other)
        reach = item.radius_m + other.radius_m
        near = 1.0 - min(d / reach, 1.0) if d is not None else 0.5
        common = mine & words(f"{other.title} {other.details}")
        names = shared.get(other.pk, [])
        if not names and not common:
            continue  # keys can meet on a word the ranking does not count (never happens: same rule)
        score = 60 * near + 10 * min(len(common), 3) + (10 if other.kind == item.kind else 0)
        score += TERM_BONUS if names else 0
        reason = reason_for(item, other, d, common, names)
        found.append(Found(item=other, score=round(score, 2), distance_m=d, reason=reason, shared=names,
                           common=common))  # fmt: skip
    found.sort(key=lambda f: (-f.score, f.item.pk))
    return found


def find_matches(item: Item, *, limit: int = 10, exclude_owner_ids=()) -> list[Found]:
    """The ranked counterparts of `item` (at most `limit`), each with its reason."""
    rows = list(candidate_items(item, exclude_owner_ids=exclude_owner_ids))
    return rank(item, rows)[:limit]


# ---- people whose profile says they can share it --------------------------------------------
@dataclass
class Candidate:
    person: object  # a User
    distance_m: float | None
    reason: str


LOCAL_AREA_M = 2 * MAX_RADIUS_M  # a home area this wide or less counts as "near" for people without a point


def _local_areas(item: Item) -> list:
    """The item's area and the areas above it that are local (no wider than LOCAL_AREA_M): people
    whose home area is one of them, and who set no square mile, live near enough to be asked."""
    from squaremile.places.selectors import ancestors

    area = item.area if item.area_id else None
    if area is None:
        return []
    out = []
    for a in [area, *reversed(ancestors(area))]:
        if a.min_lat is None or a.max_lat is None or a.min_lng is None or a.max_lng is None:
            continue
        height = (a.max_lat - a.min_lat) * M_PER_DEG
        width = (a.max_lng - a.min_lng) * M_PER_DEG * math.cos(math.radians((a.max_lat + a.min_lat) / 2))
        if max(height, width) > LOCAL_AREA_M:
            break  # and every area above it is wider still
        out.append(a)
    return out


def candidate_people(item: Item, *, limit: int = 10, exclude_user_ids=()) -> list[Candidate]:
    """People willing to share one of `item`'s terms (as a want's helpers), only those whose skills
    and resources the item's owner may see. Asked, never listed. Who counts as near:

    * an item at a point: people whose square mile overlaps it, nearest first; then people who set no
      square mile but whose home area holds the item and is local (a village, a ward: no wider than
      20 miles) — they said where they live, so a neighbour's need there is theirs to hear about;
    * an "online or anywhere" item: willing people wherever they are, with or without a square mile
      (the most willing first).

    People with neither a square mile nor a home area are asked about "online or anywhere" wants only."""
    from squaremile.accounts.models import Profile
    from squaremile.directory.models import ResourceKind, Skill

    terms = list(item.terms)
    if item.side != Side.WANT or not terms:
        return []
    skill_ids = [int(t[1:]) for t in terms if t[0] == "s"]
    res_ids = [int(t[1:]) for t in terms if t[0] == "r"]
    s_link, r_link = Skill.people.through, ResourceKind.people.through
    has = Q(pk__in=[])
    if skill_ids:
        has |= Q(pk__in=s_link.objects.filter(skill_id__in=skill_ids).values("profile_id"))
    if res_ids:
        has |= Q(pk__in=r_link.objects.filter(resourcekind_id__in=res_ids).values("profile_id"))
    viewer = item.owner
    rule = {"action": "profile.see_hidden", "owner_field": "user"}
    qs = Profile.objects.filter(has, user__is_active=True, willingness__gte=1).filter(
        visible_q(viewer, visibility_field="skills_visibility", **rule)
    )
    qs = qs.exclude(user_id=item.owner_id)
    if exclude_user_ids:
        qs = qs.exclude(user_id__in=list(exclude_user_ids))
    found: list[tuple] = []  # (profile, distance, where words)
    if item.lat is None:
        for p in qs.select_related("user").order_by("-willingness", "user_id")[:limit]:
            found.append((p, None, "online or anywhere"))
    else:
        min_lat, min_lng, max_lat, max_lng = bbox_around(item.lat, item.lng, item.radius_m + MAX_RADIUS_M)
        near = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        near = near.annotate(d2=_d2(item.lat, item.lng))
        r = F("radius_m") + Value(item.radius_m)
        near = near.filter(d2__lte=ExpressionWrapper(r * r, output_field=FloatField())).order_by("d2", "user_id")
        for p in near.select_related("user")[:limit]:
            d = math.sqrt(max(p.d2, 0.0))
            found.append((p, d, f"{miles(d).replace(' away', '')} from your square mile"))
        areas = _local_areas(item) if len(found) < limit else []
        if areas:
            names = {a.pk: a.name for a in areas}
            rest = qs.filter(lat__isnull=True, home_area_id__in=list(names)).select_related("user")
            for p in rest.order_by("-willingness", "user_id")[: limit - len(found)]:
                found.append((p, None, f"in {names[p.home_area_id]}, where you live"))
    if not found:
        return []
    shares = _what_each_shares([p.pk for p, _, _ in found], skill_ids, res_ids)
    out = []
    for p, d, where in found:
        what = " and ".join(shares.get(p.pk, [])[:2]) or "this"
        reason = f"you said you can share {what} · {where}"
        if item.when_note:
            reason += f" · {item.when_note}"
        out.append(Candidate(p.user, d, reason[:300]))
    return out


def _what_each_shares(profile_ids, skill_ids, res_ids) -> dict[int, list[str]]:
    """{profile id: names of the item's terms the profile lists} (two small queries at most)."""
    from squaremile.directory.models import ResourceKind, Skill

    out: dict[int, list[str]] = {}
    if skill_ids:
        rows = Skill.people.through.objects.filter(profile_id__in=profile_ids, skill_id__in=skill_ids)
        for pid, name in rows.values_list("profile_id", "skill__name"):
            out.setdefault(pid, []).append(name)
    if res_ids:
        rows = ResourceKind.people.through.objects.filter(profile_id__in=profile_ids, resourcekind_id__in=res_ids)
        for pid, name in rows.values_list("profile_id", "resourcekind__name"):
            out.setdefault(pid, []).append(name)
    return {k: sorted(v) for k, v in out.items()}


# ---- the obvious way, for the benchmark's ratio -------------------------------------------
def baseline_matches(item: Item, *, limit: int = 10) -> list[Found]:
    """Load every open counterpart (and every item's terms) and score it in Python: what one writes first."""
    from squaremile.core.geo import haversine_m

    mine = words(f"{item.title} {item.details}")
    terms = set(item.terms)
    names = term_names(terms)
    side = counterpart_side(item.side)
    item_terms: dict[int, set] = {}
    for item_id, skill_id in Item.skills.through.objects.filter(item__side=side).values_list("item_id", "skill_id"):
        item_terms.setdefault(item_id, set()).add(f"s{skill_id}")
    for item_id, res_id in Item.resources.through.objects.filter(item__side=side).values_list(
        "item_id", "resourcekind_id"
    ):
        item_terms.setdefault(item_id, set()).add(f"r{res_id}")
    found = []
    for other in Item.objects.filter(side=side, status=Status.OPEN):
        if other.owner_id == item.owner_id:
            continue
        theirs = item_terms.get(other.pk, set())
        shared = sorted(names[t] for t in terms & theirs if t in names)
        common = mine & words(f"{other.title} {other.details}")
        if not shared and not (common and (not terms or not theirs)):
            continue
        if item.lat is not None and other.lat is not None:
            d = haversine_m(item.lat, item.lng, other.lat, other.lng)
            if d > item.radius_m + other.radius_m:
                continue
        else:
            d = None
        near = 1.0 - min(d / (item.radius_m + other.radius_m), 1.0) if d is not None else 0.5
        score = 60 * near + 10 * min(len(common), 3) + (10 if other.kind == item.kind else 0)
        score += TERM_BONUS if shared else 0
        found.append(Found(item=other, score=score, distance_m=d, reason=reason_for(item, other, d, common, shared)))
    found.sort(key=lambda f: (-f.score, f.item.pk))
    return found[:limit]
