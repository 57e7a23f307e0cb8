"""The one rate limiter (core/ratelimit.py): rates, keys, refunds, the 429 answers, and counts that
several processes share (the database cache used in production without Redis)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from squaremile.core import ratelimit
from squaremile.core.checks import rate_limits_check
from squaremile.core.ratelimit import Rate, RateLimited, hit, parse_rate, parse_rates

ROOT = Path(__file__).resolve().parents[3]
DB_CACHE = {"default": {"BACKEND": "squaremile.core.cache.DatabaseCache", "LOCATION": "squaremile_cache"}}


def test_parse_rates():
    assert parse_rates("5/h") == [Rate(5, 3600)]
    assert parse_rates("60/h/ip, 3/15m/email,10/day/email") == [
        Rate(60, 3600, "ip"), Rate(3, 900, "email"), Rate(10, 86400, "email")
    ]  # fmt: skip
    assert parse_rates("") == []
    assert parse_rate("10/15m") == (10, 900)
    for bad in ("nonsense", "5/w", "5/h/ip/x", "h/5"):
        with pytest.raises(ImproperlyConfigured):
            parse_rates(bad)


def test_a_mistyped_setting_fails_the_system_check(settings):
    assert rate_limits_check() == []
    settings.RATE_LIMITS = "survey-response=lots"
    assert [e.id for e in rate_limits_check()] == ["squaremile.E001"]
    settings.RATE_LIMITS = "no equals sign"
    assert [e.id for e in rate_limits_check()] == ["squaremile.E001"]
    settings.RATE_LIMITS = ""
    settings.MAP_ANONYMOUS_RATE = "five an hour"
    assert [e.id for e in rate_limits_check()] == ["squaremile.E001"]


def test_counts_per_key_and_refuses_without_counting(settings):
    settings.RATE_LIMITS = "survey-response=3/h/ip,2/h/email"
    hit("survey-response", ip="1.1.1.1", email="A@example.org")
    hit("survey-response", ip="1.1.1.1", email="a@example.org ")  # the same address, however written
    with pytest.raises(RateLimited) as err:
        hit("survey-response", ip="1.1.1.1", email="a@example.org")
    assert 0 < err.value.retry_after <= 3601 and "Please wait" in err.value.message
    # the refused attempt did not use up the address's last answer
    hit("survey-response", ip="1.1.1.1", email="b@example.org")
    with pytest.raises(RateLimited):
        hit("survey-response", ip="1.1.1.1", email="c@example.org")
    hit("survey-response", ip="2.2.2.2", email="")  # empty keys are not counted


def test_refund_gives_the_attempt_back(settings):
    settings.RATE_LIMITS = "survey-response=1/h"
    hit("survey-response", ip="1.1.1.1").refund()
    hit("survey-response", ip="1.1.1.1")
    with pytest.raises(RateLimited):
        hit("survey-response", ip="1.1.1.1")


def test_cost_and_windows(settings):
    settings.RATE_LIMITS = "invitations=10/m/user"
    hit("invitations", user="7", cost=8, now=600.0)
    with pytest.raises(RateLimited) as err:
        hit("invitations", user="7", cost=3, now=630.0)
    assert err.value.retry_after == 31  # the window ends at 660
    hit("invitations", user="7", cost=10, now=661.0)  # a new window


def test_a_broken_cache_lets_people_through_and_logs(settings, caplog, monkeypatch):
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    settings.RATE_LIMITS = "survey-response=1/h"
    monkeypatch.setattr(ratelimit, "cache", Down())
    hit("survey-response", ip="1.1.1.1")
    hit("survey-response", ip="1.1.1.1")
    assert "the cache did not answer" in caplog.text


def test_unknown_scope_is_a_programming_error():
    with pytest.raises(ImproperlyConfigured):
        hit("no-such-scope", ip="1.1.1.1")


def test_client_ip_follows_allauths_proxy_settings_and_groups_ipv6(settings):
    rf = RequestFactory()
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "1.2.3.4"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::"


@pytest.mark.django_db
def test_view_decorator_answers_a_kind_429(settings):
    settings.RATE_LIMITS = "survey-response=1/h"

    @ratelimit.rate_limited("survey-response")
    def view(request):
        return HttpResponse("done")

    rf = RequestFactory()
    assert view(rf.get("/")).status_code == 200 and view(rf.get("/")).status_code == 200  # GET is not counted
    post = rf.post("/")
    post.user = type("Anon", (), {"is_authenticated": False})()
    assert view(post).status_code == 200
    response = view(post)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert b"Please wait" in response.content


# ---- the shared cache --------------------------------------------------------------------------
def _settings_in_a_fresh_process(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "CACHE_", "DEBUG"))}
    clean.update(SECRET_KEY="x" * 60, DEBUG="0", **env)
    code = "import config.settings as s; print(s.CACHES['default']['BACKEND'])"
    return subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def test_production_shares_the_cache_between_processes():
    assert _settings_in_a_fresh_process() == "squaremile.core.cache.DatabaseCache"
    assert _settings_in_a_fresh_process(CACHE_URL="redis://127.0.0.1:6379/1").endswith("RedisCache")


@pytest.fixture
def db_cache(settings):
    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)  # what migrate does (core/signals.py)
    yield caches["default"]
    caches["default"].clear()


@pytest.mark.django_db
def test_migrate_makes_the_cache_table(settings):
    from squaremile.core.signals import after_migrate

    settings.CACHES = DB_CACHE
    after_migrate(sender=None, using="default")
    assert "squaremile_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_database_cache_incr_keeps_the_expiry(db_cache):
    assert cache.add("k", 1, timeout=3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM squaremile_cache")
        [(before,)] = cursor.fetchall()
    assert cache.incr("k", 4) == 5 and cache.decr("k") == 4 and cache.get("k") == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM squaremile_cache")
        [(after,)] = cursor.fetchall()
    assert after == before  # Django's own incr would re-set it to the default 300 seconds
    with pytest.raises(ValueError):
        cache.incr("missing")


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


HIT_SCRIPT = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from squaremile.core.ratelimit import RateLimited, hit
time.sleep(max(0.0, float(os.environ["START_AT"]) - time.time()))
allowed = 0
for _ in range(10):
    try:
        hit("survey-response", ip=os.environ["HIT_IP"])
        allowed += 1
    except RateLimited:
        pass
print(allowed)
"""


def _process_env(tmp_path, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "CACHE_", "DEBUG", "DATABASE_"))
    }
    env.update(DEBUG="1", SQUAREMILE_VAR_DIR=str(tmp_path), RATE_LIMITS="survey-response=25/h/ip", **extra)
    return env


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", ["database", "redis"])
def test_processes_share_the_counts_exactly(shared, tmp_path):
    """Six separate processes (as several web workers or nodes) hit one key ten times each, at the
    same moment, through the production cache: exactly the allowed 25 get through."""
    ip = f"test-{uuid.uuid4()}"
    if shared == "redis":
        if not _redis_reachable():
            pytest.skip("no Redis on 127.0.0.1:6379")
        env = _process_env(tmp_path, CACHE_URL="redis://127.0.0.1:6379/15", HIT_IP=ip)
    else:  # the database cache, in the database the tests run on
        db = connection.settings_dict
        if connection.vendor == "sqlite":  # the tests' SQLite lives in memory: use a file, as in production
            url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        else:
            url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = _process_env(tmp_path, DATABASE_URL=url, HIT_IP=ip)
        subprocess.run([sys.executable, "manage.py", "createcachetable"], env=env, cwd=ROOT, check=True)
    env["START_AT"] = str(time.time() + 4)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", HIT_SCRIPT],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(6)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err[-2000:] for _, err in results]
    assert "did not answer" not in "".join(err for _, err in results)
    assert sum(int(out) for out, _ in results) == 25
