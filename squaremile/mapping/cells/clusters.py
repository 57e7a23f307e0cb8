# ruff: noqa: S608 -- the SQL here names only model tables and integer constants; values are parameters
"""Server-side clustering of map entries from precomputed grid cells.

Every entry stores the Web-Mercator tile x/y of its point at zoom level 20 (`Entry.cx20`,
`Entry.cy20`, indexed). The tile of any coarser level L is a right shift: `cx20 >> (20 - L)`,
which SQLite and PostgreSQL both compute with the same `>>` operator.

`ClusterCell` holds, for every level 0..MAX_LEVEL, how many published entries fall in each cell,
split by category, verified flag and area, with the sums of their coordinates (so a cluster is
drawn at the centre of its entries, not of its cell). A viewport at map zoom z is answered from
level z + 2 (cells of about 64 screen pixels): one indexed range query whose result has at most
MAX_CELLS x categories rows, however many entries the view holds. Free-text filters cannot use
the aggregates; they group the matching entries in view by the shifted entry columns.

Date filters select the entries whose span [date_lo, date_hi] overlaps [from, to]. In a narrow
view (level NARROW_LEVEL and finer) the entries in view are grouped, as for free text. A wide view
may hold most of the million entries, so it is answered from `DateCell`: per cell and month, how
many entries start (and end) then. Those overlapping the range are those starting on or before `to`
less those ending before `from` (date_lo <= date_hi always, see models.date_span): whole months
come from the cells, and the days of the first month of `to` (or `from`) from the entries starting
(or ending) in them, read through the (status, date_lo) and (status, date_hi) indexes.

Keeping the cells right:
* `snapshot(entry)` before and after a change, `apply(before, after)` in the same transaction
  (the services do this); `apply_many` for bulk changes.
* The same calls keep `DateCell` (levels 0..DATE_MAX_LEVEL) in step.
* `rebuild()` recomputes every cell from the entries (after big imports, seeding, or by
  `manage.py rebuild_map_cells`).
* Bulk inserts (which skip `Entry.save()`) must set `cell_columns(lat, lng)` and
  `models.date_columns(...)` on each entry.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse

from squaremile.mapping.cells.tiles import FINE_LEVEL, MAX_MERCATOR_LAT, cell_columns, month_index, tile, tile_bounds
from squaremile.mapping.models import OPEN_END, ClusterCell, DateCell, Entry, EntryStatus, date_span

MAX_LEVEL = 18  # the finest precomputed level (zoom 16 at 64 px cells)
MAX_ZOOM = 20  # the deepest map zoom the API accepts
CELL_ZOOM_OFFSET = 2  # level = zoom + 2: cells a quarter of a 256 px tile wide
MAX_CELLS = 2048  # a viewport never spans more cells than this; coarser levels are used instead
MARKERS_BELOW = 300  # a view holding at most this many entries shows them one by one
MARKER_ZOOM = 16  # from this zoom on, markers as long as the view holds at most MARKERS_LIMIT
MARKERS_LIMIT = 500  # never more markers than this in one answer
NARROW_LEVEL = 12  # from this level on (zoom 10), a view's strip of cells is narrow: walk it, not the matches
MAX_X_SEEKS = 256  # up to this many columns of cells are read with one index seek each
DATE_MAX_LEVEL = 13  # DateCell is kept for levels 0..DATE_MAX_LEVEL (finer, it has about a row per entry)
ENTRY_SCAN_MAX = 30_000  # a date-filtered view holding at most this many entries counts them one by one
START, END = 0, 1  # DateCell.edge
UPSERT_ROWS = 1000  # cell rows per INSERT statement on PostgreSQL
MERGE_RADIUS_PX = 40  # clusters drawn closer than this are merged into one
WORLD = (-180.0, -MAX_MERCATOR_LAT, 180.0, MAX_MERCATOR_LAT)


# ---- cell arithmetic (the pure per-point part is in tiles.py) ------------------------------
def level_for_zoom(zoom: int) -> int:
    return max(0, min(MAX_LEVEL, zoom + CELL_ZOOM_OFFSET))


def cell_range(bbox, level: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive, of the cells a (west, south, east, north) box touches."""
    west, south, east, north = bbox
    x0, y1 = tile(south, west, level)
    x1, y0 = tile(north, east, level)
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
    start_month: int | None = None  # DateCell months of the entry's span; None: no dates ...
    end_month: int | None = None  # ... or, for the end, open-ended


def snapshot(entry: Entry) -> Snapshot | None:
    if entry.status != EntryStatus.PUBLISHED or entry.lat is None or entry.lng is None:
        return None
    cols = cell_columns(entry.lat, entry.lng)
    lo, hi = date_span(entry.start_date, entry.end_date, entry.announced_on, entry.takes_effect_on)
    return Snapshot(
        cx20=cols["cx20"],
        cy20=cols["cy20"],
        category_id=entry.category_id,
        verified=bool(entry.verified),
        area_id=entry.area_id or 0,
        lat=float(entry.lat),
        lng=float(entry.lng),
        start_month=month_index(lo) if lo else None,
        end_month=month_index(hi) if hi and hi != OPEN_END else None,
    )


def _table(model=ClusterCell) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _add(deltas: dict, snap: Snapshot, sign: int) -> None:
    for level in range(MAX_LEVEL + 1):
        shift = FINE_LEVEL - level
        key = (level, snap.cx20 >> shift, snap.cy20 >> shift, snap.category_id, snap.verified, snap.area_id)
        d = deltas[key]
        d[0] += sign
        d[1] += sign * snap.lat
        d[2] += sign * snap.lng


def _add_dates(deltas: dict, snap: Snapshot, sign: int) -> None:
    edges = [(edge, month) for edge, month in ((START, snap.start_month), (END, snap.end_month)) if month is not None]
    for level in range(DATE_MAX_LEVEL + 1) if edges else ():
        shift = FINE_LEVEL - level
        x, y = snap.cx20 >> shift, snap.cy20 >> shift
        for edge, month in edges:
            d = deltas[(level, edge, x, y, snap.category_id, snap.verified, snap.area_id, month)]
            d[0] += sign
            d[1] += sign * snap.lat
            d[2] += sign * snap.lng


def _upsert(cursor, model, key: list[str], deltas: dict) -> None:
    """Add the deltas {key values: [count, sum_lat, sum_lng]} to a cell table; drop emptied rows."""
    rows = [(*k, d[0], d[1], d[2]) for k, d in deltas.items() if d[0] != 0 or d[1] != 0.0 or d[2] != 0.0]
    if not rows:
        return
    table = _table(model)
    names = ", ".join(key)
    marks = "(" + ", ".join(["%s"] * (len(key) + 3)) + ")"
    head = f"INSERT INTO {table} ({names}, count, sum_lat, sum_lng) VALUES "
    tail = (
        f" ON CONFLICT ({names}) DO UPDATE SET "
        f"count = {table}.count + excluded.count, sum_lat = {table}.sum_lat + excluded.sum_lat, "
        f"sum_lng = {table}.sum_lng + excluded.sum_lng"
    )
    if connection.vendor == "postgresql" and len(rows) > UPSERT_ROWS:
        # Over the network: many rows per statement (each key appears once, as ON CONFLICT needs).
        for start in range(0, len(rows), UPSERT_ROWS):
            batch = rows[start : start + UPSERT_ROWS]
            cursor.execute(head + ", ".join([marks] * len(batch)) + tail, [v for row in batch for v in row])
    else:
        cursor.executemany(head + marks + tail, rows)
    emptied = [row[: len(key)] for row in rows if row[len(key)] < 0]
    if emptied:
        where = " AND ".join(f"{name} = %s" for name in key)
        cursor.executemany(f"DELETE FROM {table} WHERE {where} AND count <= 0", emptied)


def apply(before: Snapshot | None, after: Snapshot | None) -> None:
    """Adjust the cells for one entry that changed from `before` to `after` (either may be None)."""
    apply_many([before], [after])


def apply_many(befores: Iterable[Snapshot | None], afters: Iterable[Snapshot | None]) -> None:
    """Adjust the cells for many changes at once: every `before` is taken away, every `after` added."""
    deltas: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    date_deltas: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for snaps, sign in ((befores, -1), (afters, +1)):
        for snap in snaps:
            if snap is not None:
                _add(deltas, snap, sign)
                _add_dates(date_deltas, snap, sign)
    if not deltas and not date_deltas:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        _upsert(cursor, ClusterCell, ["level", "x", "y", "category_id", "verified", "area_id"], deltas)
        _upsert(
            cursor, DateCell, ["level", "edge", "x", "y", "category_id", "verified", "area_id", "month"], date_deltas
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
        cells = cursor.fetchone()[0]
    rebuild_dates()
    return cells


NEW_TABLE = "mapping_new_entries"  # a temporary table of add_entries()


def add_entries(ids: list[int]) -> None:
    """Count many entries just written (the published ones among `ids`, not counted before) into
    both cell tables, in SQL: their cell columns are copied once into a temporary table, then each
    level is grouped from it and added with one INSERT ... ON CONFLICT. For a big import into a big
    map, far cheaper than `rebuild()` (which regroups every entry) or `apply_many` (Python per key)."""
    if not ids:
        return
    entries = connection.ops.quote_name(Entry._meta.db_table)
    open_end = connection.ops.adapt_datefield_value(OPEN_END)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {NEW_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW_TABLE} (id bigint PRIMARY KEY)")
        for start in range(0, len(ids), UPSERT_ROWS):
            batch = ids[start : start + UPSERT_ROWS]
            cursor.execute(f"INSERT INTO {NEW_TABLE} (id) VALUES " + ", ".join(["(%s)"] * len(batch)), batch)
        cursor.execute(f"DROP TABLE IF EXISTS {NEW_TABLE}_rows")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {NEW_TABLE}_rows AS "
            "SELECT e.cx20 AS cx, e.cy20 AS cy, e.category_id AS category_id, e.verified AS verified, "
            "COALESCE(e.area_id, 0) AS area_id, e.lat AS lat, e.lng AS lng, "
            f"CASE WHEN e.date_lo IS NULL THEN NULL ELSE {_month_sql('e.date_lo')} END AS start_month, "
            f"CASE WHEN e.date_hi IS NULL OR e.date_hi = %s THEN NULL ELSE {_month_sql('e.date_hi')} END AS end_month "
            f"FROM {entries} e JOIN {NEW_TABLE} n ON n.id = e.id WHERE e.status = %s",
            [open_end, EntryStatus.PUBLISHED.value],
        )
        rows = f"{NEW_TABLE}_rows"
        shift = FINE_LEVEL - MAX_LEVEL
        _add_levels(
            cursor,
            ClusterCell,
            MAX_LEVEL,
            f"SELECT cx >> {shift} AS x, cy >> {shift} AS y, category_id, verified, area_id, COUNT(*) AS n, "
            f"SUM(lat) AS slat, SUM(lng) AS slng FROM {rows} "
            f"GROUP BY cx >> {shift}, cy >> {shift}, category_id, verified, area_id",
        )
        shift = FINE_LEVEL - DATE_MAX_LEVEL
        for edge, month in ((START, "start_month"), (END, "end_month")):
            _add_levels(
                cursor,
                DateCell,
                DATE_MAX_LEVEL,
                f"SELECT cx >> {shift} AS x, cy >> {shift} AS y, category_id, verified, area_id, {month} AS month, "
                f"COUNT(*) AS n, SUM(lat) AS slat, SUM(lng) AS slng FROM {rows} WHERE {month} IS NOT NULL "
                f"GROUP BY cx >> {shift}, cy >> {shift}, category_id, verified, area_id, {month}",
                edge=edge,
            )
        cursor.execute(f"DROP TABLE {NEW_TABLE}_rows")
        cursor.execute(f"DROP TABLE {NEW_TABLE}")


def _add_levels(cursor, model, finest: int, grouped_sql: str, *, edge: int | None = None) -> None:
    """Add grouped rows into a cell table at every level from `finest` down to 0. `grouped_sql`
    gives the finest level's rows (x, y, category_id, verified, area_id[, month], n, slat, slng);
    each coarser level is grouped from the one below it, a temporary table each, much smaller."""
    table = _table(model)
    cols = "x, y, category_id, verified, area_id" + (", month" if model is DateCell else "")
    key = "level, " + ("edge, " if model is DateCell else "") + cols
    consts = "%s, %s, " if model is DateCell else "%s, "
    previous = None
    for level in range(finest, -1, -1):
        name = f"{NEW_TABLE}_{level}"
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if previous is None:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {grouped_sql}")
        else:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} AS SELECT x >> 1 AS x, y >> 1 AS y, {cols.removeprefix('x, y, ')}, "
                f"SUM(n) AS n, SUM(slat) AS slat, SUM(slng) AS slng FROM {previous} "
                f"GROUP BY x >> 1, y >> 1, {cols.removeprefix('x, y, ')}"
            )
            cursor.execute(f"DROP TABLE {previous}")
        cursor.execute(
            f"INSERT INTO {table} ({key}, count, sum_lat, sum_lng) SELECT {consts}{cols}, n, slat, slng "
            f"FROM {name} WHERE 1 = 1 ON CONFLICT ({key}) DO UPDATE SET count = {table}.count + excluded.count, "
            f"sum_lat = {table}.sum_lat + excluded.sum_lat, sum_lng = {table}.sum_lng + excluded.sum_lng",
            [level, edge] if model is DateCell else [level],
        )
        previous = name
    cursor.execute(f"DROP TABLE {previous}")


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column})::integer * 12 + EXTRACT(MONTH FROM {column})::integer - 1)"
    # SQLite keeps dates as YYYY-MM-DD text
    return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"


def rebuild_dates() -> int:
    """Recompute DateCell from the published entries (called by `rebuild`); returns its row count."""
    table = _table(DateCell)
    entries = connection.ops.quote_name(Entry._meta.db_table)
    cols = "level, edge, x, y, category_id, verified, area_id, month, count, sum_lat, sum_lng"
    shift = FINE_LEVEL - DATE_MAX_LEVEL
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
        open_end = connection.ops.adapt_datefield_value(OPEN_END)
        for edge, column in ((START, "date_lo"), (END, "date_hi")):
            month = _month_sql(column)
            # open-ended entries never end before a `from`: they have no end row
            skip, params = ("", []) if edge == START else (f"AND {column} <> %s ", [open_end])
            cursor.execute(
                f"INSERT INTO {table} ({cols}) "
                f"SELECT %s, %s, cx20 >> {shift}, cy20 >> {shift}, category_id, verified, COALESCE(area_id, 0), "
                f"{month}, COUNT(*), SUM(lat), SUM(lng) FROM {entries} "
                f"WHERE status = %s AND {column} IS NOT NULL {skip}"
                f"GROUP BY cx20 >> {shift}, cy20 >> {shift}, category_id, verified, COALESCE(area_id, 0), {month}",
                [DATE_MAX_LEVEL, edge, EntryStatus.PUBLISHED.value, *params],
            )
        for level in range(DATE_MAX_LEVEL - 1, -1, -1):
            cursor.execute(
                f"INSERT INTO {table} ({cols}) "
                "SELECT %s, edge, x >> 1, y >> 1, category_id, verified, area_id, month, "
                f"SUM(count), SUM(sum_lat), SUM(sum_lng) FROM {table} WHERE level = %s "
                "GROUP BY edge, x >> 1, y >> 1, category_id, verified, area_id, month",
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


def _cell_rows(filters, level: int, cells, model=ClusterCell, **conditions) -> Iterable[tuple]:
    """(x, y, category_id, count, sum_lat, sum_lng) of the cells in view, from a cell table."""
    x0, y0, x1, y1 = cells
    if x1 - x0 < MAX_X_SEEKS:
        # One index seek per column of cells (x IN (...) AND y BETWEEN ...), instead of a scan of
        # every cell in the strip x0..x1 from the north pole to the south pole.
        qs = model.objects.filter(level=level, x__in=list(range(x0, x1 + 1)), y__gte=y0, y__lte=y1, **conditions)
    else:
        qs = model.objects.filter(level=level, x__gte=x0, x__lte=x1, y__gte=y0, y__lte=y1, **conditions)
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


def _entry_rows(filters, level: int, cells, *, dates: bool = True, **conditions) -> Iterable[tuple]:
    """The same rows grouped from the matching entries in view (`dates=False`: leave the date filter
    out; `conditions`: more lookups on Entry)."""
    shift = FINE_LEVEL - level
    qs = Entry.objects.filter(
        filters.entry_q(narrow_view=level >= NARROW_LEVEL, dates=dates), **_fine_range(level, cells), **conditions
    )
    return (
        qs.annotate(gx=F("cx20").bitrightshift(shift), gy=F("cy20").bitrightshift(shift))
        .values_list("gx", "gy", "category_id")
        .annotate(n=Count("id"), slat=Sum("lat"), slng=Sum("lng"))
        .order_by()
    )


def _boundary_rows(filters, level: int, cells, column: str, first: date, last: date) -> list[tuple]:
    """The rows of the entries in view (other filters applied) whose `column` (date_lo or date_hi)
    falls between two days of one month: a few thousand entries at most, read through the
    (status, <column>) index. SQLite's planner would rather walk the covering cell index over the
    whole view, so the index is named there."""
    qs = _entry_rows(filters, level, cells, dates=False, **{f"{column}__gte": first, f"{column}__lte": last})
    if connection.vendor != "sqlite":
        return list(qs)
    sql, params = qs.query.sql_with_params()
    table = connection.ops.quote_name(Entry._meta.db_table)
    index = connection.ops.quote_name(f"entry_status_{column}")
    assert f"FROM {table} " in sql  # noqa: S101 - the one table this query reads
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(f"FROM {table} ", f"FROM {table} INDEXED BY {index} ", 1), params)
        return cursor.fetchall()


def _date_rows(filters, level: int, cells) -> list[tuple]:
    """The rows of the entries whose span overlaps [from, to], from DateCell: started on or before
    `to`, less ended before `from`. Whole months come from the cells; the days of `to`'s (or
    `from`'s) own month from the entries starting (ending) in them."""
    date_from, date_to = filters.date_from, filters.date_to
    if date_from and date_to and date_from > date_to:
        return []
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])

    def add(rows, sign: int) -> None:
        for x, y, category_id, n, slat, slng in rows:
            s = sums[(x, y, category_id)]
            s[0] += sign * n
            s[1] += sign * (slat or 0.0)
            s[2] += sign * (slng or 0.0)

    if date_to:
        add(_cell_rows(filters, level, cells, DateCell, edge=START, month__lt=month_index(date_to)), +1)
        add(_boundary_rows(filters, level, cells, "date_lo", date_to.replace(day=1), date_to), +1)
    else:
        add(_cell_rows(filters, level, cells, DateCell, edge=START), +1)
    if date_from:
        add(_cell_rows(filters, level, cells, DateCell, edge=END, month__lt=month_index(date_from)), -1)
        if date_from.day > 1:
            add(
                _boundary_rows(
                    filters, level, cells, "date_hi", date_from.replace(day=1), date_from - timedelta(days=1)
                ),
                -1,
            )
    return [(x, y, c, s[0], s[1], s[2]) for (x, y, c), s in sums.items() if s[0] > 0]


def _in_view(filters, level: int, cells) -> int:
    """How many published entries in view the filters other than text and dates select (an upper
    bound for a date-filtered view), from the cluster cells."""
    return sum(row[3] or 0 for row in _cell_rows(filters, level, cells))


def _rows(filters, level: int, cells) -> tuple[int, tuple, Iterable[tuple]]:
    """How a view's groups are counted, and the level of their cells: from the cluster cells when
    they can answer; for free text from the entries; for dates from the entries when the view holds
    few (ENTRY_SCAN_MAX), else from DateCell, at DATE_MAX_LEVEL at the finest (cells up to a few
    times wider than asked for, on a view that holds tens of thousands of entries)."""
    if filters.q:
        return level, cells, _entry_rows(filters, level, cells)
    if filters.date_from or filters.date_to:
        if level >= NARROW_LEVEL and _in_view(filters, level, cells) <= ENTRY_SCAN_MAX:
            return level, cells, _entry_rows(filters, level, cells)
        if level > DATE_MAX_LEVEL:
            shift = level - DATE_MAX_LEVEL
            level, cells = DATE_MAX_LEVEL, tuple(c >> shift for c in cells)
        return level, cells, _date_rows(filters, level, cells)
    return level, cells, _cell_rows(filters, level, cells)


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


def _bounds(level: int, cells) -> list[float]:
    """[west, south, east, north] of a cell range."""
    x0, y0, x1, y1 = cells
    return [*tile_bounds(level, x0, y1)[:2], *tile_bounds(level, x1, y0)[2:]]


def _inside(bbox, lat: float, lng: float) -> bool:
    west, south, east, north = bbox
    if not south <= lat <= north:
        return False
    return west <= lng <= east if west <= east else (lng >= west or lng <= east)  # across the date line


def view(filters) -> dict:
    """Clusters (or markers, when few) for a viewport: {"clusters", "markers", "total", "in_view", "level", "bounds"}.

    `filters` is a `filters.MapFilters`; its bbox (default: the world) and zoom (default 2) say
    what is in view. The answer never holds more than MAX_CELLS clusters or MARKERS_LIMIT markers."""
    bbox = filters.bbox or WORLD
    zoom = 2 if filters.zoom is None else filters.zoom
    level, cells = choose_level(bbox, zoom)
    result = {
        "clusters": [],
        "markers": [],
        "total": 0,
        "in_view": None,  # exact, when the answer is markers; else the page says "about" `total`
        "level": level,
        "bounds": _bounds(level, cells),
    }
    category_ids = filters.effective_category_ids()
    if category_ids is not None and not category_ids:
        return result
    counted_at, counted_cells, rows = _rows(filters, level, cells)
    if counted_at != level:  # coarser cells: the answer covers (and says) a little more than the view
        level, cells = counted_at, counted_cells
        result.update(level=level, bounds=_bounds(level, cells))
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
        # `total` counts whole cells, which reach past the view's edges; with every marker at hand
        # the entries truly inside the view can be counted exactly.
        result["in_view"] = sum(1 for m in result["markers"] if _inside(bbox, m["lat"], m["lng"]))
        return result
    result["clusters"] = [
        {"lat": round(g[1] / g[0], 6), "lng": round(g[2] / g[0], 6), "count": g[0], "categories": g[3]}
        for g in _merge_close(list(grouped.values()), zoom)
    ]
    return result
