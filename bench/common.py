"""What every benchmark's parent process needs: a fresh database on SQLite or PostgreSQL, a child process
bound to it, and the figures' arithmetic. A benchmark runs its timed part in a child process
(`--worker`) so that Django is set up once per database."""

from __future__ import annotations

import math
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def child_env(database_url: str, **extra: str) -> dict:
    """The environment of a benchmark's child: production settings on `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "TASKS_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32), DEBUG="0", ALLOWED_HOSTS="testserver")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.update(extra)
    return env


def run(cmd: list[str], env: dict, label: str, *, echo: bool = False) -> float:
    """Run a command in the project's folder; its output is shown when it fails (or `echo`). Seconds taken."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or echo:
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{label} failed (exit {proc.returncode})")
    return elapsed


def pg_admin(url: str):
    """A connection to the server's `postgres` database (to create and drop the benchmark's own)."""
    import psycopg

    u = urlparse(url)
    return psycopg.connect(
        host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or None,
        password=u.password or None, dbname="postgres", autocommit=True, connect_timeout=5,
    )  # fmt: skip


def pg_dbname(url: str) -> str:
    name = urlparse(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name or ""):
        raise SystemExit(f"Not a plain PostgreSQL database name in --pg-url: {name!r}")
    if name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"Refusing to use the {name!r} database for a benchmark.")
    return name


def pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        with pg_admin(url) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "skip PostgreSQL"
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pg_exists(url: str) -> bool:
    with pg_admin(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg_dbname(url)]).fetchone() is not None


def pg_recreate(url: str, *, drop_only=False) -> None:
    name = pg_dbname(url)
    with pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def sqlite_remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def fresh_database(db: str, *, sqlite_path: Path, pg_url: str) -> str:
    """An empty database of the kind asked for (`sqlite` or `postgres`), as a DATABASE_URL."""
    if db == "sqlite":
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        sqlite_remove(sqlite_path)
        return f"sqlite:///{sqlite_path}"
    pg_recreate(pg_url)
    return pg_url


def drop_database(db: str, *, sqlite_path: Path, pg_url: str) -> None:
    if db == "sqlite":
        sqlite_remove(sqlite_path)
    else:
        pg_recreate(pg_url, drop_only=True)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
