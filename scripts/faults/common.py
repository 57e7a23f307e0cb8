"""What the fault scripts share: a fresh database (SQLite file or PostgreSQL), the environment of the
processes they start, and small helpers. Not part of `make test` (see docs/operators.md, "Faults")."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "faults"
PYTHON = sys.executable


def fresh_database(kind: str, pg_url: str, name: str) -> str:
    """An empty database with the migrations applied; returns its DATABASE_URL."""
    if kind == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = pg_url
        pg_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(url, 'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=child_env(url), check=True)
    return url


def drop_database(url: str) -> None:
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        pg_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql.format(name=name))


def child_env(database_url: str, **extra: str) -> dict:
    """Production settings (DEBUG off), this database, tasks through the database queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "TASKS_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("FAULTS_SECRET_KEY") or secrets.token_hex(32),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SQUAREMILE_VAR_DIR=str(VAR),
        STATIC_ROOT=str(VAR / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def collect_static(env: dict) -> None:
    """Production settings serve static files from a manifest: collect them once (into var/faults)."""
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def setup_django(env: dict) -> None:
    """Set up Django in this process under `env` (call once, before importing models)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Clock:
    def __init__(self):
        self.start = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.start


def say(clock: Clock, text: str) -> None:
    print(f"[{clock():7.2f} s] {text}", flush=True)


class Checks:
    """`check(ok, text)` prints PASS or FAIL with the time; `verdict()` prints the summary and gives
    the script's exit code."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.failures: list[str] = []

    def __call__(self, ok: bool, text: str) -> None:
        say(self.clock, ("PASS " if ok else "FAIL ") + text)
        if not ok:
            self.failures.append(text)

    def verdict(self) -> int:
        say(self.clock, "all checks passed" if not self.failures else f"{len(self.failures)} check(s) failed")
        return 1 if self.failures else 0
