"""Smoke run of the skills game and method library benchmark, so it never rots: both parts in
process on the test database at tiny sizes (one table of two phones for two seconds; 60 methods).
The figures are not checked: benchmarks are not tests. See bench/README.md."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("game_bench", ROOT / "bench" / "game_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.xdist_group("bench")
@pytest.mark.django_db(transaction=True)
def test_game_benchmark_runs_end_to_end(settings, capsys):
    from tests.browser.support import load_taxonomy

    settings.SECURE_SSL_REDIRECT = False
    load_taxonomy()  # a transactional test before this one may have flushed the skills away
    bench = _load()
    args = bench.parse_args(["--tables", "1", "--phones", "2", "--seconds", "2", "--sort-every", "0.5", "--poll", "0.3",
                             "--procs", "1",
                             "--methods", "60", "--reports", "300", "--requests", "5"])  # fmt: skip
    report = {"db": "test"}
    bench.game_part(args, report)
    bench.library_part(args, report)
    out = capsys.readouterr().out
    assert report["game"]["sorts"] >= 1 and report["game"]["propagation_s"]["n"] >= 1, out
    assert "server CPU per sort (update)" in out and "baseline / ours" in out
    assert set(report["library"]) == {"list page", "list, filtered", "list, most used", "method page"}, out
