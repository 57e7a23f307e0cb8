#!/usr/bin/env python
"""Fault: PostgreSQL restarts while the site is serving requests.

    .venv/bin/python scripts/faults/restart_postgres.py --pg-url postgres://root@127.0.0.1:5432/squaremile_faults_web
        [--cluster "15 main"] [--clients 8] [--before 5] [--after 15] [--port 8765]

On a fresh PostgreSQL database with a few organisations and an API token, gunicorn serves the site
with production settings (DEBUG off, CONN_MAX_AGE=60, CONN_HEALTH_CHECKS on; 3 workers). --clients
threads send a mix without pause: the organisations page (HTML), the API list (JSON), an API write
(POST /api/v1/organisations with the token) and /healthz. After --before seconds the cluster is
restarted (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`, run as root); the load goes on
for --after seconds. Then it reports, per second and per kind, what the site answered, checks that
no request got a 500 (every failure is a 503 with Retry-After, JSON under /api/), that the site
answered again within seconds of the restart, and that each 503 has its reason in the server log.

This restarts the whole cluster: on a shared machine run it rarely. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import threading
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
    p.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/squaremile_faults_web")
    p.add_argument("--cluster", default="15 main", help="version and name for pg_ctlcluster (default '15 main')")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--before", type=float, default=5.0)
    p.add_argument("--after", type=float, default=15.0)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def seed(n: int = 30) -> str:
    from squaremile.accounts.models import Role, User
    from squaremile.accounts.services import api_token_create
    from squaremile.directory import services

    owner = User.objects.create_user(email="owner@example.org", password=None, role=Role.ORGANISER)
    for i in range(n):
        services.organisation_create(by=owner, data={"name": f"Group {i}", "description": "Meets on Fridays."})
    return api_token_create(user=owner, by=owner, name="faults")[1]


def main(argv=None) -> int:
    import requests

    args = parse_args(argv)
    clock = Clock()
    check = Checks(clock)

    url = fresh_database("postgres", args.pg_url, "")
    env = child_env(url, LOG_LEVEL="WARNING")
    collect_static(env)
    setup_django(env)
    from django.db import connection

    token = seed()
    connection.close()
    log = VAR / "restart-postgres-server.log"
    log.unlink(missing_ok=True)
    gunicorn = [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--workers", "3", "--bind",
                f"127.0.0.1:{args.port}", "--timeout", "60", "--access-logfile", "-"]  # fmt: skip
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    say(clock, f"gunicorn (3 workers) on {base}, database {url}")

    kinds = {
        "page": lambda s, n: s.get(base + "/organisations/", timeout=30),
        "api-read": lambda s, n: s.get(base + "/api/v1/organisations?limit=10", timeout=30),
        "api-write": lambda s, n: s.post(
            base + "/api/v1/organisations",
            json={"name": f"New group {n}"},
            timeout=30,
            headers={"Authorization": f"Bearer {token}"},
        ),  # fmt: skip
        "healthz": lambda s, n: s.get(base + "/healthz", timeout=30),
    }
    results: list[tuple[float, str, int, float, str]] = []  # (at, kind, status, seconds, detail)
    lock = threading.Lock()
    stop = threading.Event()

    def client(index: int) -> None:
        session = requests.Session()
        names = list(kinds)
        n = 0
        while not stop.is_set():
            kind = names[(index + n) % len(names)]
            n += 1
            t0 = clock()
            try:
                response = kinds[kind](session, f"{index}-{n}")
                status = response.status_code
                detail = ""
                if status >= 500:
                    kind_of = response.headers.get("Content-Type", "")[:16]
                    detail = f"{kind_of} Retry-After={response.headers.get('Retry-After')} {response.text[:80]!r}"
            except requests.RequestException as exc:
                status, detail = 0, type(exc).__name__
            with lock:
                results.append((t0, kind, status, clock() - t0, detail))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(args.before)
    restart_at = clock()
    say(clock, f"restarting PostgreSQL: pg_ctlcluster --skip-systemctl-redirect {args.cluster} restart")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *args.cluster.split(), "restart"], check=True)
    restarted_at = clock()
    say(clock, f"PostgreSQL restarted ({restarted_at - restart_at:.2f} s)")
    time.sleep(args.after)
    stop.set()
    for t in threads:
        t.join(timeout=40)
    server.terminate()
    server.wait(timeout=30)

    # --- report ---
    total = collections.Counter(status for _, _, status, _, _ in results)
    say(clock, f"{len(results):,} requests: " + ", ".join(f"{s}: {c:,}" for s, c in sorted(total.items())))
    by_second: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for at, _kind, status, _, _ in results:
        by_second[int(at - restart_at)][status] += 1
    for second in sorted(by_second):
        if -2 <= second <= int(restarted_at - restart_at) + 5:
            row = ", ".join(f"{s}: {c}" for s, c in sorted(by_second[second].items()))
            print(f"    t={second:+3d} s after the restart began: {row}")
    bad = [r for r in results if r[2] >= 500]
    for kind in kinds:
        mine = [r for r in results if r[1] == kind]
        failed = [r for r in mine if r[2] >= 500 or r[2] == 0]
        later = [r for r in mine if r[0] >= restart_at and r[2] < 400]
        back = (later[0][0] - restarted_at) if later else None
        statuses = collections.Counter(r[2] for r in failed)
        say(
            clock,
            f"{kind:9}: {len(mine):5,} requests, failed {dict(statuses) or 0}; first success after the restart "
            + (f"{back:+.2f} s from its end" if back is not None else "NEVER"),
        )
        check(back is not None and back < 10, f"{kind}: answers again within seconds of the restart")
    check(total.get(500, 0) == 0, f"no 500: {total.get(500, 0)} answered 500")
    check(total.get(0, 0) == 0, f"every request answered (no dropped connection): {total.get(0, 0)} not answered")
    not_503 = [r for r in bad if r[2] != 503]
    check(not not_503, f"every failure is a 503: {[(r[1], r[2]) for r in not_503][:5]}")
    no_retry = [r for r in bad if "Retry-After=None" in r[4]]
    check(not no_retry, f"every 503 has Retry-After: {len(no_retry)} without")
    api_html = [r for r in bad if r[1].startswith("api") and "application/json" not in r[4]]
    check(not api_html, f"every API 503 is JSON: {len(api_html)} not")
    for r in bad[:3]:
        say(clock, f"  e.g. {r[1]} at {r[0] - restart_at:+.2f} s: {r[2]} {r[4]}")
    text = log.read_text()
    logged = text.count("answered 503 to")
    check(logged >= len(bad), f"each 503 has its reason logged: {logged} log lines for {len(bad)} answers")
    reasons = collections.Counter(
        line.split("answered 503 to ", 1)[1].split(": ", 1)[-1][:90]
        for line in text.splitlines()
        if "answered 503 to" in line
    )
    for reason_text, count in reasons.most_common(4):
        say(clock, f"  log ({count}x): {reason_text}")
    check("Internal Server Error" not in text, "no 'Internal Server Error' in the server log")
    if not args.keep:
        drop_database(url)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
