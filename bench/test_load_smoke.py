"""A 20-second smoke run of the load test (bench/load/), so that it never rots: the same Locust file,
setup step, gunicorn start and stop and reading of Locust's figures as `make load`, with a few users,
on the database the suite runs on. Every request must succeed; timings are not checked here.

gunicorn (2 workers) serves the test database: on PostgreSQL the test database itself (the test is
transactional, so what it seeds is committed and visible to gunicorn); on SQLite, whose test
database lives in this process's memory, a copy of it in a file. The site runs with the suite's
settings (SQUAREMILE_TESTING=1: plain static files, so no collectstatic, tasks run in the request)
rather than production's, which `make load` uses."""

import importlib.util
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

LOAD = Path(__file__).resolve().parent / "load"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"load_{name}", LOAD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _database_url(tmp_path: Path) -> str:
    """A DATABASE_URL for another process to reach the test database (a file copy of it on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "smoke.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _starting_data() -> None:
    """What the data migrations load (taxonomy, map categories), which a transactional test that ran
    earlier on this worker may have flushed away."""
    import importlib

    from django.apps import apps

    from tests.browser.support import load_taxonomy

    load_taxonomy()
    importlib.import_module("squaremile.mapping.migrations.0003_seed_categories").seed(apps, None)


# serialized_rollback puts back what the data migrations loaded (the taxonomy, the map categories)
# for the tests that follow on this worker, once this transactional test has flushed the database.
@pytest.mark.xdist_group("bench")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_smoke_has_no_errors(tmp_path):
    run_load = _module("run_load")
    _starting_data()
    call_command("seed_demo", "--size", "40", "--seed", "1", verbosity=0)
    data = _module("prepare").prepare(users=2)
    assert data["entries"] and data["organisations"] and data["surveys"] and data["tokens"]
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(data))
    port = run_load.free_port()
    env = run_load.site_env(db_url=_database_url(tmp_path), cache_url="", port=port, var=tmp_path)
    env["SQUAREMILE_TESTING"] = "1"

    web, _ = run_load.start_site(env, port=port, workers=2, threads=2, log_dir=tmp_path, worker=False)
    try:
        result = run_load.run_locust(
            host=f"http://127.0.0.1:{port}", data_file=data_file, users=8, spawn_rate=8, run_time="20s",
            out_dir=tmp_path, env={"LOAD_CONTRIBUTORS": "2"},
        )  # fmt: skip
    finally:
        run_load.stop(web, "gunicorn")

    print(result.table())
    assert result.requests > 10
    assert result.failures == 0, result.errors
    names = {row["Name"] for row in result.rows}
    assert {"/api/v1/map/clusters", "/api/v1/map/entries"} <= names  # map pans, and the writes
