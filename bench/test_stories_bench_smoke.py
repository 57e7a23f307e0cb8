"""The stories benchmark runs end to end at a tiny size (seconds): seeding, both pages with their
baselines, and polling local feeds with nothing added twice."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_stories_bench_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "stories_bench.py"), "--db", "sqlite", "--stories", "300",
         "--links", "1500", "--feeds", "3", "--items", "5", "--requests", "10", "--out-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert "list page: median" in out and "story page: median" in out, out
    assert "ratio" in out
    assert "stories added in all: 15" in out, out
    assert "third poll (full re-read): {" in out and "'added': 0" in out, out
