"""Production serves static files from a hashed manifest (whitenoise); every file any stylesheet or
script refers to must exist, or collectstatic fails and the site cannot be deployed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.xdist_group("subprocess")
def test_collectstatic_with_production_storage(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-test-" + "k" * 50,
        "ALLOWED_HOSTS": "example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    for name in ("css/squaremile.css", "vendor/leaflet/leaflet.js", "vendor/htmx/htmx.min.js", "js/minimap.js"):
        assert name in manifest
