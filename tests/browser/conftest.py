"""Real-browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

* `browser` is launched once per pytest-xdist worker (session scope; each worker is a process).
* `new_context(...)` makes a fresh browser context (cookies, storage) for one test; `page`,
  `phone_page` and `nojs_page` are the usual shapes of it. Every context answers only the live
  server: any other request (map tiles from tile.openstreetmap.org, say) is aborted at once, so
  no test waits on the network.
* Uncaught JavaScript errors on any page, and anything the Content-Security-Policy blocks, fail the
  test that caused them.
* Live-server tests run on a transactional database that is flushed after each of them. So that
  tests running after them on the same worker still find what the data migrations loaded (the
  skills taxonomy), it is put back after each browser test.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.browser.support import DESKTOP, PHONE, load_taxonomy

CHROMIUM = Path(os.environ.get("SQUAREMILE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def _playwright():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    """One headless Chromium per worker process, shared by every test the worker runs."""
    browser = _playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def taxonomy(transactional_db):
    """The starting skills taxonomy, as the data migration loads it (in case a transactional test
    from elsewhere flushed it away)."""
    return load_taxonomy()


_DB_BLOCKER = pytest.StashKey()


@pytest.fixture(autouse=True)
def _remember_db_blocker(request, django_db_blocker):
    request.node.stash[_DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the test's fixtures are gone (and the database flushed), put the taxonomy back. The
    connection this opens is closed again: Django closed its own at the end of the test, and one
    left open here would keep PostgreSQL from dropping the test database at the end of the run."""
    result = yield
    blocker = item.stash.get(_DB_BLOCKER, None)
    if blocker is not None and nextitem is not None:  # with no next item the test database is gone
        from django.db import connections

        with blocker.unblock():
            load_taxonomy()
            connections.close_all()
    return result


@pytest.fixture
def viewport():
    """The window size of `page`; override with `@pytest.mark.parametrize("viewport", [PHONE])`."""
    return DESKTOP


def _watch(page, errors: list[str]) -> None:
    """Uncaught errors and anything the Content-Security-Policy blocked fail the test."""
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


@pytest.fixture
def new_context(browser, live_server):
    """A factory of fresh browser contexts that talk only to the live server."""
    base = live_server.url.rstrip("/")
    contexts = []
    errors: list[str] = []

    # Everything not addressed to the live server is aborted at once. The pattern is matched inside
    # Playwright's driver, so the live server's own requests never make a round trip through Python.
    not_live_server = re.compile("^(?!" + re.escape(base) + "(/|$))")

    def make(*, viewport=DESKTOP, java_script_enabled=True, **kwargs):
        phone = viewport["width"] < 600
        context = browser.new_context(
            base_url=base,
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            java_script_enabled=java_script_enabled,
            locale="en-GB",
            timezone_id="Europe/London",
            **kwargs,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        context.route(not_live_server, lambda route: route.abort("blockedbyclient"))
        context.on("page", lambda p: _watch(p, errors))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not errors, "Uncaught JavaScript errors or policy violations:\n" + "\n".join(errors)


@pytest.fixture
def login(live_server):
    """`login(context_or_page, user)`: log a user in to a browser context by handing it a fresh
    session cookie, without going through the login form (that has its own tests)."""

    def do_login(target, user):
        context = getattr(target, "context", target)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        value = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}])

    return do_login


@pytest.fixture
def context(new_context, viewport):
    return new_context(viewport=viewport)


@pytest.fixture
def page(context):
    """A desktop-sized page (1280x800 unless `viewport` is overridden) in its own context."""
    return context.new_page()


@pytest.fixture
def phone_page(new_context):
    """A phone-sized page (390x844, touch) in its own context."""
    return new_context(viewport=PHONE).new_page()


@pytest.fixture
def nojs_page(new_context):
    """A page with JavaScript switched off: core reading must work without it."""
    return new_context(java_script_enabled=False).new_page()
