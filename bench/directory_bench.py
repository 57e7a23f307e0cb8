#!/usr/bin/env python
"""Directory benchmark: the list page, the search endpoint and the API list on a large directory.

    .venv/bin/python bench/directory_bench.py [--size large] [--requests 200] [--db sqlite|postgres|both]
                                              [--keep] [--reuse] [--strict] [--pg-url URL]

For each database it creates a fresh bench database (a SQLite file under var/bench/, or the
PostgreSQL database named in --pg-url, created and dropped through the `postgres` maintenance
database), runs the migrations and `seed_demo --size <size> --seed 1` in a subprocess, then
re-invokes itself as a worker subprocess with DATABASE_URL pointing at that database, so that
Django's settings bind to it. The worker runs the production code path (DEBUG off, no query
logging, manifest static files, SSL redirect on with secure requests) through Django's test
client and prints, for each surface, the count, median, 95th percentile, maximum and CPU time per
request in ms with PASS/FAIL against the targets. Then it runs the same requests through the same
request path against the baseline a competent developer writes first (bench-only views in this
file): Django's Paginator over the plain queryset (filters, `icontains` for q, ordered by name)
with only the indexes Django makes by itself (the indexes the project declares on the organisation
and project tables are dropped inside a rolled-back transaction), and for search `icontains` on
name or description, 20 hits. It prints the same figures for the baseline and the ratio
baseline median / ours median on the same requests. Results also go to var/bench/directory-<db>.json.

Targets (issue): median under 50 ms and 95th percentile under 150 ms for each surface.
See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import pct, pg_dbname, pg_exists, pg_recreate, run, sqlite_remove  # noqa: E402

DEFAULT_OUT = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/squaremile_bench"
TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 150.0
SURFACES = ("list page", "search", "api list")
# Settings from the environment that a benchmark must not inherit (a test run's, a developer's).
CONFIG_PREFIXES = (
    "DJANGO_", "SQUAREMILE_", "PYTEST", "DATABASE_", "SECRET_", "DEBUG", "ALLOWED_", "SECURE_", "EMAIL_", "CACHE_",
    "TASKS_", "STATIC_", "MEDIA_", "CONN_", "LOG_",
)  # fmt: skip
# Words too common or too short to be what anyone searches a directory for on their own.
STOP_WORDS = {"the", "and", "for", "our", "with", "of", "in", "on", "at", "to", "a", "an", "st", "s"}


# ---- parent: databases, seeding, workers -------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--size", default="large", help="seed_demo size: small, medium, large or a number (default large)")
    p.add_argument("--requests", type=int, default=200, help="measured requests per surface (default 200)")
    p.add_argument(
        "--baseline-requests", type=int, default=None,
        help="baseline requests per surface, the first of the same mix (default: as many as --requests)",
    )  # fmt: skip
    p.add_argument("--warmup", type=int, default=None, help="unmeasured requests per surface first (default 10%%)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"the bench PostgreSQL database (default {DEFAULT_PG_URL})")
    p.add_argument("--out-dir", default=str(DEFAULT_OUT), help="SQLite file, static files and JSON (var/bench)")
    p.add_argument("--seed", type=int, default=1, help="seed for the data and for the request mix (default 1)")
    p.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept bench database if it has data (no seeding)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--serial-seed", action="store_true", help="seed the databases one after the other")
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def child_env(database_url: str, out_dir: Path) -> dict:
    """Production-like settings for the subprocesses: DEBUG off (no query log), a secret key,
    only the test client's host, and nothing that would make settings think it is a test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_hex(24),
        ALLOWED_HOSTS="testserver",
        SQUAREMILE_VAR_DIR=str(out_dir / "runtime"),
        STATIC_ROOT=str(out_dir / "static"),
        LOG_LEVEL="ERROR",
        TASKS_IMMEDIATE="1",
        PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
    )
    return env


def has_data(env: dict) -> bool:
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');django.setup();"
        "from squaremile.directory.models import Organisation;print(Organisation.objects.exists())"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return proc.returncode == 0 and proc.stdout.strip() == "True"


def prepare(db: str, args, out_dir: Path) -> tuple[str, dict, dict]:
    """A fresh, migrated, seeded bench database: (DATABASE_URL, env, timings in seconds)."""
    if db == "sqlite":
        path = out_dir / "squaremile_bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = args.pg_url
        pg_dbname(url)
    env = child_env(url, out_dir)
    if args.reuse and (db == "sqlite" and path.exists() or db == "postgres" and pg_exists(url)) and has_data(env):
        print(f"[{db}] reusing the kept bench database {url} (no seeding)", flush=True)
        timings = {"reused": True}
        if db == "postgres":
            timings["vacuum_analyze_s"] = pg_vacuum_analyze(url)
        return url, env, timings
    if db == "sqlite":
        sqlite_remove(path)
    else:
        pg_recreate(url)
    timings = {"migrate_s": run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, f"[{db}] migrate")}
    print(f"[{db}] migrate: {timings['migrate_s']:.1f} s", flush=True)
    timings["seed_s"] = run(
        [sys.executable, "manage.py", "seed_demo", "--size", str(args.size), "--seed", str(args.seed), "-v0"],
        env, f"[{db}] seed_demo",
    )  # fmt: skip
    print(f"[{db}] seed_demo --size {args.size} --seed {args.seed}: {timings['seed_s']:.1f} s", flush=True)
    if db == "postgres":
        timings["vacuum_analyze_s"] = pg_vacuum_analyze(url)
    return url, env, timings


def pg_vacuum_analyze(url: str) -> float:
    """What autovacuum does on its own a minute after a bulk load: planner statistics (without them
    PostgreSQL guesses a few hundred rows per table and picks plans that read every row) and the
    visibility map (index-only scans for counts). Run explicitly so the figures do not depend on
    whether autovacuum happened to pass, or is on at all on the bench server."""
    import psycopg

    u = urlparse(url)
    started = time.perf_counter()
    with psycopg.connect(
        host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or None,
        password=u.password or None, dbname=pg_dbname(url), autocommit=True,
    ) as conn:  # fmt: skip
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]
        conn.execute("VACUUM (ANALYZE)")
    elapsed = time.perf_counter() - started
    print(
        f"[postgres] VACUUM (ANALYZE) after the bulk load (autovacuum is {autovacuum} here): {elapsed:.1f} s",
        flush=True,
    )
    return elapsed


def cleanup(db: str, url: str, out_dir: Path) -> None:
    if db == "sqlite":
        sqlite_remove(Path(urlparse(url).path))
    else:
        pg_recreate(url, drop_only=True)


def collect_static(out_dir: Path) -> bool:
    """Run collectstatic as a deployment does (manifest storage). Returns True when it failed and the
    worker must fall back to plain static URLs (the pages are otherwise the same)."""
    env = child_env(f"sqlite:///{out_dir / 'collectstatic.sqlite3'}", out_dir)
    proc = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    sqlite_remove(out_dir / "collectstatic.sqlite3")
    if proc.returncode == 0:
        return False
    reason = next((line for line in proc.stderr.splitlines() if "Error" in line), proc.stderr.strip()[-300:])
    print(
        f"WARNING: collectstatic failed, so the pages are rendered with plain static URLs instead of the "
        f"manifest (production cannot deploy until this is fixed):\n  {reason}",
        flush=True,
    )
    return True


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    out_dir = Path(args.out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = time.perf_counter()
    plain_static = collect_static(out_dir)
    if len(dbs) > 1 and not args.serial_seed:
        # Seeding is most of the run; the two databases seed at once (a subprocess each), so on a
        # 2-core machine each seeding time includes the other's competition. Measuring is serial.
        print(f"\n== seeding {' and '.join(dbs)} at the same time (--serial-seed to seed one by one) ==", flush=True)
        with ThreadPoolExecutor(len(dbs)) as pool:
            futures = {db: pool.submit(prepare, db, args, out_dir) for db in dbs}
            prepared = {db: future.result() for db, future in futures.items()}
    else:
        prepared = {}
    failed = []
    for db in dbs:
        print(f"\n== {db}: directory benchmark, size {args.size}, {args.requests} requests per surface ==", flush=True)
        url, env, timings = prepared[db] if db in prepared else prepare(db, args, out_dir)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", db, "--size", str(args.size),
               "--requests", str(args.requests), "--seed", str(args.seed), "--out-dir", str(out_dir)]  # fmt: skip
        if args.baseline_requests is not None:
            cmd += ["--baseline-requests", str(args.baseline_requests)]
        if args.warmup is not None:
            cmd += ["--warmup", str(args.warmup)]
        env["BENCH_SETUP_TIMINGS"] = json.dumps(timings)
        if plain_static:
            env["BENCH_PLAIN_STATIC"] = "1"
        proc = subprocess.run(cmd, cwd=ROOT, env=env)
        if proc.returncode not in (0, 3):
            failed.append(f"{db}: worker exit {proc.returncode}")
        elif proc.returncode == 3:
            failed.append(f"{db}: targets missed")
        if not args.keep:
            cleanup(db, url, out_dir)
    print(f"\nTotal time {time.perf_counter() - started:.0f} s.", flush=True)
    errors = [f for f in failed if "worker exit" in f]
    if errors:
        print("ERRORS: " + "; ".join(errors))
        return 1
    if failed:
        print("Targets missed: " + "; ".join(failed))
        return 1 if args.strict else 0
    return 0


# ---- worker: runs inside Django, bound to one database -----------------------------------


def summary(times_ms: list[float]) -> dict:
    return {
        "count": len(times_ms),
        "median_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(pct(times_ms, 95), 2),
        "max_ms": round(max(times_ms), 2),
    }


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped, doubled, swapped with its neighbour or replaced."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "double", "swap", "replace"))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourstnl") + word[i + 1 :]


class Vocabulary:
    """Realistic queries drawn from the seeded data: whole names, common name words, typos, pairs."""

    def __init__(self, rng: random.Random, names: list[str]):
        self.rng = rng
        self.names = names
        self.phrases = [re.findall(r"[A-Za-z][A-Za-z']+", n) for n in names]
        counts: dict[str, int] = {}
        for words in self.phrases:
            for w in words:
                lw = w.lower()
                if len(lw) >= 3 and lw not in STOP_WORDS and "'" not in lw:
                    counts[lw] = counts.get(lw, 0) + 1
        # Frequent words are searched more often; the square root keeps the rarer ones in the mix.
        self.words = sorted(counts)
        self.weights = [math.sqrt(counts[w]) for w in self.words]
        self.long_words = [w for w in self.words if len(w) >= 5]
        self.long_weights = [math.sqrt(counts[w]) for w in self.long_words]

    def word(self) -> str:
        return self.rng.choices(self.words, self.weights)[0]

    def whole_name(self) -> str:
        return self.rng.choice(self.names)

    def typo_word(self) -> str:
        return typo(self.rng.choices(self.long_words, self.long_weights)[0], self.rng)

    def two_words(self) -> str:
        for _ in range(20):
            words = [w for w in self.rng.choice(self.phrases) if w.lower() not in STOP_WORDS]
            if len(words) >= 2:
                i = self.rng.randrange(len(words) - 1)
                return f"{words[i]} {words[i + 1]}".lower()
        return f"{self.word()} {self.word()}"

    def search_query(self) -> tuple[str, str]:
        kind = self.rng.choice(("whole name", "word", "typo", "two words"))
        make = {"whole name": self.whole_name, "word": self.word, "typo": self.typo_word, "two words": self.two_words}
        return kind, make[kind]()


def build_requests(rng, vocab, n, *, streams, org_types, areas, skills, total_orgs):
    """(list page urls, search urls with query kinds, api urls), each n long, plus the filters of each
    so the baseline can run the same filters."""
    pages = max(1, min(200, math.ceil(total_orgs / 25)))
    list_reqs, search_reqs, api_reqs = [], [], []
    for _ in range(n):
        f = {}
        if rng.random() < 0.3:
            f["stream"] = rng.choice(streams)
        if rng.random() < 0.3:
            f["area"] = rng.choice(areas)
        if rng.random() < 0.2:
            f["skill"] = rng.choice(skills)
        q = ""
        if rng.random() < 0.25:
            q = vocab.word() if rng.random() < 0.7 else vocab.two_words()
        params = dict(f)
        if q:
            params["q"] = q
            page = rng.randint(1, 3)
        else:
            page = rng.randint(1, pages)
        if page > 1:
            params["page"] = page
        list_reqs.append(("/organisations/?" + urlencode(params), {**f, "q": q}))

        kind, query = vocab.search_query()
        search_reqs.append(("/api/v1/search?" + urlencode({"q": query}), {"q": query, "kind": kind}))

        f = {}
        if rng.random() < 0.3:
            f["stream"] = rng.choice(streams)
        if rng.random() < 0.1:
            f["org_type"] = rng.choice(org_types)
        if rng.random() < 0.3:
            f["area"] = rng.choice(areas)
        if rng.random() < 0.2:
            f["skill"] = rng.choice(skills)
        q = vocab.word() if rng.random() < 0.2 else ""
        params = dict(f)
        if q:
            params["q"] = q
            offset = rng.choice((0, 0, 20, 40))
        else:
            offset = rng.randint(0, max(0, min(total_orgs - 20, 200 * 20)))
        params.update(limit=20, offset=offset)
        api_reqs.append(("/api/v1/organisations?" + urlencode(params), {**f, "q": q}))
    return list_reqs, search_reqs, api_reqs


# ---- baselines: the obvious first version, served beside the real URLs ----------------------
BASELINE_PATHS = {
    "list page": "/bench-baseline/organisations/?",
    "search": "/bench-baseline/search?",
    "api list": "/bench-baseline/api/organisations?",
}


def baseline_queryset(*, q="", stream="", org_type="", area=None, skill=None):
    """The queryset a competent developer writes first: filters, icontains for q, by name."""
    from django.db.models import Q

    from squaremile.directory.models import Organisation
    from squaremile.places.selectors import descendant_ids

    qs = Organisation.objects.select_related("area").order_by("name")
    if stream:
        qs = qs.filter(stream=stream)
    if org_type:
        qs = qs.filter(org_type=org_type)
    if area is not None:
        qs = qs.filter(area_id__in=descendant_ids(area))
    if skill is not None:
        qs = qs.filter(skills=skill)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs


def baseline_list_page(request):
    """The list page with Django's Paginator over the plain queryset (the same form and template)."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from squaremile.core.pagination import PAGE_SIZE
    from squaremile.directory.forms import DirectoryFilterForm

    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = Paginator(baseline_queryset(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter_form": form, "page": page, "query": request.GET.get("q", ""), "filtered": bool(filters)}
    return render(request, "directory/organisation_list.html", context)


def baseline_api_list(request):
    """The API list with Django's Paginator: the page holding `offset`, items in the API's schema."""
    from django.core.paginator import Paginator
    from django.http import JsonResponse

    from squaremile.directory.api import OrganisationOut
    from squaremile.directory.models import Skill
    from squaremile.places.models import Area

    g = request.GET
    limit, offset = int(g.get("limit", 20)), int(g.get("offset", 0))
    area = Area.objects.filter(slug=g["area"]).first() if g.get("area") else None
    skill = Skill.objects.filter(slug=g["skill"]).first() if g.get("skill") else None
    qs = baseline_queryset(q=g.get("q", ""), stream=g.get("stream", ""), org_type=g.get("org_type", ""),
                           area=area, skill=skill)  # fmt: skip
    page = Paginator(qs, limit).get_page(offset // limit + 1)
    items = [OrganisationOut.from_orm(o).model_dump() for o in page]
    return JsonResponse({"count": page.paginator.count, "limit": limit, "offset": offset, "items": items})


def baseline_search(request):
    """Search as first written: icontains on name or description, the first 20 of each kind by name."""
    from django.db.models import Q
    from django.http import JsonResponse

    from squaremile.directory.models import Organisation, Project

    q = request.GET.get("q", "")
    cond = Q(name__icontains=q) | Q(description__icontains=q)
    hits, total = [], 0
    for kind, model in (("organisation", Organisation), ("project", Project)):
        qs = model.objects.filter(cond)
        total += qs.count()
        hits += [
            {"kind": kind, "title": o.name, "url": o.get_absolute_url(), "snippet": o.description[:160]}
            for o in qs.order_by("name")[:20]
        ]
    hits.sort(key=lambda h: h["title"])
    return JsonResponse({"query": q, "total": total, "hits": hits[:20]})


def install_baseline_urls() -> None:
    """Serve the baselines beside the real URLs, so they go through the same request path."""
    import types

    from django.conf import settings
    from django.test.utils import override_settings
    from django.urls import path

    module = types.ModuleType("bench_directory_urls")
    base = __import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"])
    views = {"list page": baseline_list_page, "search": baseline_search, "api list": baseline_api_list}
    module.urlpatterns = [path(BASELINE_PATHS[s][1:-1], view) for s, view in views.items()] + list(base.urlpatterns)
    for name in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(base, name):
            setattr(module, name, getattr(base, name))
    sys.modules["bench_directory_urls"] = module
    override_settings(ROOT_URLCONF="bench_directory_urls").enable()


def worker(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    if os.environ.get("BENCH_PLAIN_STATIC"):
        from django.test.utils import override_settings

        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        override_settings(STORAGES=storages).enable()
    from django.db import close_old_connections, connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.dbcpu import backend_cpu, cpu_ms_between
    from squaremile.core.pagination import PAGE_SIZE
    from squaremile.directory.models import Organisation, OrganisationType, Project, Skill, Stream
    from squaremile.places.models import Area

    assert not settings.DEBUG, "the benchmark must measure the production code path (DEBUG off)"
    assert "pytest" not in sys.modules

    db = args.worker
    load_start = os.getloadavg()
    rng = random.Random(args.seed)
    total_orgs = Organisation.objects.count()
    total_projects = Project.objects.count()
    if connection.vendor == "sqlite":
        version = "SQLite " + connection.Database.sqlite_version
    else:
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = "PostgreSQL " + cur.fetchone()[0]
    print(f"[{db}] {version}: {total_orgs:,} organisations, {total_projects:,} projects", flush=True)

    # Realistic vocabulary: names of organisations and projects spread over the whole table.
    max_id = Organisation.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = rng.sample(range(1, max_id + 1), min(max_id, 3000))
    names = list(Organisation.objects.filter(pk__in=sample_ids).values_list("name", flat=True))
    names += list(Project.objects.order_by("id").values_list("name", flat=True)[:500])
    vocab = Vocabulary(rng, sorted(names))
    areas = list(Area.objects.order_by("slug").values_list("slug", flat=True))
    skills = list(Skill.objects.order_by("slug").values_list("slug", flat=True))
    n = args.requests
    warm_n = args.warmup if args.warmup is not None else max(3, n // 10)
    list_reqs, search_reqs, api_reqs = build_requests(
        rng, vocab, n + warm_n, streams=list(Stream.values), org_types=list(OrganisationType.values),
        areas=areas, skills=skills, total_orgs=total_orgs,
    )  # fmt: skip
    surfaces = {"list page": list_reqs, "search": search_reqs, "api list": api_reqs}

    client = Client(raise_request_exception=True)
    close_old_connections()

    def get(url, *, close=True):
        """(wall ms, CPU ms of the request: this process plus, on PostgreSQL, its backend, response,
        the backend's share or None)."""
        db_before = backend_cpu(connection)
        cpu = time.process_time()
        started = time.perf_counter()
        response = client.get(url, secure=True)
        body = response.content
        db_ms = cpu_ms_between(db_before, backend_cpu(connection))
        # What a WSGI server does at the end of a request: the connection is closed when it is
        # older than CONN_MAX_AGE (or unusable), and the next request opens one, as in production.
        if close:
            close_old_connections()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {body[:300]!r}")
        return elapsed, (time.process_time() - cpu) * 1000 + (db_ms or 0.0), response, db_ms

    def cpu_figures(s, cpu_times, db_times):
        s["cpu_median_ms"] = round(statistics.median(cpu_times), 2)
        s["cpu_p95_ms"] = round(pct(cpu_times, 95), 2)
        db_times = [t for t in db_times if t is not None]
        if db_times:
            s["db_cpu_median_ms"] = round(statistics.median(db_times), 2)

    results: dict = {}
    found_whole = checked_whole = 0
    for surface, reqs in surfaces.items():
        for url, _ in reqs[:warm_n]:
            get(url)
        times, cpu_times, db_times, slowest = [], [], [], []
        for url, meta in reqs[warm_n:]:
            ms, cpu_ms, response, db_ms = get(url)
            times.append(ms)
            cpu_times.append(cpu_ms)
            db_times.append(db_ms)
            slowest.append((round(ms, 1), url))
            if surface == "search" and meta["kind"] == "whole name":
                checked_whole += 1
                titles = [h["title"].lower() for h in response.json()["hits"]]
                found_whole += meta["q"].lower() in titles
        # Queries per request, on a few requests (outside the timings: capturing costs time).
        query_counts = []
        for url, _ in reqs[warm_n : warm_n + 5]:
            with CaptureQueriesContext(connection) as ctx:
                client.get(url, secure=True)
            query_counts.append(len(ctx.captured_queries))
            close_old_connections()
        s = summary(times)
        s["queries_per_request"] = statistics.median(query_counts)
        cpu_figures(s, cpu_times, db_times)
        s["slowest"] = sorted(slowest, reverse=True)[:5]
        s["pass"] = s["median_ms"] < TARGET_MEDIAN_MS and s["p95_ms"] < TARGET_P95_MS
        s["times"], s["cpu_times"] = times, cpu_times  # for the ratio on the baseline's requests; dropped later
        results[surface] = {"ours": s}

    # ---- baselines: what a competent developer writes first ---------------------------------
    # The same requests through the same request path, answered by the views in this file:
    # Django's Paginator over the ordinary queryset (icontains for q, ordered by name), with only
    # the indexes Django makes by itself (primary keys, unique fields, ForeignKeys): the indexes
    # the project declares on the organisation and project tables are dropped inside a
    # transaction that is rolled back afterwards.
    install_baseline_urls()
    dropped, kept = [], []
    bn = n if args.baseline_requests is None else min(args.baseline_requests, n)
    with transaction.atomic():
        with connection.cursor() as cur:
            for model in (Organisation, Project):
                declared = {index.name for index in model._meta.indexes}
                for name, c in connection.introspection.get_constraints(cur, model._meta.db_table).items():
                    if not c["index"] or c["unique"] or c["primary_key"]:
                        continue
                    if name in declared:
                        cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                        dropped.append(name)
                    else:
                        kept.append(name)
        for surface, reqs in surfaces.items():
            base_url = BASELINE_PATHS[surface]
            # Inside the transaction the connection must stay open: no close_old_connections() here
            # (the test client itself never closes it).
            for url, _ in reqs[:warm_n]:
                get(base_url + url.split("?", 1)[1], close=False)
            times, cpu_times, db_times = [], [], []
            for url, meta in reqs[warm_n : warm_n + bn]:
                ms, cpu_ms, response, db_ms = get(base_url + url.split("?", 1)[1], close=False)
                times.append(ms)
                cpu_times.append(cpu_ms)
                db_times.append(db_ms)
                if surface == "search" and meta["kind"] == "whole name":
                    results[surface].setdefault("baseline_quality", [0, 0])
                    results[surface]["baseline_quality"][1] += 1
                    titles = [h["title"].lower() for h in response.json()["hits"]]
                    results[surface]["baseline_quality"][0] += meta["q"].lower() in titles
            query_counts = []
            for url, _ in reqs[warm_n : warm_n + 5]:
                with CaptureQueriesContext(connection) as ctx:
                    client.get(base_url + url.split("?", 1)[1], secure=True)
                query_counts.append(len(ctx.captured_queries))
            b = summary(times)
            cpu_figures(b, cpu_times, db_times)
            b["queries_per_request"] = statistics.median(query_counts)
            ours_same = results[surface]["ours"]["times"][:bn]
            b["ours_same_median_ms"] = round(statistics.median(ours_same), 2)
            b["ours_same_p95_ms"] = round(pct(ours_same, 95), 2)
            results[surface]["baseline"] = b
            results[surface]["ratio"] = round(b["median_ms"] / max(b["ours_same_median_ms"], 1e-6), 1)
            results[surface]["ratio_p95"] = round(b["p95_ms"] / max(b["ours_same_p95_ms"], 1e-6), 1)
            results[surface]["ratio_cpu"] = round(
                b["cpu_median_ms"] / max(statistics.median(results[surface]["ours"]["cpu_times"][:bn]), 1e-6), 1
            )
        transaction.set_rollback(True)  # the indexes come back
    close_old_connections()
    for surface in SURFACES:
        results[surface]["ours"].pop("times")
        results[surface]["ours"].pop("cpu_times")

    # ---- report -------------------------------------------------------------------------
    labels = {
        "list page": "list page  GET /organisations/",
        "search": "search     GET /api/v1/search?q=",
        "api list": "api list   GET /api/v1/organisations",
    }
    baseline_labels = {
        "list page": f"Paginator(qs, {PAGE_SIZE}).page(n), same template",
        "search": "icontains on name or description, 20 by name",
        "api list": "Paginator(qs, limit).page(offset // limit + 1)",
    }

    def db_part(s):
        return f" (db {s['db_cpu_median_ms']:.1f} ms)" if "db_cpu_median_ms" in s else ""

    load = os.getloadavg()
    print(
        f"[{db}] targets: median < {TARGET_MEDIAN_MS:.0f} ms, p95 < {TARGET_P95_MS:.0f} ms "
        f"(load average at start {load_start[0]:.1f}, now {load[0]:.1f}, on {os.cpu_count()} CPUs)",
        flush=True,
    )
    print(
        f"[{db}] baselines: the same requests through the same request path, with Django's own indexes only "
        f"(dropped for them: {', '.join(dropped) or 'none'}; kept: {', '.join(kept) or 'none'})",
        flush=True,
    )
    all_pass = True
    for surface in SURFACES:
        r = results[surface]
        o, b = r["ours"], r["baseline"]
        all_pass &= o["pass"]
        print(
            f"[{db}] {labels[surface]:<36} n={o['count']:<4} median {o['median_ms']:7.1f} ms  "
            f"p95 {o['p95_ms']:7.1f} ms  max {o['max_ms']:7.1f} ms  "
            f"cpu/request median {o['cpu_median_ms']:.1f} ms p95 {o['cpu_p95_ms']:.1f} ms{db_part(o)}  "
            f"queries {o['queries_per_request']:g}  {'PASS' if o['pass'] else 'FAIL'}"
        )
        print(
            f"[{db}]   baseline: {baseline_labels[surface]:<48} n={b['count']:<4} median {b['median_ms']:7.1f} ms  "
            f"p95 {b['p95_ms']:7.1f} ms  max {b['max_ms']:7.1f} ms  "
            f"cpu/request median {b['cpu_median_ms']:.1f} ms p95 {b['cpu_p95_ms']:.1f} ms{db_part(b)}  "
            f"queries {b['queries_per_request']:g}"
        )
        print(
            f"[{db}]   ratio = {r['ratio']:g}x (baseline median / ours median {b['ours_same_median_ms']:.1f} ms on the "
            f"same {b['count']} requests; p95 {r['ratio_p95']:g}x; cpu {r['ratio_cpu']:g}x)"
        )
        print(f"[{db}]   slowest: {o['slowest'][0][1]} ({o['slowest'][0][0]:.0f} ms)")
    if bn < 20:
        print(f"[{db}] note: only {bn} baseline requests per surface (--baseline-requests); use at least 20")
    if checked_whole:
        print(f"[{db}] search quality: {found_whole}/{checked_whole} whole-name queries found that name")
    if results["search"].get("baseline_quality"):
        found_b, checked_b = results["search"]["baseline_quality"]
        print(f"[{db}] baseline search quality: {found_b}/{checked_b} whole-name queries found that name")
    out = {
        "benchmark": "directory",
        "database": db,
        "vendor": version,
        "size": args.size,
        "organisations": total_orgs,
        "projects": total_projects,
        "requests": n,
        "warmup": warm_n,
        "targets": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS},
        "setup": json.loads(os.environ.get("BENCH_SETUP_TIMINGS", "{}")),
        "results": results,
        "all_pass": all_pass,
        "baseline_dropped_indexes": dropped,
        "baseline_kept_indexes": kept,
        "search_whole_name_found": [found_whole, checked_whole],
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path = Path(args.out_dir) / f"directory-{db}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"[{db}] {'all targets met' if all_pass else 'TARGETS MISSED'}; results in {path}", flush=True)
    return 0 if all_pass else 3


if __name__ == "__main__":
    sys.exit(main())
