"""Limits the code reads with getattr defaults are real settings: read from the environment, with the same
defaults, listed in .env.example and in docs/operators.md."""

import runpy
from pathlib import Path

import pytest

from squaremile.mapping.io import exports, imports

ROOT = Path(__file__).resolve().parents[3]
DEFAULTS = {
    "MAP_IMPORT_INLINE_ROWS": 2_000,
    "MAP_IMPORT_MAX_ROWS": 200_000,
    "MAP_IMPORT_MAX_BYTES": 100 * 1024 * 1024,
    "MAP_EXPORT_INLINE_MAX": 5_000,
    "JOB_RETENTION_DAYS": 14,
    "JOB_STALE_SECONDS": 300,
}


def _settings(monkeypatch, **env) -> dict:
    """config/settings.py evaluated afresh (without touching the running Django settings) under env."""
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_defaults(monkeypatch):
    values = _settings(monkeypatch)
    assert {name: values[name] for name in DEFAULTS} == DEFAULTS


def test_read_from_the_environment(monkeypatch):
    values = _settings(monkeypatch, **{name: str(value + 7) for name, value in DEFAULTS.items()})
    assert {name: values[name] for name in DEFAULTS} == {name: value + 7 for name, value in DEFAULTS.items()}


@pytest.mark.parametrize("name", DEFAULTS)
def test_documented(name):
    example = (ROOT / ".env.example").read_text()
    assert f"\n{name}={DEFAULTS[name]}\n" in example
    line = example[: example.index(f"\n{name}=")].rsplit("\n", 1)[-1]
    assert line.startswith("#"), f"{name} has no comment line above it in .env.example"
    assert f"`{name}`" in (ROOT / "docs" / "operators.md").read_text()


def test_code_follows_the_settings(settings):
    settings.MAP_IMPORT_INLINE_ROWS = 3
    settings.MAP_IMPORT_MAX_ROWS = 4
    settings.MAP_IMPORT_MAX_BYTES = 5
    settings.MAP_EXPORT_INLINE_MAX = 6
    assert (imports.inline_rows(), imports.max_rows(), imports.max_bytes(), exports.inline_max()) == (3, 4, 5, 6)
