"""The exchange benchmark runs end to end at a tiny size (seconds) and prints every figure."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_exchange_bench_runs_at_a_tiny_size():
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "exchange_bench.py"), "--db", "sqlite", "--offers", "400", "--wants",
         "400", "--profiles", "1000", "--requests", "5", "--baseline-requests", "2", "--seed", "3"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    for surface in ("match", "near-me list", "map layer"):
        assert f"[sqlite] {surface}" in out.stdout, out.stdout
    assert "ratio baseline/ours" in out.stdout and "load average" in out.stdout
