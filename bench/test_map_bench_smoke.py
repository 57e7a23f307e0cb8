"""Smoke run of the community map benchmark, so it never rots: seeding, the six request groups,
the baseline (grouping in SQL on the fly), the GeoJSON extra, the import and the rebuild, end to
end, at a tiny size. It runs on the database the suite runs on (SQLite by default, PostgreSQL when
DATABASE_URL names one, in a bench database of its own beside the test database). The figures are
not checked against the targets: benchmarks are not tests. See bench/README.md."""

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
TIMES = (
    r"n=(\d+)\s+median\s+[\d.]+ ms\s+p95\s+[\d.]+ ms\s+max\s+[\d.]+ ms\s+"
    r"cpu/request median [\d.]+ ms p95 [\d.]+ ms(?: \(db [\d.]+ ms\))?"  # db: the PostgreSQL backend's share
)
FIGURE = re.compile(
    rf"^\[(sqlite|postgres)\] (\w+)\s+{TIMES}\s+size mean\s+[\d,]+ B\s+max\s+[\d,]+ B\s+(PASS|FAIL)$", re.MULTILINE
)
BASELINE = re.compile(rf"^\[(sqlite|postgres)\]   baseline (\w+)\s+{TIMES}\s+size mean", re.MULTILINE)
RATIO = re.compile(
    r"^\[(sqlite|postgres)\]   ratio (\w+): [\d.]+x \(baseline median / ours median; p95 [\d.]+x; cpu [\d.]+x\)$",
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
    cmd = [sys.executable, str(SCRIPT), "--entries", "2000", "--viewports", "10", "--baseline-viewports", "2",
           "--geojson-viewports", "1", "--warmup", "1", "--import-rows", "300", "--db", db, "--out-dir", str(tmp_path),
           "--drop", *extra]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output

    # Seeding is timed, every group is measured with figures and a verdict, and each has its baseline ratio.
    assert re.search(rf"^\[{db}\] seeded 2,000 entries in [\d.]+ s", result.stdout, re.MULTILINE), output
    figures = FIGURE.findall(result.stdout)
    assert [(d, g, n) for d, g, n, _verdict in figures] == [(db, g, "10") for g in GROUPS], output
    # 2 baseline viewports per group, each with ours again on the same requests and the ratio.
    assert [(d, g, n) for d, g, n in BASELINE.findall(result.stdout)] == [(db, g, "2") for g in GROUPS], output
    assert [(d, g) for d, g in RATIO.findall(result.stdout)] == [(db, g) for g in GROUPS], output
    assert re.search(rf"^\[{db}\]   extra, not the baseline: every entry in view as GeoJSON", result.stdout, re.M)
    assert re.search(rf"^\[{db}\] import of 300 rows: [\d.]+ s .*(PASS|FAIL)$", result.stdout, re.MULTILINE), output
    assert re.search(rf"^\[{db}\] clusters.rebuild\(\) over 2,000 entries: [\d.]+ s", result.stdout, re.M), output
    assert "uptime before:" in result.stdout and "uptime after:" in result.stdout, output

    report = json.loads((tmp_path / f"map-{db}.json").read_text())
    assert report["entries"] == 2000
    assert set(report["results"]) == set(GROUPS)
    for group in GROUPS:
        ours = report["results"][group]["ours"]
        assert ours["count"] == 10 and ours["max_bytes"] > 0
        assert report["results"][group]["baseline"]["count"] == report["results"][group]["ours_same"]["count"] == 2
    assert report["results"]["unfiltered"]["geojson"]["max_bytes"] > 1000  # the views hold data
    assert report["import"]["created"] == 300 and report["import"]["in_database"] == 300
    assert report["rebuild"]["entries"] == 2000  # the imported rows were removed again
    # --drop removed the bench database.
    assert not (tmp_path / "map_bench.sqlite3").exists()
