#!/usr/bin/env python
"""Community map benchmark: the cluster endpoint on a million entries, against grouping in SQL on the fly.

    .venv/bin/python bench/map_bench.py [--entries 1000000] [--viewports 200] [--db sqlite|postgres|both]
                                        [--reuse] [--skip-import] [--import-rows 100000] [--strict]

For each database it makes (or with --reuse, reuses when it already holds exactly --entries
entries) a bench database: a SQLite file var/bench/map_bench.sqlite3, or the PostgreSQL database
named by --pg-url (default bench_map, created through the `postgres` maintenance database); it runs
the migrations and `bench/map_seed.py` (entries clustered around towns) in subprocesses and prints
how long each took. The databases are kept afterwards (seeding a million entries takes minutes;
--drop removes them).

Then it re-invokes itself as a worker with DATABASE_URL set, DEBUG off (the production code path)
and times, through Django's test client, --viewports random viewports (zoom 3..18, centred on
the data as users' views are, a fixed seed) of GET /api/v1/map/clusters in six groups:

  (a) unfiltered, (b) category, (c) area, (d) verified only   target: median < 50 ms, p95 < 150 ms
  (e) free text q, (f) date range (from/to)                   target: p95 < 500 ms

with median, p95, max, CPU time per request, mean and largest response size. Then the baseline a
competent developer writes first, on the first --baseline-viewports viewports of each group: the
entries in view grouped in SQL on the fly by a grid cell computed from lat/lng at the view's zoom,
count and centroid per cell, with the ordinary indexes (the map's own indexes are dropped in a
rolled-back transaction), served by a view written in this file; then ours again on the same
requests and the ratio baseline median / ours median. With --geojson-viewports N it also times
the straw man (every entry in view as GeoJSON) on N unfiltered views, labelled as such. Then it
times an import of --import-rows rows through the import service (target < 2 minutes; the
imported rows are deleted afterwards) and clusters.rebuild() over the whole table. Results also
go to var/bench/map-<db>.json. See bench/README.md ("Community map").
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    pct,
    pg_dbname,
    pg_exists,
    pg_reachable,
    pg_recreate,
    run,
    sqlite_remove,
    uptime,
)

DEFAULT_OUT = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/bench_map"
ENDPOINT = "/api/v1/map/clusters"
BASELINE_ENDPOINT = "/bench-baseline/map/grid"
NAIVE_ENDPOINT = "/bench-naive/map/entries.geojson"
# The map's own indexes on the entries table, dropped for the baseline (in a rolled-back
# transaction): the covering cell index, the date-span indexes and the trigram indexes of `q`
# (PostgreSQL). The ordinary ones stay: (lat, lng), (status, category), (area, status),
# (status, created_at), updated_at, the ForeignKeys.
MAP_INDEXES = ("entry_status_cell", "entry_status_date_lo", "entry_status_date_hi", "entry_title_trgm",
               "entry_description_trgm")  # fmt: skip
FAST_GROUPS = ("unfiltered", "category", "area", "verified")
SLOW_GROUPS = ("q", "dates")
GROUPS = FAST_GROUPS + SLOW_GROUPS
TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 150.0
TARGET_SLOW_P95_MS = 500.0
TARGET_IMPORT_S = 120.0
# Free-text queries people type into a community map, most of them recurring words of the data.
QUERIES = [
    "library", "food bank", "youth club", "allotment", "community garden", "repair cafe", "choir",
    "swimming pool", "closing", "warm space", "lunch club", "men's shed", "playground", "volunteers",
    "credit union", "Leeds library", "Glasgow food bank", "London youth club", "cuts", "toddler group",
]  # fmt: skip
CONFIG_PREFIXES = (
    "DJANGO_", "SQUAREMILE_", "PYTEST", "DATABASE_", "SECRET_", "DEBUG", "ALLOWED_", "SECURE_", "EMAIL_", "CACHE_",
    "TASKS_", "STATIC_", "MEDIA_", "CONN_", "LOG_",
)  # fmt: skip
SCREENS = [(1280, 800), (1440, 900), (390, 700), (768, 1000)]  # desktop, desktop, phone, tablet


# ---- parent: databases, seeding, workers -------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--entries", type=int, default=1_000_000, help="entries to seed (default 1,000,000)")
    p.add_argument("--viewports", type=int, default=200, help="measured viewports per group (default 200)")
    p.add_argument(
        "--baseline-viewports",
        type=int,
        default=30,
        help="viewports of the baseline (grouping in SQL on the fly) per group: the first of the measured ones\n"
        "(default 30)",
    )
    p.add_argument(
        "--geojson-viewports",
        type=int,
        default=0,
        help="also time the straw man, every entry in view as GeoJSON, on the first N unfiltered viewports\n"
        "(default 0: a whole-country view takes a minute and 200 MB that way)",
    )
    p.add_argument("--warmup", type=int, default=None, help="unmeasured requests per group first (default 10%%)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"the bench PostgreSQL database (default {DEFAULT_PG_URL})")
    p.add_argument("--out-dir", default=str(DEFAULT_OUT), help="SQLite file and JSON results (var/bench)")
    p.add_argument("--seed", type=int, default=1, help="seed for the data and the viewports (default 1)")
    p.add_argument("--reuse", action="store_true", help="reuse a bench database already seeded with --entries")
    p.add_argument("--drop", action="store_true", help="drop the bench databases afterwards")
    p.add_argument("--skip-import", action="store_true", help="do not time the import")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows of the timed import (default 100,000)")
    p.add_argument("--skip-rebuild", action="store_true", help="do not time clusters.rebuild()")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def child_env(database_url: str, out_dir: Path, *, debug: bool = False) -> dict:
    """Production-like settings for the subprocesses: DEBUG off (no query log), a secret key,
    only the test client's host, and nothing that would make settings think it is a test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="1" if debug else "0",
        SECRET_KEY="bench-" + secrets.token_hex(24),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SQUAREMILE_VAR_DIR=str(out_dir / "runtime"),
        STATIC_ROOT=str(out_dir / "static"),
        MEDIA_ROOT=str(out_dir / "media"),
        LOG_LEVEL="ERROR",
        TASKS_IMMEDIATE="1",
        PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
    )
    return env


def database_url(db: str, args, out_dir: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{out_dir / 'map_bench.sqlite3'}"
    pg_dbname(args.pg_url)
    return args.pg_url


def seeded_count(env: dict) -> int | None:
    """Published entries in the bench database, or None when it is not a migrated database."""
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');django.setup();"
        "from django.db.migrations.executor import MigrationExecutor;from django.db import connection;"
        "ex=MigrationExecutor(connection);plan=ex.migration_plan(ex.loader.graph.leaf_nodes());"
        "from squaremile.mapping.models import Entry;"
        "print(-1 if plan else Entry.objects.filter(status='published').count())"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    value = int(proc.stdout.strip().splitlines()[-1])
    return None if value < 0 else value


def prepare(db: str, args, out_dir: Path, *, debug: bool = False) -> tuple[str, dict, dict]:
    """A migrated bench database seeded with args.entries entries: (DATABASE_URL, env, timings in s)."""
    url = database_url(db, args, out_dir)
    env = child_env(url, out_dir, debug=debug)
    exists = Path(urlparse(url).path).exists() if db == "sqlite" else pg_exists(url)
    if args.reuse and exists:
        count = seeded_count(env)
        if count == args.entries:
            print(f"[{db}] reusing {url}: already seeded with {count:,} entries", flush=True)
            return url, env, {"reused": True}
        why = f"it holds {count:,} entries" if count is not None else "its migrations are behind the code"
        print(f"[{db}] cannot reuse {url} ({why}): seeding it again", flush=True)
    if db == "sqlite":
        sqlite_remove(Path(urlparse(url).path))
    else:
        pg_recreate(url)
    timings = {"migrate_s": run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, f"[{db}] migrate")}
    print(f"[{db}] migrate: {timings['migrate_s']:.1f} s", flush=True)
    seed_json = out_dir / f"map-seed-{db}.json"
    cmd = [sys.executable, str(ROOT / "bench" / "map_seed.py"), "--entries", str(args.entries),
           "--seed", str(args.seed), "--json", str(seed_json)]  # fmt: skip
    print(f"[{db}] seeding {args.entries:,} entries (bench/map_seed.py):", flush=True)
    wall = run(cmd, env, f"[{db}] map_seed", echo=True)
    timings.update(json.loads(seed_json.read_text()))
    timings["seed_wall_s"] = wall
    print(f"[{db}] seeded {args.entries:,} entries in {wall:.1f} s (process wall time)", flush=True)
    return url, env, timings


def cleanup(db: str, url: str) -> None:
    if db == "sqlite":
        sqlite_remove(Path(urlparse(url).path))
    else:
        pg_recreate(url, drop_only=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    out_dir = Path(args.out_dir).resolve()
    (out_dir / "static").mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = time.perf_counter()
    print(f"uptime before: {uptime()}", flush=True)
    failed, skipped = [], []
    for db in dbs:
        print(
            f"\n== {db}: community map benchmark, {args.entries:,} entries, {args.viewports} viewports ==", flush=True
        )
        if db == "postgres":
            why = pg_reachable(args.pg_url)
            if why:
                print(f"[postgres] SKIPPED: PostgreSQL at {args.pg_url} is unreachable ({why})", flush=True)
                skipped.append("postgres")
                continue
        url, env, timings = prepare(db, args, out_dir)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", db, "--entries", str(args.entries),
               "--viewports", str(args.viewports), "--baseline-viewports", str(args.baseline_viewports),
               "--geojson-viewports", str(args.geojson_viewports),
               "--seed", str(args.seed), "--out-dir", str(out_dir), "--import-rows", str(args.import_rows)]  # fmt: skip
        if args.warmup is not None:
            cmd += ["--warmup", str(args.warmup)]
        if args.skip_import:
            cmd.append("--skip-import")
        if args.skip_rebuild:
            cmd.append("--skip-rebuild")
        env["BENCH_SETUP_TIMINGS"] = json.dumps(timings)
        proc = subprocess.run(cmd, cwd=ROOT, env=env)
        if proc.returncode == 3:
            failed.append(f"{db}: targets missed")
        elif proc.returncode != 0:
            failed.append(f"{db}: worker exit {proc.returncode}")
        if args.drop:
            cleanup(db, url)
    print(f"\nuptime after: {uptime()}", flush=True)
    print(f"Total time {time.perf_counter() - started:.0f} s.", flush=True)
    errors = [f for f in failed if "worker exit" in f]
    if errors:
        print("ERRORS: " + "; ".join(errors))
        return 1
    if failed:
        print("Targets missed: " + "; ".join(failed))
        return 1 if args.strict else 0
    return 0


# ---- worker: runs inside Django, bound to one database -----------------------------------


def summary(times_ms: list[float], sizes: list[int], cpu_ms: list[float]) -> dict:
    return {
        "count": len(times_ms),
        "median_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(pct(times_ms, 95), 2),
        "max_ms": round(max(times_ms), 2),
        "cpu_median_ms": round(statistics.median(cpu_ms), 2),
        "cpu_p95_ms": round(pct(cpu_ms, 95), 2),
        "mean_bytes": round(statistics.mean(sizes)),
        "max_bytes": max(sizes),
    }


def size_text(n: float) -> str:
    """A response size in bytes, with thousands separators."""
    return f"{round(n):>11,} B"


MAX_LAT = 85.0511287798066


def viewport(lat: float, lng: float, zoom: int, width_px: int, height_px: int) -> tuple[float, ...]:
    """(west, south, east, north) of a screen of width x height pixels centred on a point at a Web
    Mercator zoom (256-pixel tiles), as Leaflet computes it."""
    scale = 256 * 2**zoom
    cx = (lng + 180) / 360 * scale
    s = math.sin(math.radians(max(-MAX_LAT, min(MAX_LAT, lat))))
    cy = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale

    def lat_of(y):
        n = math.pi - 2 * math.pi * y / scale
        return math.degrees(math.atan(math.sinh(n)))

    west = max(-180.0, (cx - width_px / 2) / scale * 360 - 180)
    east = min(180.0, (cx + width_px / 2) / scale * 360 - 180)
    north = min(MAX_LAT, lat_of(max(0.0, cy - height_px / 2)))
    south = max(-MAX_LAT, lat_of(min(float(scale), cy + height_px / 2)))
    return tuple(round(v, 6) for v in (west, south, east, north))


def build_viewports(rng: random.Random, n: int, points: list[tuple[float, float]], region) -> list[dict]:
    """n viewports: zoom 3..18, 85% centred near an entry (so views follow the data, as users'
    do), 15% anywhere in the region; screens of desktops, tablets and phones."""
    south, west, north, east = region
    out = []
    for _ in range(n):
        zoom = rng.randint(3, 18)
        if points and rng.random() < 0.85:
            lat, lng = rng.choice(points)
            jitter = 40 / 2**zoom  # up to a fraction of the screen away from the entry
            lat += rng.uniform(-jitter, jitter) * 0.5
            lng += rng.uniform(-jitter, jitter)
        else:
            lat, lng = rng.uniform(south, north), rng.uniform(west, east)
        w, h = rng.choice(SCREENS)
        out.append({"bbox": viewport(lat, lng, zoom, w, h), "zoom": zoom, "center": (lat, lng)})
    return out


def group_params(group: str, vp: dict, rng: random.Random, ctx: dict) -> dict:
    """The query parameters of one request of a group (bbox and zoom plus the group's filter)."""
    params: dict = {}
    if group == "category":
        params["category"] = ",".join(rng.sample(ctx["categories"], 1 if rng.random() < 0.7 else 2))
    elif group == "area":
        lat, lng = vp["center"]
        holding = [
            a for a in ctx["areas"] if a["min_lat"] <= lat <= a["max_lat"] and a["min_lng"] <= lng <= a["max_lng"]
        ]
        if holding and rng.random() < 0.8:  # mostly the area the user is looking at (a district or its region)
            params["area"] = rng.choice(holding)["slug"]
        else:
            params["area"] = rng.choice(ctx["areas"])["slug"]
    elif group == "verified":
        params["verified"] = "1"
    elif group == "q":
        params["q"] = rng.choice(QUERIES)
    elif group == "dates":
        start = ctx["first_day"] + timedelta(days=rng.randrange(max(1, (ctx["last_day"] - ctx["first_day"]).days)))
        params["from"] = start.isoformat()
        if rng.random() < 0.8:
            params["to"] = (start + timedelta(days=rng.choice((7, 30, 90, 365)))).isoformat()
    params["bbox"] = ",".join(f"{v:g}" for v in vp["bbox"])
    params["zoom"] = vp["zoom"]
    return params


def sql_grid(request):
    """The baseline a competent developer writes first: group the entries in view by a grid cell
    computed from lat/lng at the view's zoom, on the fly in SQL (cells of 64 screen pixels, as
    ours: 360 / 2^(zoom + 2) degrees of longitude, times cos(latitude) for latitude), with the
    same filters (`icontains` for q), and answer each cell's count and centroid."""
    from dataclasses import replace

    from django.db.models import Avg, Count, F, Q
    from django.db.models.functions import Floor
    from django.http import JsonResponse

    from squaremile.mapping.entries.filters import MAX_TERMS, WORD_RE, FilterError, parse_filters
    from squaremile.mapping.models import Entry

    try:
        f = parse_filters(request.GET)
    except FilterError as exc:
        return JsonResponse({"message": "Bad filters", "errors": exc.errors}, status=400)
    west, south, east, north = f.bbox
    zoom = 2 if f.zoom is None else f.zoom
    step = 360.0 / 2 ** (zoom + 2)
    step_lat = step * math.cos(math.radians((south + north) / 2))
    cond = replace(f, q="").entry_q()
    for term in WORD_RE.findall(f.q or "")[:MAX_TERMS]:
        cond &= Q(title__icontains=term) | Q(description__icontains=term)
    rows = (
        Entry.objects.filter(cond, lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
        .annotate(gx=Floor((F("lng") - west) / step), gy=Floor((F("lat") - south) / step_lat))
        .values("gx", "gy")
        .annotate(n=Count("id"), clat=Avg("lat"), clng=Avg("lng"))
        .order_by()
    )
    clusters = [{"lat": round(r["clat"], 6), "lng": round(r["clng"], 6), "count": r["n"]} for r in rows]
    return JsonResponse({"clusters": clusters, "total": sum(c["count"] for c in clusters)})


def naive_geojson(request):
    """The straw man: every published entry in the bounding box that the same filters
    select, no LIMIT, no clustering, serialised as a GeoJSON FeatureCollection."""
    from django.http import HttpResponse, JsonResponse

    from squaremile.mapping.entries.filters import FilterError, parse_filters
    from squaremile.mapping.models import Entry

    try:
        f = parse_filters(request.GET)
    except FilterError as exc:
        return JsonResponse({"message": "Bad filters", "errors": exc.errors}, status=400)
    west, south, east, north = f.bbox
    rows = (
        Entry.objects.filter(f.entry_q(), lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
        .values_list("id", "title", "lat", "lng", "category__slug", "verified")
        .order_by()
    )
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {"title": title, "category": category, "verified": verified},
        }
        for pk, title, lat, lng, category, verified in rows
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features})
    return HttpResponse(body, content_type="application/geo+json")


def install_baseline_urls() -> None:
    """Serve the baselines beside the real URLs, so they go through the same request path."""
    import types

    from django.conf import settings
    from django.test.utils import override_settings
    from django.urls import path

    module = types.ModuleType("bench_map_urls")
    base = __import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"])
    module.urlpatterns = [
        path(BASELINE_ENDPOINT.lstrip("/"), sql_grid),
        path(NAIVE_ENDPOINT.lstrip("/"), naive_geojson),
        *base.urlpatterns,
    ]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(base, name):
            setattr(module, name, getattr(base, name))
    sys.modules["bench_map_urls"] = module
    override_settings(ROOT_URLCONF="bench_map_urls").enable()


def import_csv(n: int, rng: random.Random, categories: list[str]) -> bytes:
    """A CSV of n new entries (external ids bench-import-<i>) around a few towns."""
    from bench.map_seed import TOWNS

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["external_id", "title", "description", "category", "latitude", "longitude", "start_date"])
    for i in range(n):
        town, lat, lng, *_ = rng.choice(TOWNS)
        w.writerow([
            f"bench-import-{i}", f"{town} community fridge {i}", "Imported by the benchmark. Everyone welcome.",
            rng.choice(categories), round(lat + rng.gauss(0, 0.05), 6), round(lng + rng.gauss(0, 0.08), 6),
            (date(2025, 1, 1) + timedelta(days=rng.randrange(700))).isoformat(),
        ])  # fmt: skip
    return buf.getvalue().encode()


def time_import(n: int, rng: random.Random, categories: list[str]) -> dict:
    """Import n new rows through the import service (read the CSV, check every row as the preview
    does, apply in one transaction: entries, their history, the cluster cells), timed as a whole;
    then delete those entries again so the bench database keeps its size."""
    try:
        from squaremile.mapping.io import imports
    except ImportError as exc:
        return {"available": False, "reason": f"squaremile.mapping.io.imports cannot be imported ({exc})"}
    needed = ("read_table", "guess_mapping", "ImportOptions", "import_preview", "import_apply", "OPERATOR")
    missing = [name for name in needed if not hasattr(imports, name)]
    if missing:
        return {"available": False, "reason": "squaremile.mapping.io.imports lacks " + ", ".join(missing)}
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from squaremile.audit.models import AuditEvent
    from squaremile.mapping.models import Entry

    data = import_csv(n, rng, categories)
    started = time.perf_counter()
    table = imports.read_table(data, "bench-import.csv")
    read_s = time.perf_counter() - started
    options = imports.ImportOptions(mapping=imports.guess_mapping(table.columns), publish=True, source="bench import")
    plan = imports.import_preview(table=table, options=options, by=imports.OPERATOR)
    check_s = time.perf_counter() - started - read_s
    if not plan.ok:
        return {"available": False, "reason": f"the import service rejected the bench file: {plan.errors[:3]}"}
    result = imports.import_apply(table=table, options=options, by=imports.OPERATOR, plan=plan)
    seconds = time.perf_counter() - started
    apply_s = seconds - read_s - check_s
    imported = Entry.objects.filter(external_id__startswith="bench-import-").count()
    # Put the database back as it was (raw deletes: the ORM's cascade would load every row).
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cur:
        ids = f"SELECT id FROM {qn(Entry._meta.db_table)} WHERE external_id LIKE %s"
        entry_type = ContentType.objects.get_for_model(Entry).pk
        cur.execute(
            f"DELETE FROM {qn(AuditEvent._meta.db_table)} WHERE content_type_id = %s AND object_id IN ({ids})",
            [entry_type, "bench-import-%"],
        )
        cur.execute(f"DELETE FROM {qn(Entry._meta.db_table)} WHERE external_id LIKE %s", ["bench-import-%"])
    return {
        "available": True,
        "seconds": round(seconds, 2),
        "read_s": round(read_s, 2),
        "check_s": round(check_s, 2),
        "apply_s": round(apply_s, 2),
        "created": result.created,
        "in_database": imported,
        "bytes": len(data),
        "detail": f"read {read_s:.1f} s, check {check_s:.1f} s, apply {apply_s:.1f} s; "
        f"{result.created:,} created, {imported:,} found in the database; {len(data) / 1048576:.1f} MiB of CSV",
    }


def worker(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import close_old_connections, connection, transaction
    from django.db.models import Max, Min
    from django.test import Client
    from django.utils import timezone

    from bench.dbcpu import backend_cpu, cpu_ms_between
    from bench.map_seed import UK
    from squaremile.mapping.cells import clusters
    from squaremile.mapping.models import Category, Entry, EntryStatus
    from squaremile.places.models import Area

    assert not settings.DEBUG, "the benchmark must measure the production code path (DEBUG off)"
    assert "pytest" not in sys.modules
    install_baseline_urls()

    db = args.worker
    load_start = os.getloadavg()
    rng = random.Random(args.seed)
    published = Entry.objects.filter(status=EntryStatus.PUBLISHED)
    total = published.count()
    if connection.vendor == "sqlite":
        version = "SQLite " + connection.Database.sqlite_version
    else:
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = "PostgreSQL " + cur.fetchone()[0]
    from squaremile.mapping.models import ClusterCell

    print(f"[{db}] {version}: {total:,} published entries, {ClusterCell.objects.count():,} cluster cells", flush=True)

    # Where the data is: the points of a random sample of entries.
    bounds = Entry.objects.aggregate(lo=Min("id"), hi=Max("id"))
    lo, hi = bounds["lo"] or 0, bounds["hi"] or 0
    sample_ids = rng.sample(range(lo, hi + 1), min(hi - lo + 1, 5000)) if hi else []
    points = list(published.filter(pk__in=sample_ids).values_list("lat", "lng"))
    created = published.aggregate(first=Min("created_at"), last=Max("created_at"))
    ctx = {
        "categories": list(Category.objects.filter(is_active=True).order_by("slug").values_list("slug", flat=True)),
        "areas": list(
            Area.objects.filter(min_lat__isnull=False).values("slug", "min_lat", "max_lat", "min_lng", "max_lng")
        ),
        "first_day": (created["first"] or timezone.now()).date(),
        "last_day": (created["last"] or timezone.now()).date(),
    }
    if not ctx["areas"]:
        raise SystemExit(f"[{db}] the bench database has no areas with bounding boxes: seed it with bench/map_seed.py")
    n = args.viewports
    warm_n = args.warmup if args.warmup is not None else max(3, n // 10)
    vps = build_viewports(rng, n + warm_n, points, UK)
    requests = {g: [group_params(g, vp, rng, ctx) for vp in vps] for g in GROUPS}

    client = Client(raise_request_exception=True)
    close_old_connections()

    def get(path, params, *, close=True):
        """(wall ms, size, url, CPU ms of the request: this process plus, on PostgreSQL, its backend,
        the backend's share or None)."""
        url = f"{path}?{urlencode(params)}"
        db_before = backend_cpu(connection)
        cpu = time.process_time()
        started = time.perf_counter()
        response = client.get(url, secure=True)
        body = response.content
        db_ms = cpu_ms_between(db_before, backend_cpu(connection))
        if close:
            close_old_connections()  # what a WSGI server does at the end of a request
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {body[:300]!r}")
        return elapsed, len(body), url, (time.process_time() - cpu) * 1000 + (db_ms or 0.0), db_ms

    def line(label, s, tail=""):
        return (
            f"[{db}] {label:<24} n={s['count']:<4} median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  "
            f"max {s['max_ms']:7.1f} ms  cpu/request median {s['cpu_median_ms']:.1f} ms p95 {s['cpu_p95_ms']:.1f} ms"
            + (f" (db {s['db_cpu_median_ms']:.1f} ms)" if "db_cpu_median_ms" in s else "")
            + "  "
            f"size mean {size_text(s['mean_bytes'])} max {size_text(s['max_bytes'])}{tail}"
        )

    def timed(path, reqs, *, close=True):
        times, sizes, cpus, dbs, slowest = [], [], [], [], []
        for params in reqs:
            ms, size, url, cpu_ms, db_ms = get(path, params, close=close)
            times.append(ms)
            sizes.append(size)
            cpus.append(cpu_ms)
            slowest.append((round(ms, 1), url))
            if db_ms is not None:
                dbs.append(db_ms)
        s = summary(times, sizes, cpus)
        if dbs:
            s["db_cpu_median_ms"] = round(statistics.median(dbs), 2)
        s["slowest"] = sorted(slowest, reverse=True)[:5]
        return s

    results: dict = {}
    for group in GROUPS:
        reqs = requests[group]
        for params in reqs[:warm_n]:
            get(ENDPOINT, params)
        s = timed(ENDPOINT, reqs[warm_n:])
        if group in FAST_GROUPS:
            s["pass"] = s["median_ms"] < TARGET_MEDIAN_MS and s["p95_ms"] < TARGET_P95_MS
        else:
            s["pass"] = s["p95_ms"] < TARGET_SLOW_P95_MS
        results[group] = {"ours": s}
        print(line(group, s, f"  {'PASS' if s['pass'] else 'FAIL'}"), flush=True)

    # ---- the baseline: grouping in SQL on the fly, the same viewports and filters --------------
    bn = min(args.baseline_viewports, n)
    qn = connection.ops.quote_name
    dropped = []
    print(
        f"[{db}] baseline: the entries in view grouped in SQL on the fly by a grid cell computed from lat/lng at "
        f"the view's zoom (count and centroid per cell, icontains for q), with the ordinary indexes; the first "
        f"{bn} viewports of each group; ratio = baseline median / ours median on the same requests",
        flush=True,
    )
    with transaction.atomic():
        with connection.cursor() as cur:
            existing = connection.introspection.get_constraints(cur, Entry._meta.db_table)
            for name in MAP_INDEXES:
                if name in existing:
                    cur.execute(f"DROP INDEX {qn(name)}")
                    dropped.append(name)
        print(f"[{db}]   indexes dropped for the baseline (rolled back afterwards): {', '.join(dropped)}", flush=True)
        # Inside the transaction the connection stays open (the test client never closes it).
        for group in GROUPS:
            get(BASELINE_ENDPOINT, requests[group][0], close=False)  # warm
            results[group]["baseline"] = timed(BASELINE_ENDPOINT, requests[group][warm_n : warm_n + bn], close=False)
        transaction.set_rollback(True)  # the indexes come back
    close_old_connections()
    for group in GROUPS:
        # Ours again on exactly the same requests, right after, for a like-for-like ratio.
        same = timed(ENDPOINT, requests[group][warm_n : warm_n + bn])
        b = results[group]["baseline"]
        r = results[group]
        r["ours_same"] = same
        r["ratio"] = round(b["median_ms"] / max(same["median_ms"], 1e-6), 1)
        r["ratio_p95"] = round(b["p95_ms"] / max(same["p95_ms"], 1e-6), 1)
        r["ratio_cpu"] = round(b["cpu_median_ms"] / max(same["cpu_median_ms"], 1e-6), 1)
        print(line(f"  baseline {group}", b), flush=True)
        print(line(f"  ours, same {group}", same), flush=True)
        print(
            f"[{db}]   ratio {group}: {r['ratio']:g}x (baseline median / ours median; p95 {r['ratio_p95']:g}x; "
            f"cpu {r['ratio_cpu']:g}x)",
            flush=True,
        )

    # ---- the straw man, only when asked: every entry in view as GeoJSON ------------------------
    gn = min(args.geojson_viewports, n)
    if gn:
        reqs = requests["unfiltered"][warm_n : warm_n + gn]
        g = timed(NAIVE_ENDPOINT, reqs)
        same = timed(ENDPOINT, reqs)
        results["unfiltered"]["geojson"] = {**g, "ours_same_median_ms": same["median_ms"]}
        print(line("  extra, not the baseline: every entry in view as GeoJSON, unfiltered", g), flush=True)
        print(
            f"[{db}]   geojson / ours: {g['median_ms'] / max(same['median_ms'], 1e-6):.1f}x (median), "
            f"{g['p95_ms'] / max(same['p95_ms'], 1e-6):.1f}x (p95)",
            flush=True,
        )

    # ---- import and rebuild ------------------------------------------------------------------
    extra = {}
    if not args.skip_import:
        extra["import"] = time_import(args.import_rows, rng, ctx["categories"])
        imp = extra["import"]
        if imp.get("available"):
            imp["pass"] = imp["seconds"] < TARGET_IMPORT_S
            print(
                f"[{db}] import of {args.import_rows:,} rows: {imp['seconds']:.1f} s "
                f"({imp.get('detail', '')}) target < {TARGET_IMPORT_S:.0f} s  {'PASS' if imp['pass'] else 'FAIL'}",
                flush=True,
            )
        else:
            print(f"[{db}] import: NOT MEASURED: {imp['reason']}", flush=True)
    if not args.skip_rebuild or "import" in extra:  # the import's rows were deleted: the cells must be rebuilt
        started = time.perf_counter()
        cells = clusters.rebuild()
        extra["rebuild"] = {"seconds": round(time.perf_counter() - started, 2), "cells": cells, "entries": total}
        print(
            f"[{db}] clusters.rebuild() over {total:,} entries: {extra['rebuild']['seconds']:.1f} s ({cells:,} cells)",
            flush=True,
        )

    load = os.getloadavg()
    all_pass = all(results[g]["ours"]["pass"] for g in GROUPS)
    if extra.get("import", {}).get("available"):
        all_pass &= extra["import"]["pass"]
    print(
        f"[{db}] targets: (a)-(d) median < {TARGET_MEDIAN_MS:.0f} ms and p95 < {TARGET_P95_MS:.0f} ms; "
        f"(e)-(f) p95 < {TARGET_SLOW_P95_MS:.0f} ms; import < {TARGET_IMPORT_S:.0f} s "
        f"(load average at start {load_start[0]:.1f}, now {load[0]:.1f}, on {os.cpu_count()} CPUs)",
        flush=True,
    )
    out = {
        "benchmark": "map",
        "database": db,
        "vendor": version,
        "entries": total,
        "viewports": n,
        "warmup": warm_n,
        "baseline_viewports": bn,
        "baseline_dropped_indexes": dropped,
        "targets": {
            "median_ms": TARGET_MEDIAN_MS,
            "p95_ms": TARGET_P95_MS,
            "slow_p95_ms": TARGET_SLOW_P95_MS,
            "import_s": TARGET_IMPORT_S,
        },  # fmt: skip
        "setup": json.loads(os.environ.get("BENCH_SETUP_TIMINGS", "{}")),
        "results": results,
        **extra,
        "all_pass": all_pass,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": load,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path = Path(args.out_dir) / f"map-{db}.json"
    path.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(f"[{db}] {'all targets met' if all_pass else 'TARGETS MISSED'}; results in {path}", flush=True)
    return 0 if all_pass else 3


if __name__ == "__main__":
    sys.exit(main())
