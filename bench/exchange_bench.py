#!/usr/bin/env python
"""Exchange benchmark: matching a new want, the near-me list and the map layer, at full size.

    .venv/bin/python bench/exchange_bench.py [--db sqlite|postgres|both] [--offers 100000]
        [--wants 100000] [--profiles 50000] [--requests 100] [--baseline-requests 5] [--pg-url URL] [--keep]

For each database it makes a fresh bench database (a SQLite file under var/bench/, or the PostgreSQL
database of --pg-url, created and dropped through the `postgres` maintenance database), then runs
itself as a worker subprocess with DATABASE_URL pointing at it and production settings (DEBUG off).
The worker migrates, seeds its own data in bulk (open offers and wants spread over a 60 x 60 km
county, terms drawn from the real taxonomy with a long tail, and people whose profiles list skills
and resources, most willing to share, with square miles; items carry none, one or several terms and
a few words each) and measures, per request, wall and CPU
time (this process; on PostgreSQL the server's CPU is not counted):

* match: what posting a want reads — `matching.find_matches` (term + cell candidates, reach and
  order in SQL, ranking of <= 40 rows in Python) and `matching.candidate_people` — for new wants
  at random points and terms; against the baseline a competent developer writes first, **load
  every open offer and score it in Python** (`matching.baseline_matches`), on the first
  --baseline-requests of the same wants;
* near-me list: GET /exchange/?lat=&lng=&radius=1609 through Django's test client (the whole page);
  baseline: load every live item and keep those within the radius in Python, newest first;
* map layer: GET /exchange/map.geojson?bbox= of about 3 x 2 km; baseline: every live item
  serialised, filtered by the box in Python.

Targets (issue 17): match median < 30 ms, p95 < 100 ms; list and map median < 50 ms, p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/squaremile_exchange_bench"
CENTRE = (52.63, -1.13)
SPAN_DEG = (0.54, 0.89)  # about 60 x 60 km
CONFIG_PREFIXES = (
    "DJANGO_", "SQUAREMILE_", "PYTEST", "DATABASE_", "SECRET_", "DEBUG", "ALLOWED_", "SECURE_", "EMAIL_", "CACHE_",
    "TASKS_", "STATIC_", "MEDIA_", "CONN_", "LOG_",
)  # fmt: skip
UNUSABLE = "!"  # noqa: S105 - an unusable password (no one logs in)
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
VOCABULARY = [
    "garden",
    "tools",
    "lift",
    "ladder",
    "hospital",
    "shopping",
    "drill",
    "mower",
    "bike",
    "repair",
    "sewing",
    "cooking",
    "meals",
    "dog",
    "walking",
    "childcare",
    "homework",
    "maths",
    "reading",
    "english",
    "computer",
    "phone",
    "printer",
    "paint",
    "decorating",
    "wallpaper",
    "plumbing",
    "fence",
    "shed",
    "tent",
    "camping",
    "pram",
    "cot",
    "toys",
    "books",
    "piano",
    "guitar",
    "singing",
    "choir",
    "football",
    "coaching",
    "tennis",
    "allotment",
    "seeds",
    "compost",
    "firewood",
    "van",
    "trailer",
    "removals",
    "boxes",
    "moving",
    "furniture",
    "sofa",
    "table",
    "chairs",
    "baking",
    "cake",
    "wedding",
    "party",
    "hall",
    "room",
    "storage",
    "parking",
    "lift",
    "station",
    "airport",
    "tuesday",
    "weekend",
]
TARGETS = {"match": (30.0, 100.0), "near-me list": (50.0, 150.0), "map layer": (50.0, 150.0)}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--offers", type=int, default=100_000)
    p.add_argument("--wants", type=int, default=100_000)
    p.add_argument("--profiles", type=int, default=50_000)
    p.add_argument("--requests", type=int, default=100, help="measured requests per surface")
    p.add_argument("--baseline-requests", type=int, default=5)
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the bench databases")
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def child_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
    env.update(
        DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="bench-" + secrets.token_hex(24), ALLOWED_HOSTS="testserver",
        SQUAREMILE_VAR_DIR=str(OUT / "runtime"), LOG_LEVEL="ERROR", TASKS_IMMEDIATE="1", PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
    )  # fmt: skip
    return env


def _pg(url: str, sql: str) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    OUT.mkdir(parents=True, exist_ok=True)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    passthrough = [f"--offers={args.offers}", f"--wants={args.wants}", f"--profiles={args.profiles}",
                   f"--requests={args.requests}", f"--baseline-requests={args.baseline_requests}",
                   f"--seed={args.seed}"]  # fmt: skip
    status = 0
    for db in dbs:
        if db == "sqlite":
            path = OUT / "exchange-bench.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            url = args.pg_url
            name = url.rsplit("/", 1)[1]
            _pg(url, f'DROP DATABASE IF EXISTS "{name}"')
            _pg(url, f'CREATE DATABASE "{name}"')
        try:
            code = subprocess.call([sys.executable, __file__, "--worker", db, *passthrough], env=child_env(url),
                                   cwd=ROOT)  # fmt: skip
            status = status or code
        finally:
            if not args.keep:
                if db == "sqlite":
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)
                else:
                    _pg(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    return status


# ---- worker ---------------------------------------------------------------------------------------
def _point(rng):
    return (CENTRE[0] + rng.uniform(-SPAN_DEG[0] / 2, SPAN_DEG[0] / 2),
            CENTRE[1] + rng.uniform(-SPAN_DEG[1] / 2, SPAN_DEG[1] / 2))  # fmt: skip


def seed(args, rng) -> dict:
    from django.db import transaction

    from squaremile.accounts.models import Profile, User
    from squaremile.directory.models import ResourceKind, Skill
    from squaremile.exchange.models import FINE_LEVEL, Item, ItemKey, Kind, Side, Status, Where, cell_of, keys_for

    t0 = time.perf_counter()
    skills = list(Skill.objects.values_list("pk", flat=True))
    resources = list(ResourceKind.objects.values_list("pk", flat=True))
    terms = [("s", s) for s in skills] + [("r", r) for r in resources]
    weights = [1.0 / (i + 1) ** 0.7 for i in range(len(terms))]  # a long tail: some terms are common
    n_people = max(args.profiles, 1000)
    with transaction.atomic():
        User.objects.bulk_create(
            [User(email=f"b{i}@example.org", password=UNUSABLE) for i in range(n_people)], batch_size=2000
        )
    users = list(User.objects.order_by("pk").values_list("pk", flat=True))
    profiles = []
    for uid in users:
        lat, lng = _point(rng)
        profiles.append(Profile(user_id=uid, lat=lat, lng=lng, radius_m=rng.choice([800, 1609, 1609, 3219, 8047]),
                                willingness=rng.choices([0, 1, 2, 3, 4], [1, 3, 4, 2, 1])[0],
                                skills_visibility=rng.choice(["public", "members", "members", "nobody"])))  # fmt: skip
    Profile.objects.filter(user_id__in=users).delete()
    with transaction.atomic():
        Profile.objects.bulk_create(profiles, batch_size=2000)
    pids = list(Profile.objects.order_by("pk").values_list("pk", flat=True))
    s_through, r_through = Skill.people.through, ResourceKind.people.through
    s_rows, r_rows = [], []
    for pid in pids:
        for sid in set(rng.sample(skills, rng.randint(1, 4))):
            s_rows.append(s_through(skill_id=sid, profile_id=pid))
        for rid in set(rng.sample(resources, rng.choice([0, 1, 1, 2]))):
            r_rows.append(r_through(resourcekind_id=rid, profile_id=pid))
    with transaction.atomic():
        s_through.objects.bulk_create(s_rows, batch_size=5000)
        r_through.objects.bulk_create(r_rows, batch_size=5000)
    t_people = time.perf_counter() - t0
    kinds = list(Kind.values)
    s_link, r_link = Item.skills.through, Item.resources.through

    def flush(batch, batch_terms):
        with transaction.atomic():
            Item.objects.bulk_create(batch)  # primary keys set on both databases
            links_s, links_r, keys = [], [], []
            for item, item_terms in zip(batch, batch_terms, strict=True):
                for t in item_terms:
                    if t[0] == "s":
                        links_s.append(s_link(item_id=item.pk, skill_id=int(t[1:])))
                    else:
                        links_r.append(r_link(item_id=item.pk, resourcekind_id=int(t[1:])))
                keys.extend(keys_for(item, item_terms))
            s_link.objects.bulk_create(links_s, batch_size=5000)
            r_link.objects.bulk_create(links_r, batch_size=5000)
            ItemKey.objects.bulk_create(keys, batch_size=5000)

    for side, count in ((Side.OFFER, args.offers), (Side.WANT, args.wants)):
        batch, batch_terms = [], []
        for i in range(count):
            n_terms = rng.choices([0, 1, 2, 3], [1, 6, 2, 1])[0]  # a term is optional; some carry several
            item_terms = list(dict.fromkeys(f"{letter}{pk}" for letter, pk in rng.choices(terms, weights, k=n_terms)))
            anywhere = rng.random() < 0.03
            lat, lng = (None, None) if anywhere else _point(rng)
            title = f"{side} {i}: " + " ".join(rng.sample(VOCABULARY, 3))
            item = Item(
                side=side, kind=rng.choice(kinds), title=title, details="",
                where=Where.ANYWHERE if anywhere else Where.POINT, lat=lat, lng=lng,
                radius_m=rng.choice([800, 1609, 1609, 3219, 8047]), owner_id=rng.choice(users), status=Status.OPEN,
            )  # fmt: skip
            item.cell = cell_of(lat, lng)
            item.fine_cell = cell_of(lat, lng, FINE_LEVEL)
            batch.append(item)
            batch_terms.append(item_terms)
            if len(batch) == 5000:
                flush(batch, batch_terms)
                batch, batch_terms = [], []
        flush(batch, batch_terms)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"people_s": round(t_people, 1), "total_s": round(time.perf_counter() - t0, 1), "users": len(users),
            "skill_links": len(s_rows), "resource_links": len(r_rows),
            "item_keys": ItemKey.objects.count()}  # fmt: skip


def _stats(walls: list[float], cpus: list[float]) -> dict:
    walls_sorted = sorted(walls)
    p95 = walls_sorted[min(len(walls_sorted) - 1, int(round(0.95 * (len(walls_sorted) - 1))))]
    return {"n": len(walls), "median_ms": round(statistics.median(walls), 2), "p95_ms": round(p95, 2),
            "max_ms": round(max(walls), 2), "cpu_median_ms": round(statistics.median(cpus), 2)}  # fmt: skip


def _time(fn, inputs) -> tuple[dict, list]:
    walls, cpus, results = [], [], []
    for x in inputs:
        c0, w0 = time.process_time(), time.perf_counter()
        results.append(fn(x))
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return _stats(walls, cpus), results


def worker(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    assert not settings.DEBUG, "measure the production code path"
    override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}},
    ).enable()
    from squaremile.accounts.models import User
    from squaremile.core.geo import haversine_m
    from squaremile.exchange import matching
    from squaremile.exchange.models import LIVE, Item, ItemKey, Side, Where, cell_of

    db = args.worker
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    facts = seed(args, rng)
    print(f"[{db}] migrated in {t_migrate:.0f} s; seeded {args.offers} offers, {args.wants} wants, "
          f"{facts['users']} profiles in {facts['total_s']:.0f} s", flush=True)  # fmt: skip
    load_start = os.getloadavg()
    owner = User.objects.order_by("pk").first()
    terms = sorted(
        set(ItemKey.objects.filter(side=Side.OFFER).exclude(key__startswith="w:").values_list("key", flat=True))
    )

    def new_want(i):
        r = random.Random(1000 + i)
        n_terms = r.choices([0, 1, 2], [1, 7, 2])[0]  # a tenth of new wants have no term: matched by words
        lat, lng = _point(r)
        want = Item(
            side=Side.WANT, kind="help", title="need help with " + " and ".join(r.sample(VOCABULARY, 2)),
            where=Where.POINT, lat=lat, lng=lng, radius_m=1609, owner=owner,
        )  # fmt: skip
        want.cell = cell_of(lat, lng)
        want.terms = r.sample(terms, n_terms)
        return want

    wants = [new_want(i) for i in range(args.requests)]
    for w in wants[:5]:  # warm up
        matching.find_matches(w)

    def ours(w):
        return matching.find_matches(w), matching.candidate_people(w)

    results = {}
    results["match"], found = _time(ours, wants)
    results["match (baseline)"], base_found = _time(matching.baseline_matches, wants[: args.baseline_requests])
    agree = sum(
        [f.item.pk for f in a[0]][:3] == [f.item.pk for f in b][:3]
        for a, b in zip(found, base_found, strict=False)
    )  # fmt: skip
    results["match"]["mean_matches"] = round(statistics.mean(len(f[0]) for f in found), 1)
    results["match"]["mean_people_asked"] = round(statistics.mean(len(f[1]) for f in found), 1)

    client = Client()

    def near_page(i):
        r = random.Random(2000 + i)
        lat, lng = _point(r)
        response = client.get(f"/exchange/?lat={lat:.5f}&lng={lng:.5f}&radius=1609", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    def near_baseline(i):
        r = random.Random(2000 + i)
        lat, lng = _point(r)
        rows = [it for it in Item.objects.filter(status__in=LIVE).only("pk", "title", "lat", "lng", "created_at")
                if it.lat is not None and haversine_m(lat, lng, it.lat, it.lng) <= 1609]  # fmt: skip
        rows.sort(key=lambda it: it.created_at, reverse=True)
        return rows[:20]

    def layer(i):
        r = random.Random(3000 + i)
        lat, lng = _point(r)
        bbox = f"{lng - 0.022:.5f},{lat - 0.009:.5f},{lng + 0.022:.5f},{lat + 0.009:.5f}"
        response = client.get(f"/exchange/map.geojson?bbox={bbox}", secure=True)
        assert response.status_code == 200
        return len(response.json()["features"])

    def layer_baseline(i):
        r = random.Random(3000 + i)
        lat, lng = _point(r)
        out = []
        for it in Item.objects.filter(status__in=LIVE).values("pk", "title", "side", "lat", "lng"):
            if it["lat"] is not None and abs(it["lat"] - lat) <= 0.009 and abs(it["lng"] - lng) <= 0.022:
                out.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [it["lng"], it["lat"]]},
                            "properties": {"title": it["title"], "kind": it["side"]}})  # fmt: skip
        return json.dumps(out)

    n = list(range(args.requests))
    for i in range(3):
        near_page(i), layer(i)
    results["near-me list"], _ = _time(near_page, n)
    results["near-me list (baseline)"], _ = _time(near_baseline, n[: args.baseline_requests])
    results["map layer"], features = _time(layer, n)
    results["map layer"]["mean_features"] = round(statistics.mean(features), 1)
    results["map layer (baseline)"], _ = _time(layer_baseline, n[: args.baseline_requests])
    load_end = os.getloadavg()

    print(f"[{db}] load average at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
          f"at end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f} (2 cores, shared)")  # fmt: skip
    failed = False
    for surface, (t_med, t_p95) in TARGETS.items():
        ours_r, base_r = results[surface], results[f"{surface} (baseline)"]
        ok = ours_r["median_ms"] < t_med and ours_r["p95_ms"] < t_p95
        failed |= not ok
        ratio = base_r["median_ms"] / ours_r["median_ms"] if ours_r["median_ms"] else float("inf")
        extra = {k: v for k, v in ours_r.items() if k.startswith("mean_")}
        print(f"[{db}] {surface:13s} median {ours_r['median_ms']:7.2f} ms  p95 {ours_r['p95_ms']:7.2f} ms  "
              f"max {ours_r['max_ms']:7.2f} ms  cpu {ours_r['cpu_median_ms']:6.2f} ms  (n={ours_r['n']})  "
              f"{'PASS' if ok else 'FAIL'} (target {t_med:.0f}/{t_p95:.0f} ms)  {extra or ''}")  # fmt: skip
        print(f"[{db}] {'  baseline':13s} median {base_r['median_ms']:7.2f} ms  p95 {base_r['p95_ms']:7.2f} ms  "
              f"cpu {base_r['cpu_median_ms']:6.2f} ms  (n={base_r['n']})  "
              f"ratio baseline/ours {ratio:.1f}x")  # fmt: skip
    print(f"[{db}] baseline and ours agree on the top 3 matches for {agree} of {len(base_found)} wants")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"exchange-{db}.json").write_text(json.dumps(
        {"db": db, "offers": args.offers, "wants": args.wants, "profiles": facts["users"], "seed": facts,
         "load_start": load_start, "load_end": load_end, "results": results}, indent=1, default=str))  # fmt: skip
    return 1 if failed and os.environ.get("BENCH_STRICT") else 0


if __name__ == "__main__":
    sys.exit(main())
