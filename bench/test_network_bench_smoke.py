"""Smoke run of the network benchmark, so it never rots: the whole thing, end to end, at small
sizes (our analysis, networkx on the same steps, the approximation error; networkx skipped for the
larger one with --skip-networkx-large --large 200). The figures themselves are not checked: benchmarks are
not tests. See bench/README.md."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "network_bench.py"
STEPS = ("build", "metrics", "betweenness", "communities", "constraint", "layout", "suggestions")


@pytest.mark.xdist_group("bench")
def test_network_benchmark_runs_end_to_end(tmp_path):
    out = tmp_path / "network.json"
    cmd = [sys.executable, str(SCRIPT), "--sizes", "150,400", "--repeat", "1", "--samples", "60",
           "--skip-networkx-large", "--large", "200", "--json", str(out)]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for n in (150, 400):
        for step in STEPS:
            assert re.search(rf"^\[network {n}\] ours  {step}\s+[\d.]+ s  \(cpu [\d.]+ s\)$", result.stdout, re.M), (
                output
            )
        assert re.search(
            rf"^\[network {n}\] ours  total .* target < [\d.]+ s  cpu (PASS|FAIL)  wall (PASS|FAIL)$",
            result.stdout,
            re.M,
        )
        assert re.search(
            rf"^\[network {n}\] approximation .*approximate \(\d+ sources\) vs exact igraph: Spearman [\d.-]+, "
            r"top-20 brokers overlap \d+/20",
            result.stdout,
            re.M,
        ), output
    for step in STEPS[:-1]:
        assert re.search(rf"^\[network 150\] networkx {step}\s+[\d.]+ s  ours\s+[\d.]+ s  ratio", result.stdout, re.M)
    assert re.search(r"^\[network 150\] networkx total .* ratio = [\d.]+x", result.stdout, re.M), output
    assert "[network 400] networkx skipped (--skip-networkx-large)" in result.stdout
    assert "[network 400] networkx total" not in result.stdout
    data = json.loads(out.read_text())
    assert set(data["sizes"]) == {"150", "400"}
    assert data["sizes"]["400"]["graph"]["nodes"] == 400
    assert "networkx" in data["sizes"]["150"] and "networkx" not in data["sizes"]["400"]
