#!/usr/bin/env python
"""Fault: another transaction holds SQLite's write lock for 20 s (as a large import does).

    .venv/bin/python scripts/faults/sqlite_lock.py [--hold 20] [--port 8766]

On a fresh SQLite file database, gunicorn serves the site (production settings, 2 workers), and two
workers run: ours (`manage.py worker`) and, for comparison, django-tasks-db's plain `db_worker`.
Another connection then takes the write lock (BEGIN IMMEDIATE) and holds it for --hold seconds.
Meanwhile an API write and a read are sent. Checks: the write is answered 503 JSON with Retry-After
after about DB_BUSY_TIMEOUT (5 s), not 500 after 20 s; reads go on (WAL); the 503's reason is
logged; `manage.py worker` is still alive after the lock is gone and runs a queued import, while
`db_worker` died on "database is locked" (the fault of issue 14, item 8). Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    PYTHON,
    ROOT,
    VAR,
    Checks,
    Clock,
    child_env,
    collect_static,
    drop_database,
    fresh_database,
    say,
    setup_django,
)  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hold", type=float, default=20.0)
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def main(argv=None) -> int:
    import requests

    args = parse_args(argv)
    clock = Clock()
    check = Checks(clock)

    url = fresh_database("sqlite", "", "sqlite-lock")
    env = child_env(url, LOG_LEVEL="INFO")
    collect_static(env)
    setup_django(env)
    from django.db import connection

    from squaremile.accounts.models import Role, User
    from squaremile.accounts.services import api_token_create

    owner = User.objects.create_user(email="owner@example.org", password=None, role=Role.ADMIN)
    token = api_token_create(user=owner, by=owner, name="faults")[1]
    connection.close()

    server_log, worker_log, plain_log = (VAR / f"sqlite-lock-{n}.log" for n in ("server", "worker", "db_worker"))
    gunicorn = [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--workers", "2", "--bind",
                f"127.0.0.1:{args.port}", "--timeout", "60"]  # fmt: skip
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT)
    worker_cmd = ["manage.py", "worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"]
    worker = subprocess.Popen([PYTHON, *worker_cmd], cwd=ROOT, env=env, stdout=worker_log.open("w"),
                              stderr=subprocess.STDOUT)  # fmt: skip
    plain_cmd = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"]
    plain = subprocess.Popen([PYTHON, *plain_cmd], cwd=ROOT, env=env, stdout=plain_log.open("w"),
                             stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(150):
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    time.sleep(3)  # both workers polling
    say(clock, f"gunicorn on {base}; `worker` pid {worker.pid}, `db_worker` pid {plain.pid}")

    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    locked_at = clock()
    say(clock, f"another connection holds the write lock (BEGIN IMMEDIATE) for {args.hold:g} s")
    headers = {"Authorization": f"Bearer {token}"}
    t = time.monotonic()
    write = requests.post(base + "/api/v1/organisations", json={"name": "Little Library"}, headers=headers, timeout=60)
    write_s = time.monotonic() - t
    check(
        write.status_code == 503 and write.headers.get("Retry-After") and "busy" in write.json()["message"],
        f"API write answered {write.status_code} in {write_s:.2f} s, Retry-After={write.headers.get('Retry-After')}: "
        f"{write.text[:80]}",
    )
    t = time.monotonic()
    read = requests.get(base + "/api/v1/organisations", timeout=60)
    check(read.status_code == 200, f"API read answered {read.status_code} in {time.monotonic() - t:.2f} s (WAL)")
    time.sleep(max(0.0, args.hold - (clock() - locked_at)))
    holder.execute("ROLLBACK")
    holder.close()
    say(clock, "lock released")
    time.sleep(2)

    write = requests.post(base + "/api/v1/organisations", json={"name": "Little Library"}, headers=headers, timeout=60)
    check(write.status_code == 201, f"the same write afterwards: {write.status_code}")
    check(worker.poll() is None, "`manage.py worker` is alive")
    plain_text = plain_log.read_text()
    check(
        plain.poll() is not None and "database is locked" in plain_text,
        f"plain `db_worker` died (exit {plain.poll()}): "
        + next((line for line in plain_text.splitlines() if "OperationalError" in line), "no OperationalError"),
    )

    setup = __import__("kill_worker_import")
    from squaremile.core.models import Job, JobStatus

    small = b"external_id,title,category,latitude,longitude\nx-1,Hall,innovation,53.8,-1.55\n"
    job = setup.queue_import(owner, small, "small.csv")
    done = setup.wait_for(lambda: Job.objects.get(pk=job.pk).status in (JobStatus.DONE, JobStatus.FAILED), timeout=60)
    check(bool(done) and Job.objects.get(pk=job.pk).status == JobStatus.DONE, "the worker then runs a queued import")
    text = worker_log.read_text()
    lines = [line for line in text.splitlines() if "database error" in line]
    say(clock, f"worker log: {len(lines)} database error(s) survived, e.g. {lines[0].strip() if lines else '-'}")
    logged = [line for line in server_log.read_text().splitlines() if "answered 503" in line]
    check(bool(logged), f"server log: {logged[0].strip() if logged else 'no 503 reason logged'}")

    for process in (server, worker, plain):
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
    connection.close()
    if not args.keep:
        drop_database(url)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
