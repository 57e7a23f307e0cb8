"""Smoke run of the civic benchmark, so it never rots: end to end at a tiny size on SQLite (the figures
themselves are not checked: benchmarks are not tests; see bench/README.md)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^\[sqlite\] (routing|open311 requests|reports map)\s+n=5 median [\d.]+ ms .*(PASS|FAIL)$", re.M)
RATIO = re.compile(r"^\[sqlite\]   ratio = [\d.]+x", re.M)


@pytest.mark.xdist_group("bench")
def test_civic_bench_runs_end_to_end(tmp_path):
    proc = subprocess.run(
        [sys.executable, "bench/civic_bench.py", "--db", "sqlite", "--boundaries", "50", "--reports", "300",
         "--requests", "5", "--out-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert {m.group(1) for m in FIGURE.finditer(proc.stdout)} == {"routing", "open311 requests", "reports map"}
    assert len(RATIO.findall(proc.stdout)) == 3
