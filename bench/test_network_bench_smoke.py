"""Smoke run of the network benchmark, so it never rots: the whole thing, end to end, at small
sizes (our analysis, networkx on the same steps, the approximation error): at 60 people networkx
runs every step, at 150 its constraint and layout are not run (--networkx-full-max 100) and the
ratio says which steps it covers, at 400 networkx is skipped (--skip-networkx-large --large 200).
The figures themselves are not checked: benchmarks are not tests. See bench/README.md."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "network_bench.py"
STEPS = ("build", "metrics", "betweenness", "communities", "constraint", "layout", "suggestions")
TIMES = r"n=(\d+) runs  median [\d.]+ s  p95 [\d.]+ s  cpu/run median [\d.]+ s"


@pytest.mark.xdist_group("bench")
def test_network_benchmark_runs_end_to_end(tmp_path):
    out = tmp_path / "network.json"
    cmd = [sys.executable, str(SCRIPT), "--sizes", "60,150,400", "--repeat", "2", "--networkx-repeat", "3",
           "--networkx-full-max", "100", "--samples", "60", "--skip-networkx-large", "--large", "200",
           "--json", str(out)]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for n in (60, 150, 400):
        for step in STEPS:
            assert re.search(rf"^\[network {n}\] ours  {step}\s+[\d.]+ s  \(cpu [\d.]+ s\)$", result.stdout, re.M), (
                output
            )
        assert re.search(
            rf"^\[network {n}\] ours  total\s+{TIMES} p95 [\d.]+ s  target < [\d.]+ s  cpu (PASS|FAIL)  "
            r"wall (PASS|FAIL)$",
            result.stdout,
            re.M,
        ), output
        assert re.search(
            rf"^\[network {n}\] approximation .*approximate \(\d+ sources\) vs exact igraph: Spearman [\d.-]+, "
            r"top-20 brokers overlap \d+/20",
            result.stdout,
            re.M,
        ), output
    measured = {60: STEPS[:-1], 150: STEPS[:4]}
    for n, steps in measured.items():
        for step in steps:
            assert re.search(
                rf"^\[network {n}\] networkx {step}\s+[\d.]+ s  ours\s+[\d.]+ s  ratio\s+[\d.]+x  \(cpu .*; n=3\)",
                result.stdout,
                re.M,
            ), output
        assert re.search(rf"^\[network {n}\] networkx total\s+{TIMES}", result.stdout, re.M), output
        assert re.search(
            rf"^\[network {n}\] networkx ratio = [\d.]+x \(median / median; p95 [\d.]+x; cpu [\d.]+x\) "
            rf"over the measured steps: {', '.join(steps)}$",
            result.stdout,
            re.M,
        ), output
    for step in ("constraint", "layout"):
        assert re.search(rf"^\[network 150\] networkx {step}\s+not run at 150 people", result.stdout, re.M), output
    assert "[network 400] networkx skipped (--skip-networkx-large)" in result.stdout
    assert "[network 400] networkx total" not in result.stdout
    data = json.loads(out.read_text())
    assert set(data["sizes"]) == {"60", "150", "400"}
    assert data["sizes"]["400"]["graph"]["nodes"] == 400
    assert data["sizes"]["60"]["networkx"]["runs"] == 3
    assert data["sizes"]["150"]["networkx"]["measured_steps"] == list(STEPS[:4])
    assert "networkx" not in data["sizes"]["400"]
