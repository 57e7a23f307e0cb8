"""`manage.py purge_jobs`: finished jobs older than JOB_RETENTION_DAYS go, with their files; nothing else does."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import jobs
from squaremile.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _job(*, status, days_ago, files=True):
    """A job in this status, created and (when finished) finished `days_ago` days ago."""
    owner = UserFactory()
    job = jobs.job_create(
        kind="test.work",
        owner=owner,
        input_file=ContentFile(b"a,b\n1,2\n") if files else None,
        input_filename="in.csv" if files else "",
    )
    if status == JobStatus.RUNNING:
        jobs.job_start(job)
    elif status == JobStatus.DONE:
        jobs.job_start(job)
        jobs.job_finish(job, message="Done.", result=("out.csv", "x,y\n") if files else None)
    elif status == JobStatus.FAILED:
        jobs.job_start(job)
        jobs.job_fail(job)
    when = timezone.now() - timedelta(days=days_ago)
    Job.objects.filter(pk=job.pk).update(
        created_at=when, started_at=when if job.started_at else None, finished_at=when if job.finished_at else None
    )
    job.refresh_from_db()
    return job


def _paths(job) -> list[Path]:
    return [Path(f.path) for f in (job.input_file, job.result_file) if f.name]


def _run(*args) -> str:
    out = StringIO()
    call_command("purge_jobs", *args, stdout=out)
    return out.getvalue()


def test_old_finished_jobs_go_with_their_files_others_stay(settings):
    settings.JOB_RETENTION_DAYS = 14
    old_done = _job(status=JobStatus.DONE, days_ago=20)
    old_failed = _job(status=JobStatus.FAILED, days_ago=15)
    recent_done = _job(status=JobStatus.DONE, days_ago=3)
    old_running = _job(status=JobStatus.RUNNING, days_ago=60)
    old_queued = _job(status=JobStatus.QUEUED, days_ago=60)
    old_waiting = _job(status=JobStatus.WAITING, days_ago=60)
    gone, kept = (
        _paths(old_done) + _paths(old_failed),
        [p for j in (recent_done, old_running, old_queued, old_waiting) for p in _paths(j)],
    )
    assert len(_paths(old_done)) == 2 and all(p.exists() for p in gone + kept)

    out = _run()

    assert "Deleted 2 jobs and 3 files" in out
    assert set(Job.objects.values_list("pk", flat=True)) == {
        recent_done.pk,
        old_running.pk,
        old_queued.pk,
        old_waiting.pk,
    }
    assert not any(p.exists() for p in gone)
    assert not any(p.parent.exists() for p in gone)  # the random jobs/<folder>/ goes too
    assert all(p.exists() for p in kept)


def test_days_option_and_a_missing_file(settings):
    settings.JOB_RETENTION_DAYS = 14
    job = _job(status=JobStatus.DONE, days_ago=5)
    default_storage.delete(job.result_file.name)  # already gone: not an error
    assert "Deleted 0 jobs" in _run()
    out = _run("--days", "4")
    assert "Deleted 1 job and 1 file" in out
    assert not Job.objects.exists() and not Path(job.input_file.path).exists()


def test_jobs_without_files(settings):
    _job(status=JobStatus.DONE, days_ago=30, files=False)
    assert "Deleted 1 job and 0 files" in _run()
    assert not Job.objects.exists()


def test_dry_run_deletes_nothing():
    old_done = _job(status=JobStatus.DONE, days_ago=20)
    _job(status=JobStatus.RUNNING, days_ago=20)
    out = _run("--dry-run")
    assert "Would delete 1 job and 2 files" in out and "nothing deleted" in out
    assert f"#{old_done.pk}" in out and old_done.result_file.name in out
    assert Job.objects.count() == 2 and all(p.exists() for p in _paths(old_done))


def test_negative_days_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _run("--days", "-1")


def test_many_jobs_are_purged_in_batches(monkeypatch):
    monkeypatch.setattr(jobs, "PURGE_BATCH", 2)
    old = [_job(status=JobStatus.DONE, days_ago=30) for _ in range(5)]
    recent = _job(status=JobStatus.DONE, days_ago=1)
    assert "Deleted 5 jobs and 10 files" in _run()
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not any(p.exists() for job in old for p in _paths(job))
