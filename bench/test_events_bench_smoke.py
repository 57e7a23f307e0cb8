"""Smoke run of the events benchmark at a tiny size, so it never rots (the figures are not checked:
benchmarks are not tests). SQLite, or PostgreSQL beside the test database when DATABASE_URL names one."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.xdist_group("bench")
def test_events_bench_runs_end_to_end():
    url = os.environ.get("DATABASE_URL", "")
    args = ["--db", "sqlite"]
    if url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(url)
        name = (parsed.path.lstrip("/") or "squaremile") + "_eventsbenchsmoke"
        args = ["--db", "postgres", "--pg-url", urlunparse(parsed._replace(path="/" + name))]
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "events_bench.py"),
        *args,
        "--events",
        "300",
        "--area-events",
        "100",
        "--requests",
        "3",
        "--reports",
        "3",
        "--photos",
        "3",
        "--clients",
        "10",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for heading in ("1. Lists and calendars", "2. iCalendar feed", "3. Agenda wall", "4. Proceedings"):
        assert heading in proc.stdout
    assert "CPU s per minute" in proc.stdout and "target < 30 s" in proc.stdout
