"""Smoke run of the conversations benchmark, so it never rots: end to end at a tiny size, on the
database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL names one; then a bench
database of its own beside the test database). The figures are not checked."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.test_bench_smoke import bench_database

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "conversations_bench.py"


@pytest.mark.xdist_group("bench")
def test_conversations_benchmark_runs_end_to_end(tmp_path):
    db, extra = bench_database()
    if extra:
        extra = [a.replace("_benchsmoke", "_convbenchsmoke") for a in extra]
    cmd = [sys.executable, str(SCRIPT), "--db", db, "--replies", "120", "--threads", "90", "--digest-members", "40",
           "--digest-groups", "2", "--mails", "5", "--requests", "4", "--baseline-requests", "3", "--warmup", "1",
           "--out-dir", str(tmp_path), *extra]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for label in ("thread page", "group list"):
        assert re.search(rf"^\[{db}\] {label} .*n=4 median [\d.]+ ms p95", result.stdout, re.MULTILINE), output
    assert len(re.findall(rf"^\[{db}\]   ratio = [\d.]+x", result.stdout, re.MULTILINE)) == 2, output
    assert re.search(rf"^\[{db}\] inbound mail: 5 replies .* 5 accepted, 5 posted", result.stdout, re.MULTILINE)
    assert re.search(rf"^\[{db}\] daily digest: \d+ mails .* same day again: 0 mails", result.stdout, re.MULTILINE)
    assert (tmp_path / f"conversations-{db}.json").exists()
