"""The load test: a production-like Square Mile on this machine, and Locust's simulated visitors.

    .venv/bin/python bench/load/run_load.py                       # 200 users for 10 minutes
    .venv/bin/python bench/load/run_load.py --users 50 --run-time 2m
    make load                                                     # the same as the first line

1. Migrates and seeds a PostgreSQL database (`--db-url`, default postgres://root@127.0.0.1:5432/sm_load;
   created if missing; seeded with `seed_demo --size medium` once, skipped when it already holds
   the demo data, unless --reseed), collects the static files and prepares the load users and
   their tokens (bench/load/prepare.py).
2. Starts the site with production settings: DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS, that
   DATABASE_URL, CACHE_URL=redis://127.0.0.1:6379/1 (Redis must run), manifest static files served
   by whitenoise, `gunicorn config.wsgi` with --workers/--threads on 127.0.0.1 (SECURE_SSL_REDIRECT
   off: plain HTTP on loopback), and the task worker (`manage.py worker`).
3. Runs Locust headless (bench/load/locustfile.py) with --users, --spawn-rate and --run-time.
4. Prints p50/p95/p99, requests per second and errors, per endpoint and overall, stops everything
   it started and exits 1 if p95 >= --p95-ms (300) or any request failed.

Traffic goes to 127.0.0.1 only. Files (logs, Locust's CSV, static files) go to var/load/.
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable


@dataclass
class Result:
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float
    rows: list[dict]
    errors: list[dict]

    def table(self) -> str:
        lines = [f"{'endpoint':<44} {'reqs':>7} {'fails':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}"]
        for row in self.rows:
            lines.append(
                f"{(row['Type'] + ' ' + row['Name'])[:44]:<44} {row['Request Count']:>7} {row['Failure Count']:>5} "
                f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {float(row['Requests/s']):>7.1f}"
            )
        return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_locust(
    *, host: str, data_file: Path, users: int, spawn_rate: float, run_time: str, out_dir: Path, env=None
) -> Result:
    """Locust headless against host (loopback only), in its own process (it runs under gevent)."""
    if not host.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit(f"Load is only ever sent to this machine, not {host}")
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / "locust"
    command = [
        PY, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", run_time,
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    environ = {**os.environ, **(env or {}), "LOAD_DATA": str(data_file)}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(command, env=environ, cwd=ROOT, check=False)  # exit code 1 on any failure: read below
    return read_stats(prefix)


def read_stats(prefix: Path) -> Result:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="") as handle:
        errors = list(csv.DictReader(handle))

    def ms(value) -> float:
        return float(value) if value not in ("", "N/A") else 0.0

    return Result(
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        p50=ms(total["50%"]),
        p95=ms(total["95%"]),
        p99=ms(total["99%"]),
        rps=float(total["Requests/s"]),
        rows=[row for row in rows if row["Name"] != "Aggregated"],
        errors=errors,
    )


def report(result: Result, *, p95_ms: float) -> bool:
    print(result.table())
    print(
        f"\nAll requests: {result.requests}, {result.rps:.1f} requests/s, p50 {result.p50:.0f} ms, "
        f"p95 {result.p95:.0f} ms, p99 {result.p99:.0f} ms, errors {result.failures}"
    )
    for error in result.errors[:20]:
        print(f"  error x{error['Occurrences']}: {error['Method']} {error['Name']}: {error['Error'][:300]}")
    load = os.getloadavg()
    print(f"Machine load average while measuring (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = result.failures == 0 and result.p95 < p95_ms and result.requests > 0
    print(f"{'PASS' if ok else 'FAIL'}: target p95 < {p95_ms:.0f} ms and no errors")
    return ok


# ---- the site ----------------------------------------------------------------------------------
def site_env(*, db_url: str, cache_url: str, port: int, var: Path) -> dict:
    """Production settings (see config/settings.py) for a site on 127.0.0.1:port; no cache_url: the
    per-process cache."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": db_url,
        "CACHE_URL": cache_url,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SQUAREMILE_VAR_DIR": str(var),
        "STATIC_ROOT": str(var / "static"),
        "MEDIA_ROOT": str(var / "media"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    if not cache_url:
        env.pop("CACHE_URL")
    return env


def manage(env, *command, quiet=False):
    print("$ manage.py", " ".join(command), flush=True)
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([PY, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=out)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it is missing (through the maintenance database)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def seeded(env) -> bool:
    code = (
        "import django; django.setup(); from squaremile.directory.models import Organisation; "
        "print(Organisation.objects.count())"
    )
    out = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0) > 0


def wait_until_up(url: str, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the site stopped at start (exit {process.returncode}): see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the site did not answer {url} within {seconds:.0f} s")


def stop(process, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop, up to its 30 s graceful timeout
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop: killing it and its children")
        os.killpg(process.pid, signal.SIGKILL)  # its own process group (start_new_session)
        process.wait()


def start_site(env: dict, *, port: int, workers: int, threads: int, log_dir: Path, worker: bool = True):
    """gunicorn on 127.0.0.1:port and (unless worker=False) the task worker, each in its own process
    group, logging to log_dir; returns both processes once /healthz answers."""
    web = task_worker = None
    try:
        web = subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", str(threads), "--access-logfile", "-"],
            env=env, cwd=ROOT, stdout=open(log_dir / "gunicorn.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True,
        )  # fmt: skip
        if worker:
            task_worker = subprocess.Popen(
                [PY, "manage.py", "worker"], env=env, cwd=ROOT, stdout=open(log_dir / "worker.log", "w"),  # noqa: SIM115
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_until_up(f"http://127.0.0.1:{port}/healthz", web)
    except BaseException:
        stop(task_worker, "the worker")
        stop(web, "gunicorn")
        raise
    return web, task_worker


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Load test of a production-like Square Mile on 127.0.0.1.")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--run-time", default="10m", help="e.g. 20s, 2m, 10m")
    parser.add_argument("--p95-ms", type=float, default=300)
    parser.add_argument(
        "--db-url", default=os.environ.get("LOAD_DATABASE_URL", "postgres://root@127.0.0.1:5432/sm_load")
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--size", default="medium", help="seed_demo size when the database is empty")
    parser.add_argument("--reseed", action="store_true", help="seed again (seed_demo --reset) even if seeded")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--tokens", type=int, default=20, help="signed-in load users (one token each)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "var" / "load")
    args = parser.parse_args(argv)
    args.port = args.port or free_port()
    var = args.out_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    env = site_env(db_url=args.db_url, cache_url=args.cache_url, port=args.port, var=var)

    if args.db_url.startswith("postgres"):
        ensure_database(args.db_url)
    manage(env, "migrate", "--noinput", quiet=True)
    if args.reseed or not seeded(env):
        manage(env, "seed_demo", "--size", args.size, "--seed", "1", *(["--reset"] if args.reseed else []))
    manage(env, "collectstatic", "--noinput", "--clear", quiet=True)
    data_file = var / "data.json"
    subprocess.run([PY, str(HERE / "prepare.py"), "--out", str(data_file), "--users", str(args.tokens)],
                   env=env, cwd=ROOT, check=True)  # fmt: skip

    host = f"http://127.0.0.1:{args.port}"
    web = worker = None
    try:
        web, worker = start_site(env, port=args.port, workers=args.workers, threads=args.threads, log_dir=var)
        print(
            f"site up at {host}: gunicorn --workers {args.workers} --threads {args.threads}, PostgreSQL, Redis; "
            f"Locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.run_time}",
            flush=True,
        )
        result = run_locust(
            host=host, data_file=data_file, users=args.users, spawn_rate=args.spawn_rate,
            run_time=args.run_time, out_dir=var,
        )  # fmt: skip
        (var / "result.json").write_text(json.dumps({k: v for k, v in result.__dict__.items() if k != "rows"}))
    finally:
        stop(worker, "the worker")
        stop(web, "gunicorn")
    print(f"logs: {var / 'gunicorn.log'}, {var / 'worker.log'}; Locust CSV: {var}/locust_*.csv")
    ok = report(result, p95_ms=args.p95_ms)
    if shutil.which("uptime"):
        subprocess.run(["uptime"], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
