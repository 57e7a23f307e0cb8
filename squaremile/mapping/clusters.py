# ruff: noqa: S608 -- the SQL here names only model tables and integer constants; values are parameters
"""Server-side clustering of map entries from precomputed grid cells.

Every entry stores the Web-Mercator tile x/y of its point at zoom level 20 (`Entry.cx20`,
`Entry.cy20`, indexed). The tile of any coarser level L is a right shift: `cx20 >> (20 - L)`,
which SQLite and PostgreSQL both compute with the same `>>` operator.

`ClusterCell` holds, for every level 0..MAX_LEVEL, how many published entries fall in each cell,
split by category, verified flag and area, with the sums of their coordinates (so a cluster is
drawn at the centre of its entries, not of its cell). A viewport at map zoom z is answered from
level z + 2 (cells of about 64 screen pixels): one indexed range query whose result has at most
MAX_CELLS x categories rows, however many entries the view holds. Free-text and date filters
cannot use the aggregates; they group the matching entries in view by the shifted entry columns.

Keeping the cells right:
* `snapshot(entry)` before and after a change, `apply(before, after)` in the same transaction
  (the services do this); `apply_many` for bulk changes.
* `rebuild()` recomputes every cell from the entries (after big imports, seeding, or by
  `manage.py rebuild_map_cells`).
* Bulk inserts (which skip `Entry.save()`) must set `cell_columns(lat, lng)` on each entry.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse

from squaremile.mapping.models import ClusterCell, Entry, EntryStatus

FINE_LEVEL = 20  # the level of the per-entry columns
MAX_LEVEL = 18  # the finest precomputed level (zoom 16 at 64 px cells)
MAX_ZOOM = 20  # the deepest map zoom the API accepts
MAX_MERCATOR_LAT = 85.0511287798066
CELL_ZOOM_OFFSET = 2  # level = zoom + 2: cells a quarter of a 256 px tile wide
MAX_CELLS = 2048  # a viewport never spans more cells than this; coarser levels are used instead
MARKERS_BELOW = 300  # a view holding at most this many entries shows them one by one
MARKER_ZOOM = 16  # from this zoom on, markers as long as the view holds at most MARKERS_LIMIT
MARKERS_LIMIT = 500  # never more markers than this in one answer
NARROW_LEVEL = 12  # from this level on (zoom 10), a view's strip of cells is narrow: walk it, not the matches
MAX_X_SEEKS = 256  # up to this many columns of cells are read with one index seek each
MERGE_RADIUS_PX = 40  # clusters drawn closer than this are merged into one
WORLD = (-180.0, -MAX_MERCATOR_LAT, 180.0, MAX_MERCATOR_LAT)


# ---- cell arithmetic ---------------------------------------------------------------------
def _tile(lat: float, lng: float, level: int) -> tuple[int, int]:
    n = 1 << level
    lat = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, float(lat)))
    lng = max(-180.0, min(180.0, float(lng)))
    x = int((lng + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def cell_columns(lat: float, lng: float) -> dict:
    """The per-entry cell columns for a point: set them on Entry objects before bulk_create."""
    x, y = _tile(lat, lng, FINE_LEVEL)
    return {"cx20": x, "cy20": y}


def tile_bounds(level: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of one cell."""
    n = 1 << level

    def lat_of(ty):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return (x / n * 360.0 - 180.0, lat_of(y + 1), (x + 1) / n * 360.0 - 180.0, lat_of(y))


def level_for_zoom(zoom: int) -> int:
    return max(0, min(MAX_LEVEL, zoom + CELL_ZOOM_OFFSET))


def cell_range(bbox, level: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive, of the cells a (west, south, east, north) box touches."""
    west, south, east, north = bbox
    x0, y1 = _tile(south, west, level)
    x1, y0 = _tile(north, east, level)
    return x0, y0, max(x0, x1), max(y0, y1)


def choose_level(bbox, zoom: int) -> tuple[int, tuple[int, int, int, int]]:
    """The level for a zoom, made coarser until the view spans at most MAX_CELLS cells (so the
    answer stays small for any box a client sends)."""
    level = level_for_zoom(zoom)
    while True:
        x0, y0, x1, y1 = cell_range(bbox, level)
        if level == 0 or (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_CELLS:
            return level, (x0, y0, x1, y1)
        level -= 1


# ---- keeping the cells in step ------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """What of an entry the cells count: None stands for "not on the public map"."""

    cx20: int
    cy20: int
    category_id: int
    verified: bool
    area_id: int
    lat: float
    lng: float


def snapshot(entry: Entry) -> Snapshot | None:
    if entry.status != EntryStatus.PUBLISHED or entry.lat is None or entry.lng is None:
        return None
    cols = cell_columns(entry.lat, entry.lng)
    return Snapshot(
        cx20=cols["cx20"],
        cy20=cols["cy20"],
        category_id=entry.category_id,
        verified=bool(entry.verified),
        area_id=entry.area_id or 0,
        lat=float(entry.lat),
        lng=float(entry.lng),
    )


def _table() -> str:
    return connection.ops.quote_name(ClusterCell._meta.db_table)


def _add(deltas: dict, snap: Snapshot, sign: int) -> None:
    for level in range(MAX_LEVEL + 1):
        shift = FINE_LEVEL - level
        key = (level, snap.cx20 >> shift, snap.cy20 >> shift, snap.category_id, snap.verified, snap.area_id)
        d = deltas[key]
        d[0] += sign
        d[1] += sign * snap.lat
        d[2] += sign * snap.lng


def apply(before: Snapshot | None, after: Snapshot | None) -> None:
    """Adjust the cells for one entry that changed from `before` to `after` (either may be None)."""
    apply_many([before], [after])


def apply_many(befores: Iterable[Snapshot | None], afters: Iterable[Snapshot | None]) -> None:
    """Adjust the cells for many changes at once: every `before` is taken away, every `after` added."""
    deltas: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for snap in befores:
        if snap is not None:
            _add(deltas, snap, -1)
    for snap in afters:
        if snap is not None:
            _add(deltas, snap, +1)
    rows = [(*key, d[0], d[1], d[2]) for key, d in deltas.items() if d[0] != 0 or d[1] != 0.0 or d[2] != 0.0]
    if not rows:
        return
    table = _table()
    upsert = (
        f"INSERT INTO {table} (level, x, y, category_id, verified, area_id, count, sum_lat, sum_lng) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (level, x, y, category_id, verified, area_id) DO UPDATE SET "
        f"count = {table}.count + excluded.count, sum_lat = {table}.sum_lat + excluded.sum_lat, "
        f"sum_lng = {table}.sum_lng + excluded.sum_lng"
    )
    emptied = [row[:6] for row in rows if row[6] < 0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(upsert, rows)
        if emptied:
            cursor.executemany(
                f"DELETE FROM {table} WHERE level = %s AND x = %s AND y = %s AND category_id = %s "
                "AND verified = %s AND area_id = %s AND count <= 0",
                emptied,
            )


def rebuild() -> int:
    """Recompute every cell from the published entries; returns how many cells there are.

    The finest level is one GROUP BY over the entries; each coarser level is grouped from the
    level below it, which is much smaller. About half a minute for a million entries on SQLite."""
    table = _table()
    entries = connection.ops.quote_name(Entry._meta.db_table)
    cols = "level, x, y, category_id, verified, area_id, count, sum_lat, sum_lng"
    shift = FINE_LEVEL - MAX_LEVEL
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} ({cols}) "
            f"SELECT %s, cx20 >> {shift}, cy20 >> {shift}, category_id, verified, COALESCE(area_id, 0), "
            f"COUNT(*), SUM(lat), SUM(lng) FROM {entries} WHERE status = %s "
            f"GROUP BY cx20 >> {shift}, cy20 >> {shift}, category_id, verified, COALESCE(area_id, 0)",
            [MAX_LEVEL, EntryStatus.PUBLISHED.value],
        )
        for level in range(MAX_LEVEL - 1, -1, -1):
            cursor.execute(
                f"INSERT INTO {table} ({cols}) "
                "SELECT %s, x >> 1, y >> 1, category_id, verified, area_id, SUM(count), SUM(sum_lat), SUM(sum_lng) "
                f"FROM {table} WHERE level = %s GROUP BY x >> 1, y >> 1, category_id, verified, area_id",
                [level, level + 1],
            )
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


# ---- answering a viewport -----------------------------------------------------------------
def _fine_range(level: int, cells: tuple[int, int, int, int]) -> dict:
    """Conditions on the per-entry columns selecting exactly the entries of a cell range."""
    shift = FINE_LEVEL - level
    x0, y0, x1, y1 = cells
    return {
        "cx20__gte": x0 << shift,
        "cx20__lte": ((x1 + 1) << shift) - 1,
        "cy20__gte": y0 << shift,
        "cy20__lte": ((y1 + 1) << shift) - 1,
    }


def _cell_rows(filters, level: int, cells) -> Iterable[tuple]:
    x0, y0, x1, y1 = cells
    if x1 - x0 < MAX_X_SEEKS:
        # One index seek per column of cells (x IN (...) AND y BETWEEN ...), instead of a scan of
        # every cell in the strip x0..x1 from the north pole to the south pole.
        qs = ClusterCell.objects.filter(level=level, x__in=list(range(x0, x1 + 1)), y__gte=y0, y__lte=y1)
    else:
        qs = ClusterCell.objects.filter(level=level, x__gte=x0, x__lte=x1, y__gte=y0, y__lte=y1)
    category_ids = filters.effective_category_ids()
    if category_ids is not None:
        qs = qs.filter(category_id__in=category_ids)
    if filters.verified:
        qs = qs.filter(verified=True)
    if filters.area_ids is not None:
        qs = qs.filter(area_id__in=filters.area_ids)
    return (
        qs.values_list("x", "y", "category_id")
        .annotate(n=Sum("count"), slat=Sum("sum_lat"), slng=Sum("sum_lng"))
        .order_by()
    )


def _entry_rows(filters, level: int, cells) -> Iterable[tuple]:
    shift = FINE_LEVEL - level
    qs = Entry.objects.filter(filters.entry_q(narrow_view=level >= NARROW_LEVEL), **_fine_range(level, cells))
    return (
        qs.annotate(gx=F("cx20").bitrightshift(shift), gy=F("cy20").bitrightshift(shift))
        .values_list("gx", "gy", "category_id")
        .annotate(n=Count("id"), slat=Sum("lat"), slng=Sum("lng"))
        .order_by()
    )


def markers_in(filters, level: int, cells, *, limit: int = MARKERS_LIMIT) -> list[dict]:
    rows = (
        Entry.objects.filter(filters.entry_q(narrow_view=level >= NARROW_LEVEL), **_fine_range(level, cells))
        .select_related("category")
        .only(
            "id",
            "title",
            "lat",
            "lng",
            "verified",
            "category__slug",
            "category__name",
            "category__colour",
            "category__icon",
            "category__is_threat",
        )
        # No ORDER BY: markers are only asked for when the view holds at most `limit` entries, and an
        # ordering (by id, say) could make the database walk the whole table instead of the cell index.
        .order_by()[:limit]
    )
    url = reverse("mapping:entry_detail", args=[0]).removesuffix("0/")
    return [
        {
            "id": e.pk,
            "lat": e.lat,
            "lng": e.lng,
            "title": e.title,
            "category": e.category.slug,
            "category_name": e.category.name,
            "colour": e.category.colour,
            "icon": e.category.icon,
            "threat": e.category.is_threat,
            "verified": e.verified,
            "url": f"{url}{e.pk}/",
        }
        for e in rows
    ]


def _pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    scale = 256.0 * (1 << zoom)
    lat = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, lat))
    rad = math.radians(lat)
    return (lng + 180.0) / 360.0 * scale, (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * scale


def _merge_close(groups: list[list], zoom: int, radius: float = MERGE_RADIUS_PX) -> list[list]:
    """Cells whose centres would be drawn closer than `radius` pixels are merged (largest first), so
    that circles do not pile up where a town straddles a cell edge. Counts are kept exactly."""
    buckets: dict[tuple[int, int], list] = {}
    kept: list[list] = []
    r2 = radius * radius
    for g in sorted(groups, key=lambda g: -g[0]):
        x, y = _pixel(g[1] / g[0], g[2] / g[0], zoom)
        bx, by = int(x // radius), int(y // radius)
        target = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for k in buckets.get((bx + dx, by + dy), ()):
                    if (k[4] - x) ** 2 + (k[5] - y) ** 2 < r2:
                        target = k
                        break
                if target:
                    break
            if target:
                break
        if target is None:
            k = [g[0], g[1], g[2], dict(g[3]), x, y]
            buckets.setdefault((bx, by), []).append(k)
            kept.append(k)
        else:
            target[0] += g[0]
            target[1] += g[1]
            target[2] += g[2]
            for slug, n in g[3].items():
                target[3][slug] = target[3].get(slug, 0) + n
    return kept


def view(filters) -> dict:
    """Clusters (or markers, when few) for a viewport: {"clusters", "markers", "total", "level"}.

    `filters` is a `filters.MapFilters`; its bbox (default: the world) and zoom (default 2) say
    what is in view. The answer never holds more than MAX_CELLS clusters or MARKERS_LIMIT markers."""
    bbox = filters.bbox or WORLD
    zoom = 2 if filters.zoom is None else filters.zoom
    level, cells = choose_level(bbox, zoom)
    x0, y0, x1, y1 = cells
    bounds = [tile_bounds(level, x0, y1)[0], tile_bounds(level, x0, y1)[1], *tile_bounds(level, x1, y0)[2:]]
    result = {"clusters": [], "markers": [], "total": 0, "level": level, "bounds": bounds}
    category_ids = filters.effective_category_ids()
    if category_ids is not None and not category_ids:
        return result
    rows = _entry_rows(filters, level, cells) if filters.needs_entry_scan else _cell_rows(filters, level, cells)
    slugs = filters.category_slugs_by_id()
    grouped: dict[tuple[int, int], list] = {}
    total = 0
    for x, y, category_id, n, slat, slng in rows:
        if not n:
            continue
        g = grouped.get((x, y))
        if g is None:
            g = grouped[(x, y)] = [0, 0.0, 0.0, {}]
        g[0] += n
        g[1] += slat
        g[2] += slng
        g[3][slugs.get(category_id) or str(category_id)] = n
        total += n
    result["total"] = total
    if total and (total <= MARKERS_BELOW or (zoom >= MARKER_ZOOM and total <= MARKERS_LIMIT)):
        result["markers"] = markers_in(filters, level, cells)
        return result
    result["clusters"] = [
        {"lat": round(g[1] / g[0], 6), "lng": round(g[2] / g[0], 6), "count": g[0], "categories": g[3]}
        for g in _merge_close(list(grouped.values()), zoom)
    ]
    return result
