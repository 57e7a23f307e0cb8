#!/usr/bin/env python
"""Stories benchmark: the stories list and a story page on many stories with many links, and
polling many local feeds.

    .venv/bin/python bench/stories_bench.py [--db sqlite|postgres|both] [--stories 100000] [--links 1000000]
                                            [--feeds 200] [--items 50] [--requests 200] [--pg-url URL]

For each database a fresh bench database is made (a SQLite file under var/bench/, or the
PostgreSQL database of --pg-url, dropped and created again), migrated in a subprocess, and this
file runs again as a worker with DATABASE_URL pointing at it (DEBUG off, no query logging). The
worker bulk-inserts the stories (published, over 200 areas, 500 organisations and 30 tags) and the
links ("what it is about", to organisations and areas), then measures, through Django's test client
(the whole request path: middleware, view, template):

* the list page (`/stories/`, pages 1-5, and filtered by area, tag and organisation);
* a story page (`/stories/<id>/`, random stories, each with its links drawn as cards);

and, for each, the baseline a competent developer writes first, measured in the same run on the
same requests: Django's Paginator (with its COUNT) over the plain queryset ordered by date, the
same template, with only the indexes Django makes by itself (the project's story and link indexes
are dropped inside a transaction that is rolled back afterwards); the story page's baseline reads
each link's record one query at a time. Figures: median, p95 and max wall time and CPU time per
request in ms, and the ratio baseline median / ours median.

Then polling: --feeds feeds of --items items each, served by a local HTTP server (ETag support);
the first poll adds everything; a second poll 31 minutes later (the server answers 304) adds
nothing; a third with the server ignoring ETags re-reads every item and still adds nothing.

Targets (issue 15): median < 50 ms and p95 < 150 ms for both pages; polling 200 feeds of 50 items
in < 60 s, nothing added twice. Results also go to var/bench/stories-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/sm_h2_stories_bench"
TARGET_MEDIAN_MS, TARGET_P95_MS, TARGET_POLL_S = 50.0, 150.0, 60.0
KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PGPASSWORD", "PGHOST", "PGUSER")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--stories", type=int, default=100_000)
    p.add_argument("--links", type=int, default=1_000_000)
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--items", type=int, default=50)
    p.add_argument("--requests", type=int, default=200, help="measured requests per surface")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out-dir", default=str(OUT))
    p.add_argument(
        "--keep", action="store_true", help="leave the PostgreSQL bench database filled (to EXPLAIN its queries)"
    )
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _env(database_url: str, out: Path = OUT) -> dict:
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV}
    env["STATIC_ROOT"] = str(out / "static")
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-" + "x" * 40,
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        STORIES_FEED_ALLOW_PRIVATE="1",
        TASKS_IMMEDIATE="1",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    return env


def _pg_recreate(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def parent(args) -> int:
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    code = 0
    for db in dbs:
        if db == "sqlite":
            path = out / "stories.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            url = args.pg_url
            _pg_recreate(url)
        env = _env(url, out)
        t = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, env=env, check=True)
        # manifest static files, as a deployment serves them
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "-v0", "--noinput"], cwd=ROOT, env=env, check=True
        )
        print(f"[{db}] migrated in {time.perf_counter() - t:.1f} s", flush=True)
        argv = [
            sys.executable,
            __file__,
            "--worker",
            db,
            "--stories",
            str(args.stories),
            "--links",
            str(args.links),
            "--feeds",
            str(args.feeds),
            "--items",
            str(args.items),
            "--requests",
            str(args.requests),
            "--seed",
            str(args.seed),
            "--out-dir",
            str(out),
        ]
        code |= subprocess.run(argv, cwd=ROOT, env=env).returncode
        if db == "postgres" and not args.keep:
            _pg_recreate(url)  # leave an empty database behind, not 1M rows
    return code


# ---- worker --------------------------------------------------------------------------------------
def _stats(walls, cpus) -> dict:
    walls, cpus = sorted(walls), sorted(cpus)
    p95 = walls[min(len(walls) - 1, int(round(0.95 * (len(walls) - 1))))]
    return {
        "n": len(walls),
        "median_ms": round(statistics.median(walls), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(walls[-1], 2),
        "cpu_median_ms": round(statistics.median(cpus), 2),
    }


def _measure(fn, paths, warmup=5) -> dict:
    for path in paths[:warmup]:
        fn(path)
    walls, cpus = [], []
    for path in paths:
        w, c = time.perf_counter(), time.process_time()
        status = fn(path)
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
        assert status == 200, (path, status)
    return _stats(walls, cpus)


def seed(args, rng):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from squaremile.accounts.models import User
    from squaremile.directory.models import Organisation
    from squaremile.places.models import Area
    from squaremile.stories.models import Story, StoryLink, StoryTag

    t = time.perf_counter()
    users = User.objects.bulk_create([User(email=f"b{i}@example.org") for i in range(200)])
    areas = Area.objects.bulk_create(
        [
            Area(name=f"Area {i}", slug=f"area-{i}", centroid_lat=53.7 + i * 0.001, centroid_lng=-1.6 + i * 0.001)
            for i in range(200)
        ]
    )
    orgs = Organisation.objects.bulk_create([Organisation(name=f"Group {i}", slug=f"group-{i}") for i in range(500)])
    tags = StoryTag.objects.bulk_create([StoryTag(name=f"tag {i}", slug=f"tag-{i}") for i in range(30)])
    now = timezone.now()
    batch = 5000
    with transaction.atomic():
        for start in range(0, args.stories, batch):
            rows = []
            for i in range(start, min(args.stories, start + batch)):
                area = areas[i % len(areas)]
                rows.append(
                    Story(
                        title=f"Story {i}: what we did together",
                        body="We met, we planned, we did it. " * 8,
                        summary=("We met, we planned, we did it. " * 8)[:240],
                        owner=users[i % len(users)],
                        organisation=orgs[i % len(orgs)] if i % 3 == 0 else None,
                        status="published" if i % 50 else "pending",
                        area=area,
                        lat=area.centroid_lat,
                        lng=area.centroid_lng,
                        published_at=now - __import__("datetime").timedelta(minutes=i),
                    )
                )
            Story.objects.bulk_create(rows, batch_size=batch)
    ids = list(Story.objects.values_list("pk", flat=True).order_by("pk"))
    through = Story.tags.through
    with transaction.atomic():
        through.objects.bulk_create(
            [through(story_id=sid, storytag_id=tags[n % len(tags)].pk) for n, sid in enumerate(ids)], batch_size=batch
        )
    org_ct, area_ct = ContentType.objects.get_for_model(Organisation), ContentType.objects.get_for_model(Area)
    per = max(1, -(-args.links // max(1, len(ids))))
    sql = (
        f"INSERT INTO {StoryLink._meta.db_table} (story_id, content_type_id, object_id, ref, position) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    made = 0
    with transaction.atomic(), connection.cursor() as cur:
        rows = []
        for sid in ids:
            for k in range(per):
                if made >= args.links:
                    break
                if k % 2 == 0:
                    ct, target = org_ct, orgs[(sid * 7 + k) % len(orgs)].pk
                else:
                    ct, target = area_ct, areas[(sid + k) % len(areas)].pk
                rows.append((sid, ct.pk, target, f"{ct.app_label}.{ct.model}:{target}", k))
                made += 1
            if len(rows) >= 20_000:
                cur.executemany(sql, rows)
                rows = []
        if rows:
            cur.executemany(sql, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(
        f"  seeded {len(ids)} stories, {StoryLink.objects.count()} links in {time.perf_counter() - t:.1f} s", flush=True
    )
    return ids, areas, tags, orgs


BASELINE_INDEXES = (
    "story_newest",
    "story_area_newest",
    "story_org_newest",
    "story_owner",
    "story_latlng",
    "storylink_target",
)


def baseline_views():
    """What a competent developer writes first: Paginator (with its COUNT) over the plain queryset,
    links read one record at a time."""
    from django.core.paginator import Paginator
    from django.shortcuts import get_object_or_404, render

    from squaremile.stories.models import Story
    from squaremile.stories.views import _detail_context, parse_filters

    def list_view(request):
        filters = parse_filters(request)
        qs = Story.objects.filter(status="published")
        if filters.area is not None:
            qs = qs.filter(area=filters.area)
        if filters.tag is not None:
            qs = qs.filter(tags=filters.tag)
        if filters.organisation is not None:
            qs = qs.filter(organisation=filters.organisation)
        page = Paginator(qs.order_by("-published_at"), 20).get_page(request.GET.get("page"))
        return render(
            request,
            "stories/story_list.html",
            {
                "stories": list(page),
                "filters": filters,
                "page": page.number,
                "has_next": page.has_next(),
                "query": "",
                "feed_query": "",
                "tags": [],
                "areas": [],
            },
        )

    def detail_view(request, pk):
        story = get_object_or_404(Story, pk=pk)
        context = _detail_context(request, story)
        about = []
        for link in story.links.all():
            obj = link.content_type.get_object_for_this_type(pk=link.object_id)
            about.append(obj)
        context["about"] = about
        return render(request, "stories/story_detail.html", context)

    return list_view, detail_view


def measure_pages(args, rng, ids, areas, tags, orgs) -> dict:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection, transaction
    from django.test import Client, RequestFactory

    client = Client()
    list_paths = []
    for i in range(args.requests):
        kind = i % 5
        if kind == 0:
            list_paths.append(f"/stories/?page={rng.randint(1, 5)}")
        elif kind == 1:
            list_paths.append("/stories/")
        elif kind == 2:
            list_paths.append(f"/stories/?area={rng.choice(areas).slug}")
        elif kind == 3:
            list_paths.append(f"/stories/?tag={rng.choice(tags).slug}")
        else:
            list_paths.append(f"/stories/?organisation={rng.choice(orgs).slug}")
    published = [i for n, i in enumerate(ids) if n % 50]
    detail_ids = [rng.choice(published) for _ in range(args.requests)]
    detail_paths = [f"/stories/{pk}/" for pk in detail_ids]

    def get(path):
        return client.get(path).status_code

    results = {"list page": _measure(get, list_paths), "story page": _measure(get, detail_paths)}

    list_view, detail_view = baseline_views()
    factory = RequestFactory()

    def base_list(path):
        request = factory.get(path)
        request.user = AnonymousUser()
        request.htmx = False
        return list_view(request).status_code

    def base_detail(path):
        request = factory.get(path)
        request.user = AnonymousUser()
        request.htmx = False
        return detail_view(request, int(path.strip("/").split("/")[1])).status_code

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                for name in BASELINE_INDEXES:
                    cur.execute(f"DROP INDEX IF EXISTS {name}")
            results["list page (baseline)"] = _measure(base_list, list_paths)
            results["story page (baseline)"] = _measure(base_detail, detail_paths)
            raise Rollback
    except Rollback:
        pass
    return results


def measure_polling(args) -> dict:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from django.utils import timezone

    from squaremile.stories.feeds import poller
    from squaremile.stories.models import Story, StoryFeed
    from squaremile.stories.tests.factories import feed_xml

    bodies = {f"/feed-{i}.xml": feed_xml(args.items, prefix=f"feed{i}") for i in range(args.feeds)}
    honour = {"etag": True}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):  # noqa: N802
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = f'"{self.path}"'
            if honour["etag"] and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    StoryFeed.objects.bulk_create([StoryFeed(title=f"Feed {i}", url=f"{base}/feed-{i}.xml") for i in range(args.feeds)])
    before = Story.objects.count()
    import requests

    session = requests.Session()
    out = {}
    now = timezone.now()
    for label, when, etag in (
        ("first poll", now, True),
        ("second poll (304)", now + timezone.timedelta(minutes=31), True),
        ("third poll (full re-read)", now + timezone.timedelta(minutes=62), False),
    ):
        honour["etag"] = etag
        w, c = time.perf_counter(), time.process_time()
        outcomes = poller.poll_due(now=when, session=session)
        out[label] = {
            "seconds": round(time.perf_counter() - w, 2),
            "cpu_seconds": round(time.process_time() - c, 2),
            "polled": sum(o.polled for o in outcomes),
            "added": sum(o.added for o in outcomes),
            "errors": sum(bool(o.error) for o in outcomes),
        }
    server.shutdown()
    out["stories added in all"] = Story.objects.count() - before
    return out


def worker(args) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    rng = random.Random(args.seed)
    load = os.getloadavg()
    print(f"[{args.worker}] load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    ids, areas, tags, orgs = seed(args, rng)
    pages = measure_pages(args, rng, ids, areas, tags, orgs)
    ok = True
    for name in ("list page", "story page"):
        ours, base = pages[name], pages[f"{name} (baseline)"]
        passed = ours["median_ms"] < TARGET_MEDIAN_MS and ours["p95_ms"] < TARGET_P95_MS
        ok &= passed
        ratio = base["median_ms"] / ours["median_ms"] if ours["median_ms"] else float("inf")
        print(
            f"[{args.worker}] {name}: median {ours['median_ms']} ms, p95 {ours['p95_ms']} ms, max {ours['max_ms']} ms, "
            f"cpu {ours['cpu_median_ms']} ms  {'PASS' if passed else 'FAIL'} | baseline median {base['median_ms']} ms, "
            f"p95 {base['p95_ms']} ms | ratio {ratio:.1f}x",
            flush=True,
        )
    polling = measure_polling(args)
    for label, fig in polling.items():
        print(f"[{args.worker}] {label}: {fig}", flush=True)
    first = polling["first poll"]
    poll_ok = first["seconds"] < TARGET_POLL_S and polling["stories added in all"] == args.feeds * args.items
    print(
        f"[{args.worker}] polling {args.feeds} feeds x {args.items} items: {'PASS' if poll_ok else 'FAIL'}", flush=True
    )
    load = os.getloadavg()
    print(f"[{args.worker}] load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    Path(args.out_dir).mkdir(parents=True, exist_ok=True)
    (Path(args.out_dir) / f"stories-{args.worker}.json").write_text(
        json.dumps(
            {"stories": args.stories, "links": args.links, "pages": pages, "polling": polling, "load_after": load},
            indent=2,
        )
    )
    return 0 if ok and poll_ok else 1


def main(argv=None) -> int:
    args = parse_args(argv)
    return worker(args) if args.worker else parent(args)


if __name__ == "__main__":
    sys.exit(main())
