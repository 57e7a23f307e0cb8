"""The worker (`manage.py worker`) survives database errors, records the failures it could not record
at once, and jobs left "running" by a dead worker are marked failed with a reason."""

import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import jobs
from squaremile.core.models import Job, JobStatus
from squaremile.core.worker import ResilientWorker

pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task()
def count_job(job_id: int) -> None:
    with jobs.job_running(job_id) as job:
        jobs.job_finish(job, message="Counted.")


@task()
def lose_the_database(job_id: int) -> None:
    with jobs.job_running(job_id):
        raise OperationalError("server closed the connection unexpectedly")


@task()
def analyse(round_id: int) -> None:
    """Not a job task: its first argument is not a job id."""


def worker(**kwargs) -> ResilientWorker:
    options = {
        "queue_names": ["default"], "interval": 0, "batch": True, "backend_name": "default",
        "startup_delay": False, "max_tasks": None, "worker_id": "test-worker", "excluded_queue_names": [],
        "max_backoff": 0.05,
    }  # fmt: skip
    options.update(kwargs)
    return ResilientWorker(**options)


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS


def test_the_loop_survives_database_errors_and_goes_on(db_tasks, monkeypatch, caplog):
    job = jobs.job_create(kind="test.count", owner=None)
    result = count_job.enqueue(job.pk)
    original = db_worker.exclusive_transaction
    failures = [
        OperationalError("database is locked"),  # SQLite: the lock held longer than the busy timeout
        OperationalError("server closed the connection unexpectedly"),  # PostgreSQL restarting
    ]

    @contextmanager
    def flaky(using=None):
        if failures:
            raise failures.pop(0)
        with original(using):
            yield

    monkeypatch.setattr(db_worker, "exclusive_transaction", flaky)
    w = worker()
    with caplog.at_level(logging.WARNING, logger="squaremile.worker"):
        w.run()  # batch: returns once the queue is empty
    assert w.errors == 2
    assert "database error (OperationalError: database is locked)" in caplog.text
    assert "server closed the connection unexpectedly" in caplog.text
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_task_that_fails_midway_is_failed_with_a_reason(db_tasks):
    job = jobs.job_create(kind="test.lose", owner=UserFactory())
    result = lose_the_database.enqueue(job.pk)
    worker().run()
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, jobs.DATABASE_FAILURE)


def test_a_failure_the_database_could_not_take_is_recorded_once_it_is_back(db_tasks, monkeypatch):
    job = jobs.job_create(kind="test.lose", owner=None)
    failing = lose_the_database.enqueue(job.pk)
    other = jobs.job_create(kind="test.count", owner=None)
    later = count_job.enqueue(other.pk)
    original = DBTaskResult.set_failed
    down = {"calls": 0}

    def set_failed(self, exc):
        down["calls"] += 1
        if down["calls"] <= 3:  # the database stays away for three tries
            raise OperationalError("could not connect to server: Connection refused")
        return original(self, exc)

    monkeypatch.setattr(DBTaskResult, "set_failed", set_failed)
    w = worker()
    w.run()
    assert w.errors == 3  # while running the task, then twice more while waiting for the database
    assert DBTaskResult.objects.get(pk=failing.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=later.id).status == "SUCCESSFUL"  # and it went on


def _dead_worker_left(job, task_obj, *, minutes_ago):
    then = timezone.now() - timedelta(minutes=minutes_ago)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=then, updated_at=then)
    result = task_obj.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=then, worker_ids=["dead"])
    return result


def test_jobs_left_running_by_a_dead_worker_are_failed_with_a_reason_when_a_worker_starts(db_tasks, settings, caplog):
    settings.JOB_STALE_SECONDS = 300
    dead = jobs.job_create(kind="test.count", owner=UserFactory())
    dead_task = _dead_worker_left(dead, count_job, minutes_ago=6)
    alive = jobs.job_create(kind="test.count", owner=None)
    alive_task = _dead_worker_left(alive, count_job, minutes_ago=1)  # a heartbeat a minute ago: still alive
    unrelated = analyse.enqueue(dead.pk)  # not a job task, though given the same number
    DBTaskResult.objects.filter(pk=unrelated.id).update(status="RUNNING", started_at=timezone.now())
    with caplog.at_level(logging.WARNING):
        worker(reap_every=3600).run()
    dead.refresh_from_db()
    assert (dead.status, dead.message) == (JobStatus.FAILED, jobs.WORKER_LOST) and dead.finished_at
    assert "had no heartbeat since" in caplog.text
    assert DBTaskResult.objects.get(pk=dead_task.id).status == "FAILED"
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING
    assert DBTaskResult.objects.get(pk=alive_task.id).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=unrelated.id).status == "RUNNING"


def test_a_running_job_beats(settings):
    settings.JOB_STALE_SECONDS = 6  # a beat every second
    job = jobs.job_create(kind="test.count", owner=None)
    with jobs.job_running(job.pk):
        started = Job.objects.get(pk=job.pk).updated_at
        time.sleep(2.5)
        assert Job.objects.get(pk=job.pk).updated_at > started
    assert jobs.jobs_fail_stale(seconds=2) == []


def test_a_worker_never_takes_its_own_running_job_for_dead():
    """On SQLite a long import holds the write lock and the heartbeat cannot be written meanwhile."""
    job = jobs.job_create(kind="test.count", owner=None)
    with jobs.job_running(job.pk):
        old = timezone.now() - timedelta(hours=1)
        Job.objects.filter(pk=job.pk).update(updated_at=old)
        assert jobs.jobs_fail_stale(seconds=60) == []
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, updated_at=timezone.now() - timedelta(hours=1))
    assert jobs.jobs_fail_stale(seconds=60) == [job.pk]
