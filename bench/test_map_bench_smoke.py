"""Smoke run of the community map benchmark, so it never rots: seeding, the six request groups,
the naive baseline, the import and the rebuild, end to end, at a tiny size. It runs on the
database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL names one, in a bench
database of its own beside the test database). The figures are not checked against the targets:
benchmarks are not tests. See bench/README.md."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "map_bench.py"
GROUPS = ("unfiltered", "category", "area", "verified", "q", "dates")
FIGURE = re.compile(
    r"^\[(sqlite|postgres)\] (\w+)\s+n=(\d+)\s+median\s+[\d.]+ ms\s+p95\s+[\d.]+ ms\s+max\s+[\d.]+ ms\s+"
    r"size mean\s+[\d,]+ B\s+max\s+[\d,]+ B\s+(PASS|FAIL)$",
    re.MULTILINE,
)
BASELINE = re.compile(
    r"^\[(sqlite|postgres)\]   baseline (\w+)\s+n=(\d+)\s+median\s+[\d.]+ ms .* ratio = [\d.]+x \(p95 [\d.]+x\)$",
    re.MULTILINE,
)


def bench_database() -> tuple[str, list[str]]:
    """The database kind and extra arguments: a PostgreSQL suite gets its own bench database
    beside the test database (<name>_mapsmoke), never the test database itself."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "sqlite", []
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "squaremile") + "_mapsmoke"
    return "postgres", ["--pg-url", urlunparse(parsed._replace(path="/" + name))]


@pytest.mark.xdist_group("bench")
def test_map_benchmark_runs_end_to_end(tmp_path):
    db, extra = bench_database()
    cmd = [sys.executable, str(SCRIPT), "--entries", "2000", "--viewports", "10", "--baseline-viewports", "8",
           "--warmup", "1", "--import-rows", "300", "--db", db, "--out-dir", str(tmp_path), "--drop",
           *extra]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output

    # Seeding is timed, every group is measured with figures and a verdict, and each has its baseline ratio.
    assert re.search(rf"^\[{db}\] seeded 2,000 entries in [\d.]+ s", result.stdout, re.MULTILINE), output
    figures = FIGURE.findall(result.stdout)
    assert [(d, g, n) for d, g, n, _verdict in figures] == [(db, g, "10") for g in GROUPS], output
    # 8 baseline viewports in all: 3 unfiltered, 1 for each other group.
    expected = [(db, g, "3" if g == "unfiltered" else "1") for g in GROUPS]
    assert [(d, g, n) for d, g, n in BASELINE.findall(result.stdout)] == expected, output
    assert re.search(rf"^\[{db}\] import of 300 rows: [\d.]+ s .*(PASS|FAIL)$", result.stdout, re.MULTILINE), output
    assert re.search(rf"^\[{db}\] clusters.rebuild\(\) over 2,000 entries: [\d.]+ s", result.stdout, re.M), output
    assert "uptime before:" in result.stdout and "uptime after:" in result.stdout, output

    report = json.loads((tmp_path / f"map-{db}.json").read_text())
    assert report["entries"] == 2000
    assert set(report["results"]) == set(GROUPS)
    for group in GROUPS:
        ours = report["results"][group]["ours"]
        assert ours["count"] == 10 and ours["max_bytes"] > 0
        assert report["results"][group]["baseline"]["count"] == (3 if group == "unfiltered" else 1)
    # The unfiltered views hold data: the answer is not empty, and the naive GeoJSON of a view is
    # never smaller than the clusters of it.
    assert report["results"]["unfiltered"]["baseline"]["max_bytes"] > 1000
    assert report["import"]["created"] == 300 and report["import"]["in_database"] == 300
    assert report["rebuild"]["entries"] == 2000  # the imported rows were removed again
    # --drop removed the bench database.
    assert not (tmp_path / "map_bench.sqlite3").exists()
