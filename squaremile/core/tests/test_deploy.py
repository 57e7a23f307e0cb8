"""Production settings: `manage.py check --deploy` passes, and a missing secret stops the start.

These run `manage.py` in a fresh process: there pytest is not imported, so the settings take their
production path exactly as a server would."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SECRET = "k3J9-production-secret-for-the-deploy-check-only-7fQ2xW8pL0zR5tY1uV6nB4mC"


def production_env(tmp_path, **overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            (
                "DJANGO_",
                "SQUAREMILE_",
                "PYTEST",
                "DATABASE_",
                "SECRET_",
                "DEBUG",
                "ALLOWED_",
                "SECURE_",
                "EMAIL_",
                "CACHE_",
                "TASKS_",
            )
        )
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        SQUAREMILE_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    # HSTS preloading is an operator's choice (hard to undo), so it is off unless asked for.
    env = production_env(tmp_path, SECURE_HSTS_PRELOAD="1")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_with_defaults_reports_at_most_the_preload_choice(tmp_path):
    result = manage("check", "--deploy", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    issues = re.findall(r"\((\w+\.\w+)\)", result.stdout + result.stderr)
    assert set(issues) <= {"security.W021"}, result.stdout + result.stderr


def test_production_settings_are_strict(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.TESTING, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS, s.TASKS['default']['BACKEND'].rsplit('.', 1)[-1], "
        "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[-1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "True",
        "True",
        "True",
        "True",
        "['example.org']",
        "DatabaseBackend",
        "CompressedManifestStaticFilesStorage",
    ]


@pytest.mark.parametrize("secret", [None, ""])
def test_missing_secret_key_stops_the_start(tmp_path, secret):
    result = manage("check", env=production_env(tmp_path, SECRET_KEY=secret))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in the environment when DEBUG is off" in result.stderr


def test_a_weak_secret_key_fails_the_deploy_check(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path, SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_development_needs_no_secret(tmp_path):
    result = manage("check", env=production_env(tmp_path, SECRET_KEY=None, DEBUG="1"))
    assert result.returncode == 0, result.stderr
