"""Smoke run of the tie import benchmark, so it never rots: ours (preview, apply, re-import) and the
baseline (the tie import before the shared pipeline) end to end at a tiny size, on the database the
suite runs on (SQLite by default, PostgreSQL when DATABASE_URL names one, in a bench database of its
own beside the test database). The figures are not checked against the targets: benchmarks are not
tests. See bench/README.md."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "import_bench.py"
TIMES = r"n=(\d+)\s+median\s+[\d.]+ s\s+p95\s+[\d.]+ s\s+cpu median\s+[\d.]+ s\s+queries [\d,]+\+?"


def bench_database() -> tuple[str, list[str]]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "sqlite", []
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "squaremile") + "_importsmoke"
    return "postgres", ["--pg-url", urlunparse(parsed._replace(path="/" + name))]


@pytest.mark.xdist_group("bench")
def test_import_benchmark_runs_end_to_end():
    db, extra = bench_database()
    cmd = [sys.executable, str(SCRIPT), "--people", "60", "--ties", "150", "--repeat", "2", "--baseline-repeat", "1",
           "--db", db, *extra]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for what in ("preview", "apply", "re-import"):
        assert re.search(rf"^\[{db}\] ours {what}\s+{TIMES}\s+target < 3 s  cpu (PASS|FAIL)  wall (PASS|FAIL)$",
                         result.stdout, re.M), output  # fmt: skip
    for what in ("preview", "apply"):
        assert re.search(rf"^\[{db}\] baseline {what}\s+{TIMES}$", result.stdout, re.M), output
        assert re.search(rf"^\[{db}\]   ratio {what} = [\d.]+x \(baseline median / ours median; cpu [\d.]+x\)$",
                         result.stdout, re.M), output  # fmt: skip
