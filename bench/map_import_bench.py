#!/usr/bin/env python
"""Map import benchmark: how long applying a 100,000-row CSV takes, and re-importing it.

    .venv/bin/python bench/map_import_bench.py [--rows 100000] [--areas 200] [--db sqlite|postgres|both]
                                               [--pg-url URL] [--keep]

For each database it makes a fresh bench database (a SQLite file under var/bench/, or the
PostgreSQL database named in --pg-url, created and dropped through the `postgres` maintenance
database), runs the migrations (which seed the map's categories), then runs itself as a worker
subprocess with DATABASE_URL pointing there. The worker adds --areas square areas (so every row's
area is looked up), writes a CSV of --rows rows spread around a few towns, and times the same
service the web wizard and `manage.py import_entries` use:

    read      read_table(): decode and split the file
    check     import_preview(): every row checked, existing entries matched, areas looked up
    apply     import_apply(): check again, then one transaction of bulk inserts, history, cluster cells
    re-import the same file again: 0 created, 0 updated (every row unchanged)

Target (issue #3): 100,000 rows applied within 2 minutes.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import child_env, drop_database, fresh_database  # noqa: E402

DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/squaremile_import_bench"
TARGET_S = 120.0
TOWNS = [(53.80, -1.55), (53.38, -1.47), (53.48, -2.24), (52.49, -1.89), (51.51, -0.13), (54.97, -1.61)]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--areas", type=int, default=200, help="square areas to place the points in (default 200)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def run_parent(args) -> int:
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    worst = 0.0
    for db in dbs:
        path = ROOT / "var" / "bench" / "map-import.sqlite3"
        url = fresh_database(db, sqlite_path=path, pg_url=args.pg_url)
        env = child_env(url)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        cmd = [sys.executable, __file__, "--worker", "--rows", str(args.rows), "--areas", str(args.areas)]
        out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        print(f"== {db} ==")
        print(out.stdout, end="")
        for line in out.stdout.splitlines():
            if line.startswith("apply "):
                worst = max(worst, float(line.split()[1]))
        if not args.keep:
            drop_database(db, sqlite_path=path, pg_url=args.pg_url)
    print(f"slowest apply: {worst:.1f} s (target {TARGET_S:.0f} s) {'PASS' if worst <= TARGET_S else 'FAIL'}")
    return 0


def make_csv(rows: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    slugs = ["existing-work", "innovation", "new-organisation", "community-asset-or-space", "Threat or cut"]
    lines = ["external_id,title,description,category,latitude,longitude,start_date"]
    for n in range(rows):
        lat0, lng0 = TOWNS[n % len(TOWNS)]
        lat, lng = lat0 + rnd.gauss(0, 0.05), lng0 + rnd.gauss(0, 0.08)
        lines.append(
            f'bench-{n},Place number {n},"A place, described; number {n}",{slugs[n % len(slugs)]},'
            f"{lat:.6f},{lng:.6f},2026-{1 + n % 12:02d}-{1 + n % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def make_areas(count: int) -> None:
    from squaremile.places.models import Area

    side = max(1, int(count**0.5))
    areas = []
    for i in range(side):
        for j in range(side):
            south, west = 51.0 + i * 4.5 / side, -3.0 + j * 2.5 / side
            north, east = south + 4.5 / side, west + 2.5 / side
            ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
            areas.append(
                Area(
                    name=f"Bench area {i}-{j}", slug=f"bench-area-{i}-{j}",
                    boundary={"type": "Polygon", "coordinates": [ring]},
                    min_lat=south, max_lat=north, min_lng=west, max_lng=east,
                    centroid_lat=(south + north) / 2, centroid_lng=(west + east) / 2,
                    area_sq_deg=(north - south) * (east - west),
                )
            )  # fmt: skip
    Area.objects.bulk_create(areas)


def run_worker(args) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection

    from squaremile.mapping.io import imports
    from squaremile.mapping.models import Entry

    make_areas(args.areas)
    data = make_csv(args.rows)
    print(f"database {connection.vendor}; {args.rows:,} rows, {len(data) / 1e6:.1f} MB; {args.areas} areas")

    t = time.perf_counter()
    table = imports.read_table(data, "bench.csv")
    print(f"read {time.perf_counter() - t:.2f} s")
    options = imports.ImportOptions(mapping=imports.guess_mapping(table.columns), publish=True, source="bench.csv")

    t = time.perf_counter()
    plan = imports.import_preview(table=table, options=options, by=imports.OPERATOR)
    print(f"check {time.perf_counter() - t:.2f} s: {plan.counts()}")
    assert plan.ok, plan.errors[:5]

    t = time.perf_counter()
    result = imports.import_apply(table=table, options=options, by=imports.OPERATOR)
    elapsed = time.perf_counter() - t
    print(f"apply {elapsed:.2f} s: {result.created:,} created (target {TARGET_S:.0f} s)")
    assert Entry.objects.count() == args.rows
    assert Entry.objects.filter(area__isnull=True).count() < args.rows  # areas were looked up

    t = time.perf_counter()
    again = imports.import_apply(table=imports.read_table(data, "bench.csv"), options=options, by=imports.OPERATOR)
    print(
        f"re-import {time.perf_counter() - t:.2f} s: {again.created} created, {again.updated} updated, "
        f"{again.unchanged:,} unchanged"
    )
    return 0


if __name__ == "__main__":
    a = parse_args()
    sys.exit(run_worker(a) if a.worker else run_parent(a))
