"""Smoke run of the directory benchmark, so it never rots: the whole thing, end to end, at a tiny
size, on the database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL names
one). The figures themselves are not checked: benchmarks are not tests. See bench/README.md."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "directory_bench.py"
TIMES = (
    r"n=(\d+)\s+median\s+[\d.]+ ms\s+p95\s+[\d.]+ ms\s+max\s+[\d.]+ ms\s+"
    r"cpu/request median [\d.]+ ms p95 [\d.]+ ms(?: \(db [\d.]+ ms\))?"  # db: the PostgreSQL backend's share
)
FIGURE = re.compile(rf"^\[(sqlite|postgres)\] (list page|search|api list) .* {TIMES} .*(PASS|FAIL)$", re.MULTILINE)
BASELINE = re.compile(rf"^\[(sqlite|postgres)\]   baseline: .* {TIMES}\s+queries [\d.]+$", re.MULTILINE)
RATIO = re.compile(
    r"^\[(sqlite|postgres)\]   ratio = [\d.]+x \(baseline median / ours median [\d.]+ ms on the same (\d+) requests; "
    r"p95 [\d.]+x; cpu [\d.]+x\)$",
    re.MULTILINE,
)


def bench_database() -> tuple[str, list[str]]:
    """The database kind and extra arguments: a PostgreSQL suite gets its own bench database
    beside the test database (<name>_benchsmoke), never the test database itself."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "sqlite", []
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "squaremile") + "_benchsmoke"
    return "postgres", ["--pg-url", urlunparse(parsed._replace(path="/" + name))]


@pytest.mark.xdist_group("bench")
def test_directory_benchmark_runs_end_to_end(tmp_path):
    db, extra = bench_database()
    cmd = [sys.executable, str(SCRIPT), "--size", "300", "--requests", "5", "--baseline-requests", "3",
           "--warmup", "2", "--db", db, "--out-dir", str(tmp_path), *extra]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output

    figures = FIGURE.findall(result.stdout)
    assert {(d, surface) for d, surface, _n, _verdict in figures} == {
        (db, "list page"),
        (db, "search"),
        (db, "api list"),
    }, output
    assert all(n == "5" for _d, _s, n, _v in figures), output
    assert [n for _d, n in BASELINE.findall(result.stdout)] == ["3", "3", "3"], output
    assert [n for _d, n in RATIO.findall(result.stdout)] == ["3", "3", "3"], output
    assert re.search(rf"^\[{db}\] seed_demo --size 300 --seed 1: [\d.]+ s$", result.stdout, re.MULTILINE), output
    assert (tmp_path / f"directory-{db}.json").exists()
    # The bench database is dropped afterwards unless --keep.
    assert not (tmp_path / "squaremile_bench.sqlite3").exists()
