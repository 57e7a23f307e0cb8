"""The database busy (another transaction holds the write lock) or away (restarting): a 503 with
Retry-After, JSON in the API and a page elsewhere, with the reason logged; never a 500."""

import json
import logging
import time
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.test import RequestFactory

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import unavailable
from squaremile.directory.models import Organisation

BUSY = "The site is busy, try again in a moment."


@contextmanager
def write_lock_held():
    """Another connection holds the write lock the way a long import does: SQLite's BEGIN IMMEDIATE,
    on PostgreSQL an EXCLUSIVE lock on the organisations table (reads go on, writes wait)."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    other.ensure_connection()
    raw = other.connection
    try:
        if other.vendor == "sqlite":
            raw.execute("BEGIN IMMEDIATE")
        else:
            with raw.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"LOCK TABLE {Organisation._meta.db_table} IN EXCLUSIVE MODE")
        yield
    finally:
        raw.rollback()
        raw.close()


def _assert_busy_json(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"message": BUSY, "errors": {}}
    assert int(response["Retry-After"]) > 0


def _assert_busy_page(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>The site is busy</h1>" in html and BUSY in html and "squaremile.css" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_api_write_while_the_write_lock_is_held_is_a_json_503_within_seconds(client, settings, caplog):
    owner = UserFactory()
    token = api_token_create(user=owner, by=owner, name="t")[1]
    started = time.monotonic()
    with write_lock_held(), caplog.at_level(logging.WARNING, logger="squaremile.unavailable"):
        response = client.post(
            "/api/v1/organisations",
            data=json.dumps({"name": "Little Library"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    elapsed = time.monotonic() - started
    _assert_busy_json(response)
    assert elapsed < settings.DB_BUSY_TIMEOUT + 3
    assert "answered 503 to POST /api/v1/organisations: OperationalError" in caplog.text
    assert not Organisation.objects.exists()
    # the lock gone, the same request goes through
    response = client.post(
        "/api/v1/organisations",
        data=json.dumps({"name": "Little Library"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db(transaction=True)
def test_form_post_while_the_write_lock_is_held_is_the_503_page(client, settings, caplog):
    client.force_login(UserFactory(role=Role.ORGANISER))
    started = time.monotonic()
    with write_lock_held(), caplog.at_level(logging.WARNING, logger="squaremile.unavailable"):
        response = client.post("/organisations/add/", {
                "name": "Little Library", "description": "Books.", "stream": "individual",
                "org_type": "informal_group", "contact_visibility": "nobody",
            })  # fmt: skip
    _assert_busy_page(response)
    assert time.monotonic() - started < settings.DB_BUSY_TIMEOUT + 3
    assert "answered 503 to POST /organisations/add/" in caplog.text
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_a_connection_lost_in_a_view_is_a_503_with_its_reason_logged(client, monkeypatch, caplog):
    from django.db.backends.utils import CursorWrapper

    def lost(self, *args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(CursorWrapper, "execute", lost)
    with caplog.at_level(logging.WARNING, logger="squaremile.unavailable"):
        _assert_busy_page(client.get("/organisations/"))
        _assert_busy_json(client.get("/organisations/", headers={"Accept": "application/json"}))
        _assert_busy_json(client.get("/api/v1/organisations"))
    assert "answered 503 to GET /organisations/: InterfaceError: connection already closed" in caplog.text
    assert "answered 503 to GET /api/v1/organisations: InterfaceError" in caplog.text


def test_outside_a_view_the_500_handler_answers_503_for_the_database_only(caplog):
    request = RequestFactory().post("/organisations/add/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        with caplog.at_level(logging.WARNING, logger="squaremile.unavailable"):
            _assert_busy_page(unavailable.server_error(request))
    assert "terminating connection due to administrator command" in caplog.text
    try:
        raise ValueError("a bug")
    except ValueError:
        assert unavailable.server_error(request).status_code == 500


def test_an_unexpected_database_error_is_logged_with_its_traceback(caplog):
    request = RequestFactory().get("/api/v1/organisations")
    try:
        raise OperationalError("no such column: organisation.colour")
    except OperationalError as exc:
        with caplog.at_level(logging.WARNING, logger="squaremile.unavailable"):
            _assert_busy_json(unavailable.unavailable_response(request, exc))
    record = caplog.records[-1]
    assert record.levelno == logging.ERROR and record.exc_info


def test_the_busy_timeout_is_a_setting_for_both_databases(monkeypatch):
    import runpy
    from pathlib import Path

    path = str(Path(__file__).resolve().parents[3] / "config" / "settings.py")
    monkeypatch.setenv("DB_BUSY_TIMEOUT", "2.5")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/sm?sslmode=require")
    options = runpy.run_path(path)["DATABASES"]["default"]["OPTIONS"]
    assert options["options"] == "-c lock_timeout=2500" and options["sslmode"] == "require"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/sm-busy-test.sqlite3")
    assert runpy.run_path(path)["DATABASES"]["default"]["OPTIONS"]["timeout"] == 2.5
    monkeypatch.delenv("DB_BUSY_TIMEOUT")
    assert runpy.run_path(path)["DATABASES"]["default"]["OPTIONS"]["timeout"] == 5
