"""The worker's schedule (core/periodic.py): a command runs when due, not before its interval is
over, once per interval however many workers look, and a failure is recorded and not fatal."""

import threading
from datetime import timedelta

import pytest
from django.core.management import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from squaremile.core import periodic
from squaremile.core.models import PeriodicRun

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


class Counting(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--period", default="")

    def handle(self, *args, period="", **options):
        CALLS.append(period)


class Failing(BaseCommand):
    def handle(self, *args, **options):
        raise CommandError("the mail server is away")


@pytest.fixture
def commands(monkeypatch, settings):
    """Two fake management commands: `counting` and `failing`."""
    CALLS.clear()
    from django.core import management

    real = management.load_command_class

    def load(app_name, name):
        return {"counting": Counting, "failing": Failing}.get(name) or real(app_name, name)

    monkeypatch.setattr(management, "load_command_class", lambda app, name: load(app, name)())
    real_get = management.get_commands

    def get_commands():
        found = dict(real_get())
        found.update(counting="fake", failing="fake")
        return found

    monkeypatch.setattr(management, "get_commands", get_commands)
    settings.PERIODIC_COMMANDS = [("counting --period daily", 3600)]
    return settings


def test_a_command_runs_when_due_and_not_again_within_its_interval(commands):
    t0 = timezone.now()
    assert periodic.run_due(now=t0, worker="w1") == [("counting --period daily", True)]
    assert CALLS == ["daily"]
    run = PeriodicRun.objects.get(key="counting --period daily")
    assert run.ok is True and run.worker == "w1" and run.finished_at is not None
    assert run.due_at == t0 + timedelta(hours=1)
    # not due: half an hour later nothing runs
    assert periodic.run_due(now=t0 + timedelta(minutes=30), worker="w1") == []
    assert CALLS == ["daily"]
    # due again once the interval is over
    assert periodic.run_due(now=t0 + timedelta(minutes=61), worker="w1") == [("counting --period daily", True)]
    assert CALLS == ["daily", "daily"]


def test_two_workers_never_run_the_same_command_twice_in_one_interval(commands):
    t0 = timezone.now()
    results, barrier = {}, threading.Barrier(2)

    def look(name):
        barrier.wait()
        try:
            results[name] = periodic.run_due(now=t0, worker=name)
        except OperationalError:  # SQLite's shared in-memory test database: "table is locked" at once
            results[name] = []  # the worker's loop logs it and looks again later: it did not run it
        finally:
            close_old_connections()

    threads = [threading.Thread(target=look, args=(n,)) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert CALLS == ["daily"]
    assert sorted(len(r) for r in results.values()) == [0, 1]
    # and one after the other, the second worker finds it already taken
    assert periodic.run_due(now=t0 + timedelta(seconds=5), worker="w2") == []
    assert CALLS == ["daily"]


def test_a_failing_command_is_recorded_and_the_others_still_run(commands, caplog):
    commands.PERIODIC_COMMANDS = [("failing", 300), ("counting", 300), ("no_such_command", 300)]
    ran = periodic.run_due(worker="w1")
    assert ran == [("failing", False), ("counting", True), ("no_such_command", False)]
    assert CALLS == [""]
    failed = PeriodicRun.objects.get(key="failing")
    assert failed.ok is False and "the mail server is away" in failed.message
    assert "failing failed" in caplog.text
    assert not PeriodicRun.objects.get(key="no_such_command").ok


def test_bad_entries_are_left_out_and_the_environment_form_is_parsed(commands, caplog):
    commands.PERIODIC_COMMANDS = [("counting", 0), ("", 60), "poll_feeds", ("counting", 60)]
    assert [p.line for p in periodic.schedule()] == ["counting"]
    assert "left out" in caplog.text
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import _periodic_commands

    assert _periodic_commands("poll_feeds=300; send_digests --period daily=86400;") == [
        ("poll_feeds", 300),
        ("send_digests --period daily", 86400),
    ]
    assert _periodic_commands("") == []
    with pytest.raises(ImproperlyConfigured):
        _periodic_commands("poll_feeds every five minutes")


def test_the_worker_runs_the_schedule_from_its_own_thread(commands):
    from squaremile.core.worker import ResilientWorker

    worker = ResilientWorker(
        queue_names=["default"], interval=0, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="looping", excluded_queue_names=[], reap_every=0,
    )  # fmt: skip
    worker._start_periodic()
    deadline = timezone.now() + timedelta(seconds=10)
    while not CALLS and timezone.now() < deadline:
        threading.Event().wait(0.05)
    worker.running = False
    worker._periodic.join(5)
    assert CALLS == ["daily"]
    assert PeriodicRun.objects.get(key="counting --period daily").worker == "looping"


def test_every_default_command_exists_and_its_arguments_parse():
    import shlex

    from django.core.management import get_commands, load_command_class

    from config.settings import DEFAULT_PERIODIC_COMMANDS

    commands = get_commands()
    for line, seconds in DEFAULT_PERIODIC_COMMANDS:
        name, *args = shlex.split(line)
        assert name in commands, line
        load_command_class(commands[name], name).create_parser("manage.py", name).parse_args(args)
        assert seconds >= 300
