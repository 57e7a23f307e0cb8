#!/usr/bin/env python
"""Skills game and method library benchmark.

    .venv/bin/python bench/game_bench.py [--db sqlite|postgres|both] [--part game|library|both]
        [--tables 12] [--phones 8] [--seconds 30] [--sort-every 1.5] [--poll 1.0]
        [--methods 10000] [--reports 100000] [--requests 200] [--pg-url URL]

For each database it makes a fresh bench database (a SQLite file under var/bench/, or the
PostgreSQL database of --pg-url, dropped and created), migrates it, and re-invokes itself as a
worker subprocess with production-like settings (DEBUG off, no query log), driving the real
endpoints through Django's full request path (the test client, every middleware). The phones'
requests are served by --procs processes of --threads request threads each (like gunicorn's
gthread workers), each thread with one persistent database connection: 4 x 4 = 16 connections by
default, however many phones poll.

Game: one event with --tables tables; --phones phones join each table through the join form
(each its own session). Every phone polls its table's state every --poll seconds (with the
version it has, as `static/js/skillsgame.js` does), each in its own thread; at each table a phone
sorts the card on the table every --sort-every seconds, taking turns. For each sort it measures
the time from the sort's response until each of the table's other phones has a state with that
version (target: within 2 s), and the server's CPU per request (thread CPU time of the request,
the test client runs the request in the calling thread): per sort, per poll that finds nothing
new (304) and per poll that returns the new state. Baseline: the obvious polling endpoint that
answers the whole state every time (no version, no 304): its CPU per poll, measured in the same
run, and the ratio.

Library: --methods published methods (four steps each) and --reports "we used this" reports,
bulk-inserted. The list page (paged, filtered by purpose, by group size and time, sorted by use)
and method pages (with their report counts and latest reports), median and p95 wall and CPU per
request (target: median < 50 ms, p95 < 150 ms). Baseline: the same pages and Django's Paginator
with only Django's default indexes (the app's own indexes dropped inside a transaction that is
rolled back afterwards). Results also go to var/bench/game-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/sm_h4_bench"
CONFIG_PREFIXES = (
    "DJANGO_", "SQUAREMILE_", "PYTEST", "DATABASE_", "SECRET_", "DEBUG", "ALLOWED_", "SECURE_", "EMAIL_", "CACHE_",
    "TASKS_", "STATIC_", "MEDIA_", "CONN_", "LOG_",
)  # fmt: skip


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    p.add_argument("--part", choices=("game", "library", "both"), default="both")
    p.add_argument("--tables", type=int, default=12)
    p.add_argument("--phones", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30.0, help="how long the game is played (default 30)")
    p.add_argument("--sort-every", type=float, default=1.5, help="seconds between sorts at a table (default 1.5)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between a phone's polls (default 1)")
    p.add_argument("--procs", type=int, default=4, help="processes serving the phones, as server workers (default 4)")
    p.add_argument(
        "--threads",
        type=int,
        default=4,
        help="request threads per process, each with its one persistent database connection (default 4)",
    )
    p.add_argument("--methods", type=int, default=10_000)
    p.add_argument("--reports", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=200, help="measured library requests per surface (default 200)")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def child_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
    env.update(
        DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="bench-" + secrets.token_hex(24), ALLOWED_HOSTS="testserver",
        SQUAREMILE_VAR_DIR=str(OUT / "runtime"), STATIC_ROOT=str(OUT / "static"), LOG_LEVEL="ERROR",
        TASKS_IMMEDIATE="1", PYTHONUNBUFFERED="1", BENCH_PLAIN_STATIC="1",
    )  # fmt: skip
    return env


def pg_recreate(url: str) -> None:
    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name) or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"Not a bench database name: {name!r}")
    with psycopg.connect(
        host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or None, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def parent(args) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)", flush=True)
    for db in dbs:
        if db == "sqlite":
            path = OUT / "game.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            pg_recreate(args.pg_url)
            url = args.pg_url
        env = child_env(url)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
        if proc.returncode:
            return proc.returncode
        print(f"[{db}] migrated in {time.perf_counter() - started:.1f}s", flush=True)
        cmd = [sys.executable, __file__, "--worker", db, *sys.argv[1:]]
        proc = subprocess.run(cmd, cwd=ROOT, env=env)
        if proc.returncode:
            return proc.returncode
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return 0


# ---- worker ---------------------------------------------------------------------------------------
def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
        "max": ordered[-1],
    }


def show(label: str, s: dict, unit="ms") -> str:
    if not s.get("n"):
        return f"  {label:<34} (none)"
    figures = f"median {s['median']:8.2f} {unit}  p95 {s['p95']:8.2f} {unit}  max {s['max']:8.2f} {unit}"
    return f"  {label:<34} n={s['n']:<6} {figures}"


def timed(fn, *args, **kwargs):
    """(result, wall ms, thread CPU ms) of one request run in this thread."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def game_part(args, report: dict) -> None:
    import datetime

    from django.test import Client
    from django.urls import reverse

    from squaremile.accounts.models import Role, User
    from squaremile.methods.game import cards as game_cards
    from squaremile.methods.game import services

    organiser = User.objects.create_user(
        email="bench-organiser@example.org", password=secrets.token_hex(8), role=Role.ORGANISER
    )
    deck, _ = game_cards.standard_decks()
    game = services.game_create(
        by=organiser, name="Bench event", deck=deck, played_on=datetime.date.today(),
        tables=[(f"Table {i + 1}", "phones") for i in range(args.tables)],
    )  # fmt: skip
    tables = list(game.tables.order_by("id"))
    # The clock starts once every phone has joined (joining is not measured).
    stop_after = args.seconds
    load_before = os.getloadavg()
    procs = max(1, min(args.procs, len(tables)))
    if procs == 1:
        runs = [play_tables(args, [t.pk for t in tables], stop_after)]
    else:
        # Like a server with several worker processes: each process drives its share of the tables.
        import multiprocessing

        from django.db import connections

        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        share = [[t.pk for t in tables[i::procs]] for i in range(procs)]
        children = [ctx.Process(target=_child, args=(args, ids, stop_after, queue)) for ids in share]
        for child in children:
            child.start()
        runs = [queue.get() for _ in children]
        for child in children:
            child.join()
    elapsed = max(run["played"] for run in runs)
    sort_times = {(t, v): w for run in runs for t, v, w in run["sorts"]}
    seen = [tuple(x) for run in runs for x in run["seen"]]
    cpu = {k: [x for run in runs for x in run["cpu"][k]] for k in runs[0]["cpu"]}
    errors = [e for run in runs for e in run["errors"]]
    process_cpu = sum(run["process_cpu"] for run in runs)
    baseline_client = Client()
    r = baseline_client.post(reverse("methods:join"), {"code": tables[0].code, "name": "Baseline"}, secure=True)
    assert r.status_code == 302, r.status_code
    phones = {tables[0].pk: [baseline_client]}

    # Propagation: for each sort at a table, when did each other phone first hold that version or later?
    by_phone: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for table_id, index, version, when in seen:
        by_phone.setdefault((table_id, index), []).append((version, when))
    delays, missed = [], 0
    for (table_id, version), sorted_at in sort_times.items():
        for index in range(args.phones):
            first = next(
                (
                    w
                    for v, w in sorted(by_phone.get((table_id, index), []), key=lambda x: x[1])
                    if v >= version and w >= sorted_at - 0.001
                ),
                None,
            )
            if first is None:
                missed += 1  # the run ended before this phone polled again
            else:
                delays.append(first - sorted_at)

    # Baseline: the obvious endpoint that sends the whole state on every poll (no version, no 304).
    sample = tables[0]
    client = phones[sample.pk][0]
    url = reverse("methods:state", args=[sample.code])
    base_cpu, base_wall = [], []
    for _ in range(300):
        _, wall, used = timed(client.get, url, secure=True)
        base_cpu.append(used)
        base_wall.append(wall)

    s = {k: stats(v) for k, v in cpu.items()}
    report["game"] = {
        "tables": args.tables, "phones_per_table": args.phones, "seconds": elapsed, "sorts": len(sort_times),
        "propagation_s": stats(delays), "not_seen_before_end": missed, "errors": errors[:20],
        "error_count": len(errors),
        "cpu_ms": s, "baseline_full_state_cpu_ms": stats(base_cpu), "baseline_full_state_wall_ms": stats(base_wall),
        "process_cpu_s": process_cpu, "load_before": load_before, "load_after": os.getloadavg(),
        "requests": sum(len(v) for k, v in cpu.items() if k.startswith("wall")),
    }  # fmt: skip
    g = report["game"]
    print(f"\n[{report['db']}] skills game: {args.tables} tables x {args.phones} phones, {elapsed:.0f}s, "
          f"{g['sorts']} sorts, "
          f"{g['requests']} requests ({g['requests'] / elapsed:.0f}/s), {len(errors)} errors")  # fmt: skip
    print(
        show("sort -> every other phone sees it", {k: (v if k == "n" else v * 1000) for k, v in stats(delays).items()})
    )
    print(f"  (target: within 2000 ms; {missed} phone-sorts not seen before the run ended)")
    print(show("server CPU per sort (update)", s["sort"]))
    print(show("server CPU per poll, nothing new", s["poll_304"]))
    print(show("server CPU per poll, new state", s["poll_state"]))
    print(show("wall per sort", s["wall_sort"]))
    print(show("wall per poll, nothing new (304)", s["wall_poll_304"]))
    print(show("baseline: CPU per full-state poll", stats(base_cpu)))
    polls = len(cpu["poll_304"]) + len(cpu["poll_state"])
    ours = (sum(cpu["poll_304"]) + sum(cpu["poll_state"])) / max(polls, 1)
    base = statistics.mean(base_cpu)
    print(
        f"  mean CPU per poll: ours {ours:.2f} ms, baseline {base:.2f} ms: "
        f"baseline / ours = {base / max(ours, 1e-9):.1f}x"
    )
    print(f"  whole process CPU {process_cpu:.1f}s over {elapsed:.0f}s (clients included); "
          f"per sort incl. the polls it causes: "
          f"{process_cpu * 1000 / max(len(sort_times), 1):.1f} ms")  # fmt: skip
    g["mean_cpu_per_poll_ms"] = ours
    g["baseline_mean_cpu_per_poll_ms"] = base


def play_tables(args, table_ids: list[int], stop_after: float) -> dict:
    """Join --phones phones to each table, then play for `stop_after` seconds: a thread per phone
    polling, a thread per table sorting. The phones' requests are served, as by a threaded server
    worker (gunicorn's gthread), by --threads request threads, each holding one persistent database
    connection: procs x threads connections in all, whatever the number of phones. Returns what
    happened, as plain data."""
    from concurrent.futures import ThreadPoolExecutor

    from django.test import Client
    from django.urls import reverse

    from squaremile.methods.models import GameTable

    tables = list(GameTable.objects.filter(pk__in=table_ids).order_by("id"))
    phones: dict[int, list[Client]] = {}
    for table in tables:
        phones[table.pk] = []
        for i in range(args.phones):
            c = Client(enforce_csrf_checks=False)
            r = c.post(reverse("methods:join"), {"code": table.code, "name": f"P{i}"}, secure=True)
            assert r.status_code == 302, r.status_code
            phones[table.pk].append(c)

    lock = threading.Lock()
    stop_at = [time.monotonic() + 3600.0]
    sort_times: dict[tuple[int, int], float] = {}  # (table, version) -> when the sort's response came back
    seen: list[tuple[int, int, int, float]] = []  # (table, phone, version, when seen)
    cpu = {"sort": [], "poll_304": [], "poll_state": [], "wall_sort": [], "wall_poll_304": [], "wall_poll_state": []}
    errors = []

    def phone_loop(table: GameTable, index: int, client: Client):
        url = reverse("methods:state", args=[table.code])
        version = -1
        rng = random.Random(table.pk * 100 + index)
        time.sleep(rng.random() * args.poll)
        try:
            while time.monotonic() < stop_at[0]:
                r, wall, used = serve(client.get, url, {"v": version}, secure=True)
                now = time.monotonic()
                if r.status_code == 200:
                    version = r.json()["version"]
                    with lock:
                        cpu["poll_state"].append(used)
                        cpu["wall_poll_state"].append(wall)
                        seen.append((table.pk, index, version, now))
                elif r.status_code == 304:
                    with lock:
                        cpu["poll_304"].append(used)
                        cpu["wall_poll_304"].append(wall)
                else:
                    errors.append(f"poll {r.status_code}")
                time.sleep(max(0.0, args.poll - (time.monotonic() - now) - wall / 1000))
        except Exception as exc:  # noqa: BLE001 - a failed phone is counted, not fatal
            errors.append(f"poll {type(exc).__name__}: {exc}")

    def table_loop(table: GameTable):
        rng = random.Random(table.pk)
        sort_url = reverse("methods:sort", args=[table.code])
        state_url = reverse("methods:state", args=[table.code])
        turn = 0
        time.sleep(rng.random() * args.sort_every)
        try:
            while time.monotonic() < stop_at[0]:
                client = phones[table.pk][turn % args.phones]
                card = serve(client.get, state_url, secure=True)[0].json()["card"]
                if card is None:
                    break
                pile = rng.choice(["can", "can", "friends", "nobody"])
                data = {"card": card["id"], "pile": pile}
                r, wall, used = serve(client.post, sort_url, data, HTTP_ACCEPT="application/json", secure=True)
                now = time.monotonic()
                if r.status_code != 200:
                    errors.append(f"sort {r.status_code}")
                else:
                    with lock:
                        sort_times[(table.pk, r.json()["version"])] = now
                        cpu["sort"].append(used)
                        cpu["wall_sort"].append(wall)
                turn += 1
                time.sleep(max(0.0, args.sort_every - wall / 1000))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"sort {type(exc).__name__}: {exc}")

    server = ThreadPoolExecutor(max_workers=max(1, args.threads), thread_name_prefix="request")

    def serve(fn, *a, **kw):
        """(response, wall ms, CPU ms): the request waits for a free request thread (the wall time
        includes that wait, as a phone would see it); the CPU is the request thread's."""
        queued = time.perf_counter()
        response, _, used = server.submit(timed, fn, *a, **kw).result()
        return response, (time.perf_counter() - queued) * 1000, used

    threads = [threading.Thread(target=phone_loop, args=(t, i, c)) for t in tables for i, c in enumerate(phones[t.pk])]
    threads += [threading.Thread(target=table_loop, args=(t,)) for t in tables]
    process_cpu = time.process_time()
    started = time.monotonic()
    stop_at[0] = started + stop_after
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    barrier = threading.Barrier(max(1, args.threads))  # one close on each request thread
    for f in [server.submit(_close_connections, barrier) for _ in range(max(1, args.threads))]:
        f.result()
    server.shutdown(wait=True)
    return {
        "played": time.monotonic() - started,
        "process_cpu": time.process_time() - process_cpu,
        "sorts": [(t, v, w) for (t, v), w in sort_times.items()],
        "seen": seen,
        "cpu": cpu,
        "errors": errors,
    }


def _close_connections(barrier) -> None:
    from django.db import connections

    barrier.wait(timeout=30)
    connections.close_all()


def _child(args, table_ids, stop_after, queue) -> None:
    from django.db import connections

    connections.close_all()
    try:
        queue.put(play_tables(args, table_ids, stop_after))
    finally:
        connections.close_all()


def seed_library(args) -> None:
    import datetime

    from django.db import transaction

    from squaremile.methods.models import Method, MethodStep, Purpose, UsageReport, purposes_text
    from squaremile.moderation.models import ModerationState as S

    rng = random.Random(args.seed)
    started = time.perf_counter()
    purposes = Purpose.values
    words = ["circle", "story", "walk", "map", "vote", "idea", "garden", "kitchen", "street", "skills", "café", "dream"]
    with transaction.atomic():
        methods = [
            Method(
                slug=f"bench-method-{i}",
                name=f"{rng.choice(words).title()} {rng.choice(words)} {i}",
                summary="A bench method for a group.",
                purposes=purposes_text(rng.sample(purposes, rng.randint(1, 3))),
                min_people=rng.randint(2, 10),
                max_people=rng.randint(12, 200),
                minutes=rng.choice([10, 15, 20, 30, 45, 60, 90, 120, 180]),
                setting=rng.choice(["face", "online", "both"]),
                status=S.PUBLISHED,
            )  # fmt: skip
            for i in range(args.methods)
        ]
        Method.objects.bulk_create(methods, batch_size=2000)
        ids = list(Method.objects.values_list("id", flat=True))
        MethodStep.objects.bulk_create(
            (
                MethodStep(method_id=mid, position=p, title=f"Step {p + 1}", minutes=10, text="Do the thing.")
                for mid in ids
                for p in range(4)
            ),
            batch_size=5000,
        )
        weights = [1 / (r + 1) for r in range(len(ids))]  # a few methods are used a lot
        chosen = rng.choices(ids, weights=weights, k=args.reports)
        today = datetime.date.today()
        UsageReport.objects.bulk_create(
            (UsageReport(method_id=mid, used_on=today - datetime.timedelta(days=rng.randint(1, 1500)),
                         people=rng.randint(3, 80),
                         place="The hall", worked="It worked.") for mid in chosen),
            batch_size=5000,
        )  # fmt: skip
        counts: dict[int, int] = {}
        for mid in chosen:
            counts[mid] = counts.get(mid, 0) + 1
        by_count: dict[int, list[int]] = {}
        for mid, n in counts.items():
            by_count.setdefault(n, []).append(mid)
        for n, mids in by_count.items():
            for start in range(0, len(mids), 900):
                Method.objects.filter(pk__in=mids[start : start + 900]).update(use_count=n)
    # As the database's own upkeep would after a bulk load (PostgreSQL's autovacuum; SQLite's
    # `PRAGMA optimize`): statistics for the planner, and the visibility map for index-only scans.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("methods_method", "methods_methodstep", "methods_usagereport"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    print(
        f"  seeded {args.methods} methods and {args.reports} reports in {time.perf_counter() - started:.1f}s",
        flush=True,
    )


def library_requests(args, rng) -> dict[str, list[str]]:
    from squaremile.methods.models import Method, Purpose

    slugs = list(Method.objects.order_by("?").values_list("slug", flat=True)[:500])
    pages = max(1, args.methods // 20)
    return {
        "list page": [f"/methods/?page={rng.randint(1, pages)}" for _ in range(args.requests)],
        "list, filtered": [
            f"/methods/?purpose={rng.choice(Purpose.values)}&people={rng.randint(5, 60)}"
            f"&minutes={rng.choice([30, 60, 90])}"
            f"&setting={rng.choice(['face', 'online'])}&page={rng.randint(1, 5)}"
            for _ in range(args.requests)
        ],
        "list, most used": [f"/methods/?sort=used&page={rng.randint(1, 20)}" for _ in range(args.requests)],
        "method page": [f"/methods/{rng.choice(slugs)}/" for _ in range(args.requests)],
    }


def measure(client, urls: list[str]) -> tuple[dict, dict]:
    walls, cpus = [], []
    for url in urls[: max(5, len(urls) // 10)]:
        client.get(url, secure=True)  # warm up
    for url in urls:
        r, wall, used = timed(client.get, url, secure=True)
        assert r.status_code == 200, (url, r.status_code)
        walls.append(wall)
        cpus.append(used)
    return stats(walls), stats(cpus)


def library_part(args, report: dict) -> None:
    from django.db import connection, transaction
    from django.test import Client

    from squaremile.methods.models import Method, UsageReport

    seed_library(args)
    rng = random.Random(args.seed)
    surfaces = library_requests(args, rng)
    client = Client()
    ours = {name: measure(client, urls) for name, urls in surfaces.items()}
    # Baseline: Django's defaults only. Drop the app's own indexes, measure, roll back.
    base = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (Method, UsageReport):
                for index in model._meta.indexes:
                    cursor.execute(f'DROP INDEX "{index.name}"')
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE methods_method")
                cursor.execute("ANALYZE methods_usagereport")
        base = {name: measure(client, urls) for name, urls in surfaces.items()}
        transaction.set_rollback(True)
    report["library"] = {}
    print(
        f"\n[{report['db']}] method library: {args.methods} methods, {args.reports} use reports, "
        f"{args.requests} requests per surface"
    )
    for name in surfaces:
        (wall, cpu), (bwall, bcpu) = ours[name], base[name]
        ok = wall["median"] < 50 and wall["p95"] < 150
        print(show(f"{name} wall", wall) + ("  PASS" if ok else "  FAIL"))
        print(show(f"{name} CPU", cpu))
        print(
            show(f"{name} baseline wall", bwall)
            + f"  ratio baseline/ours median {bwall['median'] / wall['median']:.2f}x"
        )
        report["library"][name] = {"wall": wall, "cpu": cpu, "baseline_wall": bwall, "baseline_cpu": bcpu, "pass": ok}


def worker(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Plain static file names (no collectstatic manifest needed; a dictionary look-up less per URL).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    report = {"db": args.worker}
    if args.part in ("game", "both"):
        game_part(args, report)
    if args.part in ("library", "both"):
        library_part(args, report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"game-{args.worker}.json").write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    parsed = parse_args()
    sys.exit(worker(parsed) if parsed.worker else parent(parsed))
