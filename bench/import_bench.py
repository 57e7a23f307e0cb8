#!/usr/bin/env python
"""Tie import benchmark: preview and apply a network of 1,000 people and 4,994 ties through the
shared import pipeline, against the tie import as it was before it (measured in the same run).

    .venv/bin/python bench/import_bench.py [--people 1000] [--ties 4994] [--repeat 5] [--baseline-repeat 3]
                                           [--db sqlite|postgres|both] [--pg-url URL] [--keep] [--strict]

For each database it makes a fresh bench database (a SQLite file under var/bench/, or the
PostgreSQL database named in --pg-url, created and dropped through the `postgres` maintenance
database), runs the migrations, then runs itself as a worker subprocess with DATABASE_URL pointing
there and production settings (DEBUG off). The worker writes a seeded ties CSV (names from word
lists; 85% of ties to near neighbours, so it has communities; strengths 1-3) and times, each run on
a fresh survey:

    ours preview     network.weaving.services.ties_import_preview (the page's "Check the file")
    ours apply       network.weaving.services.ties_import_apply (one transaction), then the same file
                     again (re-import: nothing created, every row unchanged)
    baseline preview the tie import before the shared pipeline: a name resolver per name
                     (`names.resolve_name`: every node of the survey read for every name, a directory
                     lookup and fuzzy matching per new name), a query per tie for an existing one,
                     all inside a rolled-back transaction
    baseline apply   the same, then one INSERT per tie

Both paths end the same way (the round's analysis is marked stale and queued); the analysis itself
is not timed here (`bench/network_bench.py` does: 0.25 s at 1,000 people). Target (issue 12):
preview and apply under 3 s each. Prints median and p95 wall time, median CPU time of the worker
process (on PostgreSQL the server's CPU is not included), queries, and the ratio baseline / ours.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import child_env, drop_database, fresh_database  # noqa: E402

DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/squaremile_import_bench"
TARGET_S = 3.0
FIRST = (
    "Asha Ben Cara Dev Ema Finn Gita Hugo Ines Jon Kai Lena Milo Nia Omar Pia Quin Rosa Sam Tara Uma Vic Wren "
    "Xavi Yara Zed Abel Bea Cruz Dina Eli Faye Gus Hana Ivo Jade Karl Lola Moss Nell"
)
LAST = (
    "Patel Okafor Smith Jones Khan Brown Lee Wilson Taylor Davies Evans Thomas Roberts Walker Wright Hughes Green "
    "Hall Wood Clarke Lewis Young King Scott Baker Adams Hill Moore Ward Price Bell Cox Reed Shaw Ford Kerr Lamb "
    "Nash Page Rice"
)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=1000)
    p.add_argument("--ties", type=int, default=4994)
    p.add_argument("--repeat", type=int, default=5, help="timed runs of ours (default 5)")
    p.add_argument("--baseline-repeat", type=int, default=3, help="timed runs of the baseline (default 3)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def run_parent(args) -> int:
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    missed = False
    load = os.getloadavg()[0]
    print(f"tie import benchmark: {args.people:,} people, {args.ties:,} ties; load average {load:.1f}")
    for db in dbs:
        path = ROOT / "var" / "bench" / "ties-import.sqlite3"
        url = fresh_database(db, sqlite_path=path, pg_url=args.pg_url)
        env = child_env(url)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        cmd = [sys.executable, __file__, "--worker", "--people", str(args.people), "--ties", str(args.ties),
               "--repeat", str(args.repeat), "--baseline-repeat", str(args.baseline_repeat)]  # fmt: skip
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        print(out.stdout, end="")
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        missed = missed or " FAIL" in out.stdout
        if not args.keep:
            drop_database(db, sqlite_path=path, pg_url=args.pg_url)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 1 if (missed and args.strict) else 0


def make_csv(people: int, ties: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    names = [f"{f} {last}" for f in FIRST.split() for last in LAST.split()]
    while len(names) < people:  # more people than the word lists make: number them
        names.append(f"Person {len(names)}")
    rng.shuffle(names)
    names = names[:people]
    pairs: set[frozenset] = set()
    rows = ["From,To,Strength"]
    while len(pairs) < ties:
        a = rng.randrange(people)
        b = (a + int(rng.expovariate(1 / 20)) + 1) % people if rng.random() < 0.85 else rng.randrange(people)
        if a == b or frozenset((a, b)) in pairs:
            continue
        pairs.add(frozenset((a, b)))
        rows.append(f"{names[a]},{names[b]},{rng.choice('123')}")
    return ("\n".join(rows) + "\n").encode()


# ---- the baseline: the tie import as it was before the shared pipeline -----------------------------
def _baseline_resolve(survey, parsed):
    from squaremile.network.models import Node
    from squaremile.network.surveys.names import resolve_name, root_of

    known = set(Node.objects.filter(survey=survey).values_list("pk", flat=True))
    cache, names, errors, resolved = {}, {}, [], []
    for row in parsed.rows:
        ends = []
        for typed in (row.source, row.target):
            key = typed.casefold()
            if key not in cache:
                node = root_of(resolve_name(survey, typed))
                cache[key] = node
                names[key] = (typed, node.label, node.pk not in known)
            ends.append(cache[key])
        if ends[0].pk == ends[1].pk:
            errors.append((row.line, "same person"))
            continue
        resolved.append((row, ends[0], ends[1]))
    return resolved, names, errors


def _tie_between(round, a, b):
    from django.db.models import Q

    from squaremile.network.models import Tie

    return Tie.objects.filter(Q(source=a, target=b) | Q(source=b, target=a), round=round).first()


def baseline_preview(survey, round, data: bytes):
    from django.db import transaction

    from squaremile.network.analysis.formats import parse_ties_table

    parsed = parse_ties_table(data, "ties.csv")
    with transaction.atomic():
        resolved, names, errors = _baseline_resolve(survey, parsed)
        existing = sum(1 for _, a, b in resolved if _tie_between(round, a, b))
        transaction.set_rollback(True)
    return len(parsed.rows), sum(1 for n in names.values() if n[2]), existing, errors


def baseline_apply(survey, round, data: bytes):
    from django.db import transaction

    from squaremile.network.analysis.formats import parse_ties_table
    from squaremile.network.computing import tasks
    from squaremile.network.models import Tie, TieOrigin

    parsed = parse_ties_table(data, "ties.csv")
    created = 0
    with transaction.atomic():
        resolved, _names, errors = _baseline_resolve(survey, parsed)
        assert not errors and not parsed.errors
        for row, a, b in resolved:
            tie = _tie_between(round, a, b)
            if tie is None:
                Tie.objects.create(round=round, source=a, target=b, strength=row.strength, origin=TieOrigin.IMPORT,
                                   typed_name=row.target[:200])  # fmt: skip
                created += 1
            elif row.strength > tie.strength:
                tie.strength = row.strength
                tie.save(update_fields=["strength"])
        tasks.data_changed(round)
    return created


# ---- the worker ------------------------------------------------------------------------------------
class Timer:
    def __init__(self):
        self.walls, self.cpus, self.queries = [], [], []

    def run(self, fn):
        from django.db import connection, reset_queries

        connection.force_debug_cursor = True
        reset_queries()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.walls.append(time.perf_counter() - wall)
        self.cpus.append(time.process_time() - cpu)
        self.queries.append(len(connection.queries))
        connection.force_debug_cursor = False
        return result

    def query_count(self) -> str:
        count = int(statistics.median(self.queries))
        # Django's query log keeps the last 9,000 queries: more than that reads as "9,000+"
        return f"{count:,}+" if count >= 9000 else f"{count:,}"

    def p95(self) -> float:
        ordered = sorted(self.walls)
        return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]

    def line(self, tag: str, what: str, *, target: bool) -> str:
        median = statistics.median(self.walls)
        cpu = statistics.median(self.cpus)
        text = (
            f"[{tag}] {what:<17} n={len(self.walls)}  median {median:6.2f} s  p95 {self.p95():6.2f} s  "
            f"cpu median {cpu:6.2f} s  queries {self.query_count()}"
        )
        if target:
            text += f"  target < {TARGET_S:.0f} s  cpu {'PASS' if cpu < TARGET_S else 'FAIL'}"
            text += f"  wall {'PASS' if median < TARGET_S else 'FAIL'}"
        return text


def run_worker(args) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.db import connection

    from squaremile.accounts.models import Role, User
    from squaremile.imports.reading import read_table
    from squaremile.network.models import Node, Tie
    from squaremile.network.surveys import services
    from squaremile.network.weaving import services as ours

    # the analysis after an import is queued (not run inline) on both paths; it is not what is measured
    settings.NETWORK_SYNC_ANALYSIS_MAX_NODES = 0
    tag = "sqlite" if connection.vendor == "sqlite" else "postgres"
    data = make_csv(args.people, args.ties)
    owner = User.objects.create_user(email="bench-organiser@example.org", password=None, role=Role.ORGANISER)
    count = [0]

    def fresh():
        count[0] += 1
        survey = services.survey_create(by=owner, data={"title": f"Bench survey {count[0]}"})
        return survey, survey.rounds.get(number=1)

    named = {name for line in data.decode().splitlines()[1:] for name in line.split(",")[:2]}
    print(
        f"[{tag}] {args.people:,} people ({len(named):,} named in a tie), {args.ties:,} ties, {len(data) / 1e3:.0f} kB"
    )
    preview_ours, apply_ours, again_ours = Timer(), Timer(), Timer()
    for _ in range(args.repeat):
        survey, round = fresh()
        shown = preview_ours.run(
            lambda s=survey, r=round: ours.ties_import_preview(
                survey=s, round=r, table=read_table(data, "ties.csv"), by=owner
            )
        )
        assert shown.ok and shown.new_names == len(named), shown.errors[:3]
        result = apply_ours.run(
            lambda s=survey, r=round: ours.ties_import_apply(
                survey=s, round=r, table=read_table(data, "ties.csv"), by=owner
            )
        )
        assert result.created == args.ties and Tie.objects.filter(round=round).count() == args.ties
        again = again_ours.run(
            lambda s=survey, r=round: ours.ties_import_apply(
                survey=s, round=r, table=read_table(data, "ties.csv"), by=owner
            )
        )
        assert (again.created, again.updated, again.new_names) == (0, 0, 0)
    print(preview_ours.line(tag, "ours preview", target=True))
    print(apply_ours.line(tag, "ours apply", target=True))
    print(again_ours.line(tag, "ours re-import", target=True))

    preview_base, apply_base = Timer(), Timer()
    for _ in range(args.baseline_repeat):
        survey, round = fresh()
        rows, new, _existing, errors = preview_base.run(lambda s=survey, r=round: baseline_preview(s, r, data))
        assert rows == args.ties and new == len(named) and not errors
        assert not Node.objects.filter(survey=survey).exists()
        created = apply_base.run(lambda s=survey, r=round: baseline_apply(s, r, data))
        assert created == args.ties
    if args.baseline_repeat:
        print(preview_base.line(tag, "baseline preview", target=False))
        print(apply_base.line(tag, "baseline apply", target=False))
        for what, base, mine in (("preview", preview_base, preview_ours), ("apply", apply_base, apply_ours)):
            wall = statistics.median(base.walls) / statistics.median(mine.walls)
            cpu = statistics.median(base.cpus) / statistics.median(mine.cpus)
            print(f"[{tag}]   ratio {what} = {wall:.1f}x (baseline median / ours median; cpu {cpu:.1f}x)")
    return 0


if __name__ == "__main__":
    a = parse_args()
    sys.exit(run_worker(a) if a.worker else run_parent(a))
