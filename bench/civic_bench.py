#!/usr/bin/env python
"""Civic benchmark: routing a report (point in polygon over --boundaries boundaries and the category
rules), Open311 `GET requests` and the reports map layer over --reports reports.

    .venv/bin/python bench/civic_bench.py [--db sqlite|postgres|both] [--boundaries 10000]
                                          [--reports 1000000] [--requests 200] [--seed 1]
                                          [--pg-url postgres://root@127.0.0.1:5432/sm_h6_civicbench]

For each database: a fresh database, migrations, then (in a child process bound to it) the data is
built by the benchmark itself — a grid of --boundaries parish-sized polygons (24 vertices each) with a
body each, 20 categories of which each body handles 8, and county bodies over blocks of 100 parishes
— and --reports reports spread over the grid with every status and category.

Timed, for ours and for the baseline a competent developer writes first, on the same requests:
* **routing**: `civic.routing.route(lat, lng, category)` (bounding boxes in SQL, shapely on the
  candidates, the near-boundary question). Baseline: `places.selectors.areas_containing` (the
  platform's point-in-area) and then the bodies of those areas that handle the category — it does
  less (no near-boundary check), so a ratio under 1 is possible and is printed as it is.
* **open311 GET requests**: `/open311/v2/requests.json` with a mix of no filter, `status`,
  `service_code`, a date window and pages 1-20. Baseline: the same filters through Django's
  `Paginator(qs.order_by("-created_at"), 50).get_page(n)` and the same serialiser (the Paginator
  counts the rows on every request).
* **reports map**: `/civic/reports/map.geojson?bbox=` at zooms 12-17 (at most 500 features).
  Baseline: every report in the box serialised newest first (no cap).

Prints median, p95 and CPU per request and the ratio baseline / ours, with PASS/FAIL against the
issue's targets (routing median < 20 ms, p95 < 50 ms; Open311 and map median < 50 ms, p95 < 150 ms),
and the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import child_env, drop_database, fresh_database, pct, run, uptime  # noqa: E402

DEFAULT_PG = "postgres://root@127.0.0.1:5432/sm_h6_civicbench"
TARGETS = {"routing": (20, 50), "open311 requests": (50, 150), "reports map": (50, 150)}
ORIGIN = (52.0, -2.0)  # south-west corner of the grid
CELL = 0.01  # degrees of latitude per parish (about 1.1 km)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--boundaries", type=int, default=10_000)
    p.add_argument("--reports", type=int, default=1_000_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-url", default=DEFAULT_PG)
    p.add_argument("--out-dir", default=str(ROOT / "var" / "bench"))
    p.add_argument("--keep", action="store_true", help="keep the bench databases")
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


# ---- the data --------------------------------------------------------------------------------------
def polygon(lat: float, lng: float, half_lat: float, half_lng: float, n: int = 24) -> dict:
    """A slightly wobbly square ring of n vertices around the cell (real parishes are not squares)."""
    ring = []
    for i in range(n):
        t = i / n
        side, f = int(t * 4), (t * 4) % 1
        x, y = [(-1 + 2 * f, -1), (1, -1 + 2 * f), (1 - 2 * f, 1), (-1, 1 - 2 * f)][side]
        ring.append([round(lng + x * half_lng, 7), round(lat + y * half_lat, 7)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def build(args, rng: random.Random) -> dict:
    from django.db import connection, transaction

    from squaremile.civic.models import Body, BodyKind, ProblemCategory, Report, ReportStatus
    from squaremile.places.models import Area, AreaKind

    started = time.perf_counter()
    side = math.ceil(math.sqrt(args.boundaries))
    half_lat = CELL / 2
    half_lng = CELL / 2 / math.cos(math.radians(ORIGIN[0]))
    cats = [ProblemCategory(name=f"Category {i}", slug=f"category-{i}", service_code=f"C{i:02d}") for i in range(20)]
    ProblemCategory.objects.bulk_create(cats)
    cats = list(ProblemCategory.objects.order_by("pk"))
    areas = []
    for k in range(args.boundaries):
        r, c = divmod(k, side)
        lat = ORIGIN[0] + r * CELL + half_lat
        lng = ORIGIN[1] + c * 2 * half_lng + half_lng
        ring = polygon(lat, lng, half_lat, half_lng)
        areas.append(Area(
            name=f"Parish {k}", slug=f"parish-{k}", kind=AreaKind.PARISH, boundary=ring,
            centroid_lat=lat, centroid_lng=lng, min_lat=lat - half_lat, max_lat=lat + half_lat,
            min_lng=lng - half_lng, max_lng=lng + half_lng, area_sq_deg=4 * half_lat * half_lng,
        ))  # fmt: skip
    with transaction.atomic():
        Area.objects.bulk_create(areas, batch_size=1000)
        areas = list(
            Area.objects.filter(kind=AreaKind.PARISH).order_by("pk").only("pk", "centroid_lat", "centroid_lng")
        )
        bodies = [Body(name=f"Parish council {k}", slug=f"parish-council-{k}", kind=BodyKind.PARISH)
                  for k in range(len(areas))]  # fmt: skip
        Body.objects.bulk_create(bodies, batch_size=1000)
        bodies = list(Body.objects.order_by("pk").values_list("pk", flat=True))
        through_a, through_c = Body.areas.through, Body.categories.through
        through_a.objects.bulk_create(
            [through_a(body_id=b, area_id=a.pk) for b, a in zip(bodies, areas, strict=True)], batch_size=2000
        )
        links = []
        for b in bodies:
            for cat in rng.sample(cats, 8):
                links.append(through_c(body_id=b, problemcategory_id=cat.pk))
        through_c.objects.bulk_create(links, batch_size=5000)
    boundaries_s = time.perf_counter() - started
    # reports, spread over the grid
    started = time.perf_counter()
    statuses = ReportStatus.values
    open_states = {"open", "acknowledged", "in_progress"}
    lat_max = ORIGIN[0] + math.ceil(args.boundaries / side) * CELL
    lng_max = ORIGIN[1] + side * 2 * half_lng
    batch = []
    made = 0
    cat_ids = [c.pk for c in cats]
    while made < args.reports:
        n = min(5000, args.reports - made)
        batch = []
        for _ in range(n):
            status = rng.choice(statuses)
            batch.append(Report(
                title="Street light out", category_id=rng.choice(cat_ids), lat=rng.uniform(ORIGIN[0], lat_max),
                lng=rng.uniform(ORIGIN[1], lng_max), status=status, is_open=status in open_states,
            ))  # fmt: skip
        with transaction.atomic():
            Report.objects.bulk_create(batch, batch_size=5000)
        made += n
    # created_at is auto_now_add: spread it afterwards over the year, by id
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("UPDATE civic_report SET created_at = now() - (id % 525600) * interval '1 minute', "
                        "updated_at = now() - (id % 525600) * interval '1 minute'")  # fmt: skip
        else:
            cur.execute("UPDATE civic_report SET created_at = datetime('now', '-' || (id % 525600) || ' minutes'), "
                        "updated_at = created_at")  # fmt: skip
            cur.execute("ANALYZE")
    reports_s = time.perf_counter() - started
    return {"boundaries_s": boundaries_s, "reports_s": reports_s, "side": side, "lat_max": lat_max, "lng_max": lng_max,
            "cats": cat_ids}  # fmt: skip


# ---- the timings ---------------------------------------------------------------------------------
def timed(fn, items) -> dict:
    walls, cpus = [], []
    for item in items:
        w, c = time.perf_counter(), time.process_time()
        fn(item)
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return {"n": len(walls), "median": statistics.median(walls), "p95": pct(walls, 95), "max": max(walls),
            "cpu_median": statistics.median(cpus), "cpu_p95": pct(cpus, 95)}  # fmt: skip


def line(db, label, s, tail=""):
    print(f"[{db}] {label:<18} n={s['n']} median {s['median']:.2f} ms p95 {s['p95']:.2f} ms max {s['max']:.2f} ms "
          f"cpu/request median {s['cpu_median']:.2f} ms p95 {s['cpu_p95']:.2f} ms{tail}", flush=True)  # fmt: skip


def worker(args) -> int:
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import close_old_connections, connection
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import path

    from squaremile.civic import open311, routing
    from squaremile.civic.models import Body, Report
    from squaremile.places.selectors import areas_containing

    db = args.worker
    rng = random.Random(args.seed)
    facts = build(args, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    print(f"[{db}] built {args.boundaries:,} boundaries in {facts['boundaries_s']:.1f} s and {args.reports:,} "
          f"reports in {facts['reports_s']:.1f} s", flush=True)  # fmt: skip
    results = {}

    def point():
        return rng.uniform(ORIGIN[0], facts["lat_max"]), rng.uniform(ORIGIN[1], facts["lng_max"])

    # routing
    asks = [(*point(), rng.choice(facts["cats"])) for _ in range(args.requests)]
    for a in asks[:10]:
        routing.route(lat=a[0], lng=a[1], category=a[2])
    ours = timed(lambda a: routing.route(lat=a[0], lng=a[1], category=a[2]), asks)

    def naive(a):
        found = areas_containing(lat=a[0], lng=a[1])
        return list(Body.objects.filter(areas__in=[x.pk for x in found], categories=a[2]).distinct())

    base = timed(naive, asks)
    results["routing"] = (ours, base)

    # the HTTP surfaces, through the test client
    import config.urls as site_urls

    def baseline_requests(request):
        params = request.GET
        qs = Report.objects.all()
        if params.get("status") in ("open", "closed"):
            qs = qs.filter(is_open=params["status"] == "open")
        if params.get("service_code"):
            qs = qs.filter(category__service_code=params["service_code"])
        if params.get("start_date"):
            qs = qs.filter(created_at__gte=open311._when(params["start_date"], "start_date"))
        if params.get("end_date"):
            qs = qs.filter(created_at__lte=open311._when(params["end_date"], "end_date"))
        page = Paginator(qs.select_related("category", "body").order_by("-created_at"), 50).get_page(
            params.get("page") or 1
        )
        return HttpResponse(json.dumps([open311.request_of(r) for r in page]), content_type="application/json")

    def baseline_map(request):
        w, s, e, n = (float(x) for x in request.GET["bbox"].split(","))
        rows = Report.objects.filter(lat__gte=s, lat__lte=n, lng__gte=w, lng__lte=e).order_by("-created_at")
        feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lng, r.lat]},
                  "properties": {"title": r.title, "url": r.get_absolute_url(), "kind": r.status}}
                 for r in rows]  # fmt: skip
        return HttpResponse(json.dumps({"type": "FeatureCollection", "features": feats}),
                            content_type="application/json")  # fmt: skip

    site_urls.urlpatterns[:0] = [path("bench/requests", baseline_requests), path("bench/map", baseline_map)]
    from django.urls import clear_url_caches

    clear_url_caches()
    client = Client()
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    mixes = []
    for _ in range(args.requests):
        roll = rng.random()
        q = {"page": str(rng.randint(1, 20))} if rng.random() < 0.5 else {}
        if roll < 0.25:
            q["status"] = rng.choice(["open", "closed"])
        elif roll < 0.5:
            q["service_code"] = f"C{rng.randint(0, 19):02d}"
        elif roll < 0.75:
            start = now - timedelta(days=rng.randint(1, 300))
            q["start_date"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            q["end_date"] = (start + timedelta(days=rng.choice([1, 7, 30]))).strftime("%Y-%m-%dT%H:%M:%SZ")
        mixes.append(q)

    def get(path, params):
        r = client.get(path, params, secure=True)
        assert r.status_code == 200, (path, params, r.status_code, r.content[:200])
        close_old_connections()
        return r

    for q in mixes[:10]:
        get("/open311/v2/requests.json", q)
    ours = timed(lambda q: get("/open311/v2/requests.json", q), mixes)
    base = timed(lambda q: get("/bench/requests", q), mixes)
    results["open311 requests"] = (ours, base)

    boxes = []
    for _ in range(args.requests):
        zoom = rng.randint(12, 17)
        lat, lng = point()
        h = 844 / 256 / 2**zoom * 360 / 2
        w = 390 / 256 / 2**zoom * 360 / 2
        boxes.append({"bbox": f"{lng - w:.6f},{lat - h:.6f},{lng + w:.6f},{lat + h:.6f}"})
    for b in boxes[:10]:
        get("/civic/reports/map.geojson", b)
    ours = timed(lambda b: get("/civic/reports/map.geojson", b), boxes)
    base = timed(lambda b: get("/bench/map", b), boxes)
    results["reports map"] = (ours, base)

    for label, (ours, base) in results.items():
        med, p95 = TARGETS[label]
        verdict = "PASS" if ours["median"] < med and ours["p95"] < p95 else "FAIL"
        line(db, label, ours, f"  target median < {med} ms, p95 < {p95} ms: {verdict}")
        line(db, "  baseline", base)
        print(f"[{db}]   ratio = {base['median'] / ours['median']:.2f}x (baseline median / ours median, same "
              f"{ours['n']} requests; p95 {base['p95'] / ours['p95']:.2f}x; cpu "
              f"{base['cpu_median'] / max(ours['cpu_median'], 1e-6):.2f}x)", flush=True)  # fmt: skip
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    out = Path(args.out_dir)
    print(f"civic bench: {args.boundaries:,} boundaries, {args.reports:,} reports, {args.requests} requests; "
          f"{uptime()}", flush=True)  # fmt: skip
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    sqlite_path = out / "civic_bench.sqlite3"
    for db in dbs:
        url = fresh_database(db, sqlite_path=sqlite_path, pg_url=args.pg_url)
        env = child_env(url)
        run([sys.executable, "manage.py", "migrate", "--noinput"], env, f"[{db}] migrate")
        started = time.perf_counter()
        cmd = [sys.executable, __file__, "--worker", db, "--boundaries", str(args.boundaries),
               "--reports", str(args.reports), "--requests", str(args.requests), "--seed", str(args.seed)]  # fmt: skip
        proc = subprocess.run(cmd, cwd=ROOT, env=env)
        print(f"[{db}] done in {time.perf_counter() - started:.0f} s; {uptime()}", flush=True)
        if not args.keep:
            drop_database(db, sqlite_path=sqlite_path, pg_url=args.pg_url)
        if proc.returncode:
            return proc.returncode
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    raise SystemExit(main())
