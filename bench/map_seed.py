#!/usr/bin/env python
"""Fast bulk seeding of community-map entries, clustered around towns as real data is.

    DATABASE_URL=... .venv/bin/python bench/map_seed.py [--entries 1000000] [--seed 1] [--clear]

or, from code with Django set up (the benchmark, a demo):

    from bench.map_seed import seed
    seed(1_000_000, seed=1)

What it makes, deterministically for a seed:

* towns: 48 UK towns and cities (real positions, weights roughly by size), each a dense core
  plus a wider sprawl (two Gaussians of different spreads), and a thin uniform background
  (4%) over the whole region; a custom `region` gets made-up towns placed at random inside it;
* a grid of 48 district areas (8 rows x 6 columns, with rectangular boundaries, bounding boxes
  and centroids) under 12 region areas of 2 x 2 districts, so the area filter (sub-areas
  included) has something to select; every entry gets the district holding its point;
* entries in every category (about 8% in the threat categories), about 10% verified, created
  and published over the 3 years before the seeding day, most with a start date, some with an
  end date, threats with announced/takes-effect dates; short titles and descriptions from word
  lists with recurring words ("library", "food bank", "youth club", "allotment", ...) so that
  free-text search has something to find; all published.

Rows go in with raw `executemany` (SQLite) or `COPY` (PostgreSQL) in one transaction, with the
per-entry cluster cell columns from `squaremile.mapping.cells.clusters.cell_columns()` (called on
numpy arrays when it accepts them, checked against the scalar result on a sample). For big loads
the table's secondary indexes are dropped first and built again afterwards (one sort each,
instead of a million random B-tree inserts). Then `clusters.rebuild()` and ANALYZE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

UK = (49.9, -6.3, 58.7, 1.8)  # south, west, north, east
# name, lat, lng, weight (about the relative size), core spread and sprawl spread in degrees of latitude
TOWNS = [
    ("London", 51.507, -0.128, 9.0, 0.05, 0.22),
    ("Birmingham", 52.486, -1.890, 3.0, 0.04, 0.15),
    ("Manchester", 53.480, -2.242, 3.0, 0.04, 0.15),
    ("Leeds", 53.800, -1.549, 2.5, 0.03, 0.12),
    ("Glasgow", 55.864, -4.252, 2.5, 0.03, 0.12),
    ("Liverpool", 53.408, -2.991, 2.0, 0.03, 0.10),
    ("Sheffield", 53.381, -1.470, 1.8, 0.03, 0.09),
    ("Bristol", 51.455, -2.588, 1.7, 0.03, 0.09),
    ("Edinburgh", 55.953, -3.188, 1.7, 0.025, 0.08),
    ("Newcastle", 54.978, -1.618, 1.5, 0.025, 0.09),
    ("Cardiff", 51.481, -3.179, 1.3, 0.02, 0.07),
    ("Nottingham", 52.954, -1.158, 1.3, 0.02, 0.07),
    ("Belfast", 54.597, -5.930, 1.2, 0.02, 0.07),
    ("Leicester", 52.637, -1.140, 1.2, 0.02, 0.06),
    ("Bradford", 53.796, -1.759, 1.1, 0.02, 0.05),
    ("Coventry", 52.406, -1.512, 1.0, 0.02, 0.05),
    ("Brighton", 50.822, -0.137, 1.0, 0.015, 0.05),
    ("Southampton", 50.909, -1.404, 1.0, 0.02, 0.05),
    ("Portsmouth", 50.819, -1.088, 0.9, 0.015, 0.04),
    ("Plymouth", 50.375, -4.143, 0.9, 0.02, 0.05),
    ("Hull", 53.767, -0.327, 0.9, 0.02, 0.05),
    ("Stoke-on-Trent", 53.003, -2.179, 0.8, 0.02, 0.05),
    ("Norwich", 52.630, 1.297, 0.8, 0.015, 0.05),
    ("Aberdeen", 57.149, -2.094, 0.8, 0.015, 0.05),
    ("Derby", 52.921, -1.476, 0.8, 0.015, 0.04),
    ("Wolverhampton", 52.586, -2.129, 0.8, 0.015, 0.04),
    ("Reading", 51.454, -0.978, 0.7, 0.015, 0.04),
    ("Milton Keynes", 52.041, -0.759, 0.7, 0.02, 0.04),
    ("Swansea", 51.621, -3.944, 0.7, 0.015, 0.04),
    ("Dundee", 56.462, -2.970, 0.6, 0.015, 0.03),
    ("York", 53.960, -1.087, 0.6, 0.012, 0.04),
    ("Oxford", 51.752, -1.258, 0.6, 0.012, 0.03),
    ("Cambridge", 52.205, 0.122, 0.6, 0.012, 0.03),
    ("Preston", 53.763, -2.703, 0.6, 0.015, 0.04),
    ("Middlesbrough", 54.574, -1.235, 0.6, 0.015, 0.04),
    ("Sunderland", 54.906, -1.381, 0.6, 0.015, 0.03),
    ("Northampton", 52.240, -0.902, 0.6, 0.015, 0.03),
    ("Bournemouth", 50.720, -1.880, 0.6, 0.015, 0.04),
    ("Exeter", 50.718, -3.534, 0.5, 0.012, 0.03),
    ("Ipswich", 52.057, 1.148, 0.5, 0.012, 0.03),
    ("Lincoln", 53.230, -0.540, 0.4, 0.01, 0.03),
    ("Blackpool", 53.817, -3.036, 0.4, 0.01, 0.03),
    ("Carlisle", 54.892, -2.932, 0.3, 0.01, 0.03),
    ("Inverness", 57.478, -4.224, 0.3, 0.01, 0.04),
    ("Wrexham", 53.046, -2.993, 0.3, 0.01, 0.03),
    ("Truro", 50.263, -5.051, 0.2, 0.008, 0.03),
    ("Kendal", 54.328, -2.746, 0.15, 0.006, 0.02),
    ("Aberystwyth", 52.415, -4.083, 0.15, 0.006, 0.02),
]
# Names for the made-up towns of a custom region.
MADE_UP_TOWNS = [
    "Ashby", "Bramley", "Castleford", "Dunmore", "Elmstead", "Fairholme", "Glenridge", "Harrowby", "Ivybridge",
    "Kettleby", "Langdale", "Millbrook", "Netherton", "Oakhurst", "Pendle", "Queensbury", "Rothwell", "Stanhope",
    "Thornbury", "Upton", "Wexcombe", "Yarwood", "Ashcott", "Birchfield", "Coldharbour", "Dalby", "Eastwick",
    "Foxton", "Greenhow", "Hillmorton", "Kirkby", "Lowfield", "Marston", "Newbold", "Orton", "Pinfold",
    "Redhill", "Saltby", "Tadley", "Wickham", "Whitmore", "Yelden", "Allerton", "Beckside", "Cranbrook",
    "Denholme", "Eskdale", "Farndale", "Gosforth", "Holmwood", "Ingleby", "Kelston", "Linthorpe", "Moorside",
    "Northowram", "Ovenden", "Pudsey", "Rawdon", "Shipley", "Thwaite",
]  # fmt: skip
BACKGROUND_SHARE = 0.04
VERIFIED_SHARE = 0.10
THREAT_SHARE = 0.08
YEARS = 3
AREA_ROWS, AREA_COLS = 8, 6  # districts; regions are 2 x 2 districts
BIG_LOAD = 50_000  # from this many rows on, secondary indexes are dropped and rebuilt
BATCH = 50_000

# Words. The recurring ones ("library", "food bank", "youth club", "allotment") are what people search for.
THINGS = [
    "library", "food bank", "youth club", "allotment", "community garden", "repair cafe", "lunch club",
    "toddler group", "men's shed", "credit union", "community fridge", "football club", "choir",
    "walking group", "warm space", "friends of the park", "coding club", "book swap", "tenants association",
    "community centre", "village hall", "community pub", "post office", "swimming pool", "day centre",
    "children's centre", "playground", "skate park", "bike workshop", "litter pick", "dementia cafe",
    "parent and baby group", "community orchard", "tool library", "refugee welcome group", "job club",
]  # fmt: skip
THREATENED = [
    "library", "youth club", "swimming pool", "day centre", "children's centre", "bus route", "post office",
    "community centre", "public toilets", "leisure centre", "playground", "village hall", "food bank",
]  # fmt: skip
PLACES = [
    "Mill Lane", "Station Road", "High Street", "Church Street", "Oak Park", "Riverside", "Northgate",
    "St Mary's", "Victoria Park", "Market Square", "Canal Side", "the Old School", "Hill Top", "Green Lane",
    "Queen Street", "the Community Hub", "Park View", "Southfields", "Westbrook", "Eastfield", "the Quay",
]  # fmt: skip
TEMPLATES = [
    "{town} {thing}", "{place} {thing}", "{thing} at {place}", "New {thing} for {place}",
    "{town} {thing} network", "{place} {thing} ({town})", "Saturday {thing}, {place}",
]  # fmt: skip
THREAT_TEMPLATES = [
    "{town} {threat} closing", "Cuts to {place} {threat}", "{threat} at {place} at risk",
    "{town} {threat} hours cut", "Funding ends for {place} {threat}",
]  # fmt: skip
WHO = [
    "volunteers", "local residents", "the parish council", "a tenants group", "the church", "parents",
    "a charity", "the council", "young people", "retired teachers", "neighbours",
]  # fmt: skip
WHEN = [
    "every Saturday morning", "on weekday evenings", "once a month", "on Tuesdays", "in the school holidays",
    "all year round", "every Sunday", "on the first Friday of the month",
]  # fmt: skip
EXTRA = [
    "Everyone welcome.", "Free to join.", "Bring a friend.", "Step-free access.", "Tea and cake provided.",
    "Looking for more volunteers.", "Donations of tinned food welcome.", "Near the bus stop.",
    "Children must come with an adult.", "Open to all ages.",
]  # fmt: skip
THREAT_EXTRA = [
    "The council announced the closure in its budget.", "A petition has been started.",
    "Opening hours halved from next month.", "Users were not consulted.", "A meeting is planned to save it.",
]  # fmt: skip
# Categories named in DESIGN.md, made only when the database has none (the data migration seeds them).
DEFAULT_CATEGORIES = [
    ("Existing work", "#2f6f4f", "dot", False), ("Innovation", "#7b3fa0", "bulb", False),
    ("New organisation", "#1f6fb2", "star", False), ("Community anchor organisation", "#8a5a00", "anchor", False),
    ("Hyperlocal website", "#00707a", "globe", False), ("Community of interest", "#b0306a", "people", False),
    ("Community asset or space", "#4a6a1a", "house", False), ("Threat or cut", "#b3261e", "warning", True),
]  # fmt: skip


def _say(stdout, msg: str) -> None:
    if stdout is not None:
        print(msg, file=stdout, flush=True)


# ---- geography --------------------------------------------------------------------------
def _towns_for(region, rng) -> list[tuple]:
    if region == UK:
        return TOWNS
    south, west, north, east = region
    span = min(north - south, east - west)
    count = int(rng.integers(30, 61))
    towns = []
    for i in range(count):
        lat = float(rng.uniform(south + 0.1 * (north - south), north - 0.1 * (north - south)))
        lng = float(rng.uniform(west + 0.1 * (east - west), east - 0.1 * (east - west)))
        weight = float(rng.pareto(1.5) + 0.2)
        name = MADE_UP_TOWNS[i] if i < len(MADE_UP_TOWNS) else f"{MADE_UP_TOWNS[i % len(MADE_UP_TOWNS)]} {i}"
        towns.append((name, lat, lng, weight, span * 0.004, span * float(rng.uniform(0.01, 0.04))))
    return towns


def points(n: int, rng, region=UK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lng, town index or -1 for the background) of n points clustered around towns."""
    south, west, north, east = region
    towns = _towns_for(region, rng)
    weights = np.array([t[3] for t in towns])
    n_bg = int(round(n * BACKGROUND_SHARE))
    n_town = n - n_bg
    town = rng.choice(len(towns), size=n_town, p=weights / weights.sum())
    t_lat = np.array([t[1] for t in towns])[town]
    t_lng = np.array([t[2] for t in towns])[town]
    core = rng.random(n_town) < 0.5
    sigma = np.where(core, np.array([t[4] for t in towns])[town], np.array([t[5] for t in towns])[town])
    lat = t_lat + rng.standard_normal(n_town) * sigma
    kx = 1 / np.cos(np.radians(t_lat))  # a round cluster on the ground: wider in degrees of longitude
    lng = t_lng + rng.standard_normal(n_town) * sigma * kx
    lat = np.concatenate([lat, rng.uniform(south, north, n_bg)])
    lng = np.concatenate([lng, rng.uniform(west, east, n_bg)])
    town = np.concatenate([town, np.full(n_bg, -1)])
    order = rng.permutation(n)  # background rows spread through the id range, as they would be
    eps = 1e-6
    lat = np.clip(lat[order], south + eps, north - eps).round(6)
    lng = np.clip(lng[order], west + eps, east - eps).round(6)
    return lat, lng, town[order], [t[0] for t in towns]


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_areas(region=UK, *, prefix="bench"):
    """The district grid and its regions: returns (districts in row-major order, regions)."""
    from squaremile.places.models import Area, AreaKind

    south, west, north, east = region
    dlat, dlng = (north - south) / AREA_ROWS, (east - west) / AREA_COLS
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def box(s, w, n_, e):
        ring = [[round(w, 6), round(s, 6)], [round(e, 6), round(s, 6)], [round(e, 6), round(n_, 6)],
                [round(w, 6), round(n_, 6)], [round(w, 6), round(s, 6)]]  # fmt: skip
        return {
            "boundary": {"type": "Polygon", "coordinates": [ring]},
            "min_lat": s, "min_lng": w, "max_lat": n_, "max_lng": e,
            "centroid_lat": (s + n_) / 2, "centroid_lng": (w + e) / 2, "area_sq_deg": (n_ - s) * (e - w),
        }  # fmt: skip

    existing = {a.slug: a for a in Area.objects.filter(slug__startswith=f"{prefix}-")}
    regions = {}
    for rr in range(AREA_ROWS // 2):
        for rc in range(AREA_COLS // 2):
            name = f"Region {rr * (AREA_COLS // 2) + rc + 1}"
            slug = f"{prefix}-{_slugify(name)}"
            s, w = south + 2 * rr * dlat, west + 2 * rc * dlng
            regions[(rr, rc)] = existing.get(slug) or Area.objects.create(
                name=name, slug=slug, kind=AreaKind.REGION, **box(s, w, s + 2 * dlat, w + 2 * dlng)
            )
    districts = []
    for r in range(AREA_ROWS):
        for c in range(AREA_COLS):
            name = f"District {letters[c]}{r + 1}"
            slug = f"{prefix}-{_slugify(name)}"
            s, w = south + r * dlat, west + c * dlng
            districts.append(
                existing.get(slug)
                or Area.objects.create(
                    name=name,
                    slug=slug,
                    kind=AreaKind.DISTRICT,
                    parent=regions[(r // 2, c // 2)],
                    **box(s, w, s + dlat, w + dlng),
                )  # fmt: skip
            )
    return districts, list(regions.values())


def district_index(lat, lng, region=UK) -> np.ndarray:
    south, west, north, east = region
    r = np.clip(((lat - south) / ((north - south) / AREA_ROWS)).astype(int), 0, AREA_ROWS - 1)
    c = np.clip(((lng - west) / ((east - west) / AREA_COLS)).astype(int), 0, AREA_COLS - 1)
    return r * AREA_COLS + c


# ---- cells ------------------------------------------------------------------------------
def cell_values(lat: np.ndarray, lng: np.ndarray, stdout=None) -> dict[str, list]:
    """clusters.cell_columns() for every point: {field name: values}. Tries the function on whole
    numpy arrays first (vectorised arithmetic works unchanged) and keeps that only if it agrees
    with the scalar call on a sample; otherwise calls it once per point."""
    from squaremile.mapping.cells import clusters

    n = len(lat)
    started = time.perf_counter()
    vectorised = None
    try:
        with np.errstate(all="ignore"):
            out = clusters.cell_columns(lat, lng)
        if isinstance(out, dict) and all(np.ndim(v) == 1 and len(v) == n for v in out.values()):
            vectorised = {k: np.asarray(v).tolist() for k, v in out.items()}
    except Exception:  # noqa: BLE001 - any failure means "not vectorisable": fall back to the scalar path
        vectorised = None
    if vectorised is not None:
        step = max(1, n // 2000)
        for i in range(0, n, step):
            scalar = clusters.cell_columns(float(lat[i]), float(lng[i]))
            if set(scalar) != set(vectorised) or any(scalar[k] != vectorised[k][i] for k in scalar):
                vectorised = None
                break
    if vectorised is not None:
        _say(stdout, f"  cell columns (vectorised, {len(vectorised)} columns): {time.perf_counter() - started:.1f} s")
        return vectorised
    fn = clusters.cell_columns
    rows = [fn(a, b) for a, b in zip(lat.tolist(), lng.tolist(), strict=True)]
    keys = list(rows[0]) if rows else []
    values = {k: [r[k] for r in rows] for k in keys}
    _say(stdout, f"  cell columns (one call per entry, {len(keys)} columns): {time.perf_counter() - started:.1f} s")
    return values


# ---- text -------------------------------------------------------------------------------
def texts(n, rng, is_threat: np.ndarray, town: np.ndarray, town_names: list[str]) -> tuple[list[str], list[str]]:
    names = [*town_names, "Rural"]  # index -1 (background) picks the last
    t_town = [names[i] for i in town.tolist()]
    thing = rng.integers(0, len(THINGS), n).tolist()
    threat = rng.integers(0, len(THREATENED), n).tolist()
    place = rng.integers(0, len(PLACES), n).tolist()
    tpl = rng.integers(0, len(TEMPLATES), n).tolist()
    ttpl = rng.integers(0, len(THREAT_TEMPLATES), n).tolist()
    who = rng.integers(0, len(WHO), n).tolist()
    when = rng.integers(0, len(WHEN), n).tolist()
    extra = rng.integers(0, len(EXTRA), n).tolist()
    textra = rng.integers(0, len(THREAT_EXTRA), n).tolist()
    threats = is_threat.tolist()
    titles, descriptions = [], []
    for i in range(n):
        if threats[i]:
            title = THREAT_TEMPLATES[ttpl[i]].format(
                town=t_town[i], threat=THREATENED[threat[i]], place=PLACES[place[i]]
            )
            desc = f"The {THREATENED[threat[i]]} near {PLACES[place[i]]} is under threat. {THREAT_EXTRA[textra[i]]}"
        else:
            title = TEMPLATES[tpl[i]].format(town=t_town[i], thing=THINGS[thing[i]], place=PLACES[place[i]])
            desc = f"A {THINGS[thing[i]]} run by {WHO[who[i]]} {WHEN[when[i]]}. {EXTRA[extra[i]]}"
        titles.append(title[0].upper() + title[1:])
        descriptions.append(desc)
    return titles, descriptions


# ---- writing ----------------------------------------------------------------------------
def _categories():
    from squaremile.mapping.models import Category

    cats = list(Category.objects.filter(is_active=True).order_by("position", "id"))
    if not cats:
        for pos, (name, colour, icon, threat) in enumerate(DEFAULT_CATEGORIES):
            Category.objects.create(
                name=name, slug=_slugify(name), colour=colour, icon=icon, is_threat=threat, position=pos
            )
        cats = list(Category.objects.filter(is_active=True).order_by("position", "id"))
    return [c for c in cats if not c.is_threat], [c for c in cats if c.is_threat]


def _secondary_indexes(cursor, vendor: str, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's non-unique, non-primary indexes."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL", [table]
        )
        return [(name, sql) for name, sql in cursor.fetchall() if "UNIQUE" not in sql.upper().split("INDEX")[0]]
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND NOT x.indisunique AND NOT x.indisprimary""",
        [table],
    )
    return list(cursor.fetchall())


def _fts_sync(cursor, table: str) -> tuple[list[str], list[tuple[str, str]]]:
    """SQLite: the FTS5 tables whose external content is `table`, and the triggers on `table` that
    keep them in step. A bulk load drops those triggers (one FTS insert per row is slow) and
    rebuilds the FTS tables from the content afterwards, which gives the same index."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%%'")
    content = re.compile(r"content\s*=\s*['\"]?" + re.escape(table) + r"['\"]?[\s,)]", re.IGNORECASE)
    tables = [name for name, sql in cursor.fetchall() if "fts5" in sql.lower() and content.search(sql)]
    if not tables:
        return [], []
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
    triggers = [(name, sql) for name, sql in cursor.fetchall() if any(t in sql for t in tables)]
    return tables, triggers


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    s = str(value)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def seed(
    n: int = 1_000_000,
    *,
    seed: int = 1,
    region=UK,
    areas: bool = True,
    clear: bool = False,
    rebuild: bool = True,
    analyze: bool = True,
    stdout=sys.stdout,
) -> dict:
    """Insert n published entries (see the module docstring) into the default database and return
    timings in seconds. `region` is (south, west, north, east); with the default (the UK) the towns
    are real ones. `areas=False` leaves `area` empty (no district grid is made)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from squaremile.mapping.cells import clusters
    from squaremile.mapping.models import Entry, EntryStatus, date_span

    timings: dict[str, float] = {}
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    vendor = connection.vendor
    table = Entry._meta.db_table

    if clear:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    plain, threat_cats = _categories()
    lat, lng, town, town_names = points(n, rng, region)
    is_threat = rng.random(n) < (THREAT_SHARE if threat_cats else 0.0)
    cat_ids = np.where(
        is_threat,
        np.array([c.pk for c in threat_cats] or [0])[rng.integers(0, max(1, len(threat_cats)), n)],
        np.array([c.pk for c in plain])[rng.integers(0, len(plain), n)],
    ).tolist()
    verified = (rng.random(n) < VERIFIED_SHARE).tolist()

    now = timezone.now().replace(microsecond=0)
    span_s = YEARS * 365 * 86400
    created_off = np.sort(rng.integers(0, span_s, n))[::-1]  # ids grow with time, as they would
    created = [now - dt.timedelta(seconds=int(s)) for s in created_off.tolist()]
    published = [
        c + dt.timedelta(seconds=int(s)) for c, s in zip(created, rng.integers(600, 4 * 86400, n).tolist(), strict=True)
    ]
    published = [min(p, now) for p in published]
    today = now.date()
    start_off = rng.integers(0, YEARS * 365 + 180, n).tolist()  # up to half a year ahead
    has_start = (rng.random(n) < 0.7).tolist()
    has_end = (rng.random(n) < 0.3).tolist()
    end_len = rng.integers(1, 365, n).tolist()
    start = [
        today - dt.timedelta(days=YEARS * 365 - o) if h else None for o, h in zip(start_off, has_start, strict=True)
    ]
    end = [s + dt.timedelta(days=d) if s and e else None for s, e, d in zip(start, has_end, end_len, strict=True)]
    threats = is_threat.tolist()
    announced = [s if t else None for s, t in zip(start, threats, strict=True)]
    takes_effect = [s + dt.timedelta(days=90) if s and t else None for s, t in zip(start, threats, strict=True)]

    area_ids = [None] * n
    if areas:
        districts, _regions = make_areas(region)
        ids = np.array([d.pk for d in districts])
        area_ids = ids[district_index(lat, lng, region)].tolist()

    pairs = [date_span(*d) for d in zip(start, end, announced, takes_effect, strict=True)]
    spans = ([p[0] for p in pairs], [p[1] for p in pairs])
    titles, descriptions = texts(n, rng, is_threat, town, town_names)
    cells = cell_values(lat, lng, stdout)
    timings["generate_s"] = time.perf_counter() - started
    _say(stdout, f"  generated {n:,} entries in memory: {timings['generate_s']:.1f} s")

    f = Entry._meta.get_field
    base = {
        "title": titles, "description": descriptions, "category": cat_ids, "status": None, "verified": verified,
        "lat": lat.tolist(), "lng": lng.tolist(), "area": area_ids, "start_date": start, "end_date": end,
        "announced_on": announced, "takes_effect_on": takes_effect, "date_lo": spans[0], "date_hi": spans[1],
        "answers": None, "submitter_name": None,
        "submitter_email": None, "source": None, "rejection_reason": None, "published_at": published,
        "verified_at": None, "created_at": created, "updated_at": published,
    }  # fmt: skip
    constants = {
        "status": EntryStatus.PUBLISHED.value, "answers": "{}", "submitter_name": "", "submitter_email": "",
        "source": "bench seed", "rejection_reason": "",
    }  # fmt: skip
    base["verified_at"] = [p if v else None for p, v in zip(published, verified, strict=True)]
    names = list(base) + [k for k in cells if k not in base]
    columns = [f(name).column for name in names]
    series = [
        base[name] if name in base and base[name] is not None else cells.get(name) for name in names
    ]  # a column is either a list of values or a constant
    const = {i: constants[name] for i, name in enumerate(names) if name in constants}

    def fmt_sqlite(v):
        if isinstance(v, dt.datetime):
            return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    qn = connection.ops.quote_name
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        dropped = _secondary_indexes(cur, vendor, table) if n >= BIG_LOAD else []
        for name, _sql in dropped:
            cur.execute(f"DROP INDEX {qn(name)}")
        fts_tables, fts_triggers = _fts_sync(cur, table) if vendor == "sqlite" and n >= BIG_LOAD else ([], [])
        for name, _sql in fts_triggers:
            cur.execute(f"DROP TRIGGER {qn(name)}")
        cols_sql = ", ".join(qn(c) for c in columns)
        if vendor == "postgresql":
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            with raw.copy(f"COPY {qn(table)} ({cols_sql}) FROM STDIN") as copy:
                for lo in range(0, n, BATCH):
                    hi = min(n, lo + BATCH)
                    cols = [
                        [_copy_text(const[i])] * (hi - lo)
                        if i in const
                        else [_copy_text(v.isoformat() if isinstance(v, dt.date) else v) for v in series[i][lo:hi]]
                        for i in range(len(columns))
                    ]
                    buf = io.StringIO()
                    for row in zip(*cols, strict=True):
                        buf.write("\t".join(row))
                        buf.write("\n")
                    copy.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(table)} ({cols_sql}) VALUES ({marks})"
            for lo in range(0, n, BATCH):
                hi = min(n, lo + BATCH)
                cols = [
                    [const[i]] * (hi - lo) if i in const else [fmt_sqlite(v) for v in series[i][lo:hi]]
                    for i in range(len(columns))
                ]
                cur.executemany(sql, list(zip(*cols, strict=True)))
        timings["insert_s"] = time.perf_counter() - started
        _say(stdout, f"  inserted {n:,} rows ({vendor}): {timings['insert_s']:.1f} s")
        started = time.perf_counter()
        if vendor == "postgresql":
            # The foreign keys are checked at commit; an index cannot be built with those checks pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in dropped:
            cur.execute(sql)
        if dropped:
            timings["indexes_s"] = time.perf_counter() - started
            _say(stdout, f"  rebuilt {len(dropped)} secondary indexes: {timings['indexes_s']:.1f} s")
        if fts_triggers:
            started = time.perf_counter()
            for _name, sql in fts_triggers:
                cur.execute(sql)
            for name in fts_tables:
                cur.execute(f"INSERT INTO {qn(name)}({qn(name)}) VALUES ('rebuild')")
            timings["text_index_s"] = time.perf_counter() - started
            _say(stdout, f"  rebuilt the full-text index ({', '.join(fts_tables)}): {timings['text_index_s']:.1f} s")
    if rebuild:
        started = time.perf_counter()
        clusters.rebuild()
        timings["rebuild_s"] = time.perf_counter() - started
        _say(stdout, f"  clusters.rebuild(): {timings['rebuild_s']:.1f} s")
    if analyze:
        started = time.perf_counter()
        analyse(connection)
        timings["analyze_s"] = time.perf_counter() - started
        _say(stdout, f"  ANALYZE: {timings['analyze_s']:.1f} s")
    return timings


def analyse(connection) -> None:
    """Planner statistics after a bulk load (VACUUM on PostgreSQL also sets the visibility map, so
    counts can use index-only scans). VACUUM cannot run inside a transaction."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        was = connection.get_autocommit()
        connection.set_autocommit(True)
        try:
            with connection.cursor() as cur:
                cur.execute("VACUUM (ANALYZE)")
        finally:
            connection.set_autocommit(was)
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1_000_000, help="how many entries (default 1,000,000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--clear", action="store_true", help="delete every existing entry first")
    p.add_argument("--json", help="write the timings to this file")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    print(f"Seeding {args.entries:,} map entries into {connection.vendor} ({connection.settings_dict['NAME']})")
    timings = seed(args.entries, seed=args.seed, clear=args.clear)
    timings["total_s"] = time.perf_counter() - started
    print(f"Seeded {args.entries:,} entries in {timings['total_s']:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(timings) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
