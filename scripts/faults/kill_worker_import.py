#!/usr/bin/env python
"""Fault: the worker is killed (SIGKILL) in the middle of a 100,000-row map import.

    .venv/bin/python scripts/faults/kill_worker_import.py [--db sqlite|postgres] [--rows 100000]
        [--pg-url postgres://root@127.0.0.1:5432/squaremile_faults] [--stale 20] [--kill-after 2]

On a fresh database: an import job of --rows new entries is queued the way the wizard's "Apply"
button queues it, a worker (`manage.py worker`) picks it up, and once it is writing ("Saving …",
inside the one import transaction) it is killed with SIGKILL after --kill-after seconds. Then:

1. nothing of the import is applied (the entry count is what it was before);
2. the job is left "running" by the dead worker; a new worker is started (JOB_STALE_SECONDS=--stale)
   and the job is marked failed with a reason once its heartbeat is older than that;
3. the same file imported again by a new job with the new worker: every row is applied (all or
   nothing: never a part).

Prints what happened with timings; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, ROOT, Checks, Clock, child_env, drop_database, fresh_database, say, setup_django  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench.map_import_bench import make_csv  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/squaremile_faults")
    p.add_argument("--stale", type=int, default=20, help="JOB_STALE_SECONDS for the workers (default 20)")
    p.add_argument("--kill-after", type=float, default=2.0, help="seconds into the write to kill the worker")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return p.parse_args(argv)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    cmd = [PYTHON, "manage.py", "worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def wait_for(predicate, *, timeout: float, every: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def queue_import(owner, data: bytes, name: str):
    """What the wizard does: upload, column choice, then Apply (a job queued for the worker)."""
    from squaremile.core.jobs import enqueue_on_commit
    from squaremile.core.models import JobStatus
    from squaremile.mapping.io import imports
    from squaremile.mapping.io import tasks as io_tasks

    job, table = imports.start_import(by=owner, upload=data, filename=name)
    options = imports.ImportOptions(mapping=imports.guess_mapping(table.columns), publish=True, source=name)
    imports.save_options(job=job, by=owner, options=options)
    job.params.update(stage="applying")
    job.status = JobStatus.QUEUED
    job.message = "Waiting to apply…"
    job.save()
    enqueue_on_commit(io_tasks.apply_import, job.pk)
    return job


def main(argv=None) -> int:
    args = parse_args(argv)
    clock = Clock()
    check = Checks(clock)

    url = fresh_database(args.db, args.pg_url, "kill-worker" if args.db == "sqlite" else args.pg_url.rsplit("/", 1)[1])
    env = child_env(url, JOB_STALE_SECONDS=str(args.stale))
    setup_django(env)
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from squaremile.accounts.models import Role, User
    from squaremile.core.models import Job, JobStatus
    from squaremile.mapping.models import Entry

    say(clock, f"database {connection.vendor} ({url}); JOB_STALE_SECONDS={args.stale}")
    owner = User.objects.create_user(email="importer@example.org", password=None, role=Role.ADMIN)
    data = make_csv(args.rows)
    before = Entry.objects.count()
    job = queue_import(owner, data, "faults.csv")
    say(clock, f"import job {job.pk} queued: {args.rows:,} rows, {len(data) / 1e6:.1f} MB; {before} entries now")

    log = ROOT / "var" / "faults" / "kill-worker.log"
    log.unlink(missing_ok=True)
    worker = start_worker(env, log)
    say(clock, f"worker 1 started (pid {worker.pid}); log {log.relative_to(ROOT)}")

    def saving():
        j = Job.objects.filter(pk=job.pk).values("status", "message", "progress").first()
        return j if j["status"] == JobStatus.RUNNING and j["message"].startswith("Saving") else None

    state = wait_for(saving, timeout=600)
    if state is None:
        worker.kill()
        say(clock, "the worker never reached the write; see the log")
        return 1
    say(clock, f"worker is writing: {state['message']!r} (checked {state['progress']:,} rows)")
    time.sleep(args.kill_after)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    killed_at = clock()
    say(clock, f"worker 1 killed with SIGKILL {args.kill_after:g} s into the write")

    connection.close()
    after_kill = Entry.objects.count()
    stuck = Job.objects.get(pk=job.pk)
    check(after_kill == before, f"nothing half-applied: {after_kill} entries after the kill (before: {before})")
    say(clock, f"job {job.pk} is {stuck.status!r} ({stuck.message!r}), heartbeat {stuck.updated_at:%H:%M:%S}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            check(cursor.fetchone()[0] == "ok", "SQLite integrity_check after the kill: ok")

    worker = start_worker(env, log)
    started_at = clock()
    say(clock, f"worker 2 started (pid {worker.pid})")

    def failed():
        j = Job.objects.get(pk=job.pk)
        return j if j.status != JobStatus.RUNNING else None

    done = wait_for(failed, timeout=args.stale * 4 + 90, every=0.5)
    if done is None:
        check(False, f"job {job.pk} still running {clock() - started_at:.0f} s after worker 2 started")
    else:
        check(
            done.status == JobStatus.FAILED and "worker" in done.message,
            f"job {job.pk} {done.status!r} {clock() - killed_at:.1f} s after the kill, "
            f"{clock() - started_at:.1f} s after worker 2 started: {done.message!r}",
        )
        results = list(DBTaskResult.objects.values_list("status", flat=True))
        check(results == ["FAILED"], f"its task (django-tasks-db) is {results}")
    check(Entry.objects.count() == before, f"still nothing applied: {Entry.objects.count()} entries")

    retry = queue_import(owner, data, "faults.csv")
    say(clock, f"the same file imported again: job {retry.pk} queued")
    t = clock()
    finished = wait_for(
        lambda: (lambda j: j if j.status in (JobStatus.DONE, JobStatus.FAILED) else None)(Job.objects.get(pk=retry.pk)),
        timeout=900,
        every=0.5,
    )
    count = Entry.objects.count()
    check(
        finished is not None and finished.status == JobStatus.DONE and count == before + args.rows,
        f"job {retry.pk} {getattr(finished, 'status', 'still running')!r} in {clock() - t:.1f} s: "
        f"{getattr(finished, 'message', '')!r}; {count:,} entries (all {args.rows:,} rows, or none)",
    )

    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
    lines = [line for line in log.read_text().splitlines() if "Marked" in line or "no heartbeat" in line]
    for line in lines[:3]:
        say(clock, f"worker log: {line.strip()}")
    connection.close()
    if not args.keep:
        drop_database(url)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
