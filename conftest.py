"""Shared fixtures for every test. App tests keep their factories in <app>/tests/factories.py."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow sync DB calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _no_dev_mail_dir(settings, tmp_path):
    settings.MAIL_DIR = tmp_path / "mail"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password the production way takes most of a second; the suite hashes hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts (and anything else cached) do not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
