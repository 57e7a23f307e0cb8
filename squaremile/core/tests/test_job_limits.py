"""One person may have only so many background jobs queued or running at once (any kind of job)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.jobs import STALE_AFTER, TooManyJobs, job_create, job_requeue, jobs_active
from squaremile.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def test_third_queued_job_refused_with_a_message():
    person, other = UserFactory(), UserFactory()
    job_create(kind="mapping.export", owner=person)
    job_create(kind="any.future.kind", owner=person, status=JobStatus.RUNNING)
    with pytest.raises(TooManyJobs) as err:
        job_create(kind="mapping.export", owner=person)
    assert str(err.value).startswith("You already have 2 exports or imports under way.")
    assert Job.objects.filter(owner=person).count() == 2
    job_create(kind="mapping.export", owner=other)  # a limit per person


def test_waiting_finished_and_stale_jobs_do_not_count():
    person = UserFactory()
    job_create(kind="mapping.import", owner=person, status=JobStatus.WAITING)
    job_create(kind="mapping.import", owner=person, status=JobStatus.WAITING)
    done = job_create(kind="mapping.export", owner=person)
    Job.objects.filter(pk=done.pk).update(status=JobStatus.DONE)
    stuck = job_create(kind="mapping.export", owner=person)
    Job.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - STALE_AFTER - timedelta(minutes=1))
    assert list(jobs_active(person)) == []
    job_create(kind="mapping.export", owner=person)
    job_create(kind="mapping.export", owner=person)
    with pytest.raises(TooManyJobs):
        job_create(kind="mapping.export", owner=person)


def test_the_limit_is_a_setting(settings):
    settings.JOB_MAX_ACTIVE_PER_PERSON = 1
    person = UserFactory()
    job_create(kind="mapping.export", owner=person)
    with pytest.raises(TooManyJobs, match="You already have one export or import under way"):
        job_create(kind="mapping.export", owner=person)


def test_a_waiting_job_sent_back_to_the_queue_needs_room():
    person = UserFactory()
    waiting = job_create(kind="mapping.import", owner=person, status=JobStatus.WAITING)
    job_create(kind="mapping.export", owner=person)
    assert job_requeue(waiting, message="Waiting to apply…", params={"stage": "applying"})
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED and waiting.params["stage"] == "applying"
    assert not job_requeue(waiting)  # a second click: no longer waiting, nothing changes
    another = job_create(kind="mapping.import", owner=person, status=JobStatus.WAITING)
    with pytest.raises(TooManyJobs):
        job_requeue(another)
    another.refresh_from_db()
    assert another.status == JobStatus.WAITING
