"""A 20-second smoke run of the load test (bench/load/), so that it never rots: the same Locust file,
the same setup step and the same reading of Locust's figures as `make load`, with a few users,
against pytest-django's live server on the database the suite runs on (SQLite or PostgreSQL).
Every request must succeed; the timings are not checked (benchmarks are not tests)."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.core.management import call_command

LOAD = Path(__file__).resolve().parent / "load"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"load_{name}", LOAD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A live server's test needs a transactional database; serialized_rollback puts back what the data
# migrations loaded (the taxonomy, the map categories) for the tests that follow on this worker.
@pytest.mark.xdist_group("bench")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_smoke_has_no_errors(live_server, tmp_path):
    call_command("seed_demo", "--size", "40", "--seed", "1", verbosity=0)
    data = _module("prepare").prepare(users=2)
    assert data["entries"] and data["organisations"] and data["surveys"] and data["tokens"]
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(data))
    run_load = _module("run_load")

    result = run_load.run_locust(
        host=live_server.url, data_file=data_file, users=8, spawn_rate=8, run_time="20s", out_dir=tmp_path,
        env={"LOAD_CONTRIBUTORS": "2"},
    )  # fmt: skip

    print(result.table())
    assert result.requests > 10
    assert result.failures == 0, result.errors
    names = {row["Name"] for row in result.rows}
    assert {"/api/v1/map/clusters", "/api/v1/map/entries"} <= names  # map pans, and the writes
