"""Background jobs: the helpers, and the job page (owner or admin only), its polling and its download."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import jobs
from squaremile.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(role=Role.MODERATOR)


def test_lifecycle_progress_and_result(owner):
    job = jobs.job_create(kind="test.work", owner=owner, params={"title": "Counting"})
    assert job.status == JobStatus.QUEUED and job.is_active
    with jobs.job_running(job.pk) as running:
        progress = jobs.Progress(running, total=10, every=3600)
        progress.update(1)  # the first update is written
        assert Job.objects.get(pk=job.pk).progress == 1
        progress.update(5)  # throttled: not written yet
        assert Job.objects.get(pk=job.pk).progress == 1
        progress.update(7, force=True)
        assert Job.objects.get(pk=job.pk).progress == 7
        jobs.job_finish(running, message="Counted.", report={"summary": [["Rows", 10]]}, result=("out.txt", "hello"))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 10 and job.percent == 100
    assert job.finished_at and job.started_at
    assert job.result_file.name.startswith("jobs/") and job.result_filename == "out.txt"
    assert job.result_file.read() == b"hello"


def test_failure_is_readable_and_logged(owner, caplog):
    job = jobs.job_create(kind="test.work", owner=owner)
    log = caplog.at_level(logging.ERROR, logger="squaremile.core.jobs")
    with log, pytest.raises(ZeroDivisionError), jobs.job_running(job):
        raise ZeroDivisionError("secret internals")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "secret" not in job.message and "try again" in job.message
    assert "ZeroDivisionError" in caplog.text

    job2 = jobs.job_create(kind="test.work", owner=owner)
    with jobs.job_running(job2):
        raise jobs.JobError("The file has gone.")
    job2.refresh_from_db()
    assert (job2.status, job2.message) == (JobStatus.FAILED, "The file has gone.")


def test_input_file_is_stored_with_a_safe_name(owner):
    job = jobs.job_create(
        kind="test.work", owner=owner, input_file=ContentFile(b"a,b\n1,2\n"), input_filename="../../etc/my file.csv"
    )
    assert job.input_filename == "../../etc/my file.csv"
    assert job.input_file.name.startswith("jobs/") and job.input_file.name.endswith("/my-file.csv")
    assert job.input_file.read() == b"a,b\n1,2\n"


def test_page_owner_admin_and_others(client, owner):
    job = jobs.job_create(kind="test.work", owner=owner, params={"title": "Counting things"})
    url = reverse("core:job_detail", args=[job.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(url).status_code == 200
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Counting things" in html and 'hx-trigger="every 2s"' in html and "<progress" in html


def test_page_stops_polling_when_finished_and_offers_the_download(client, owner):
    job = jobs.job_create(kind="test.work", owner=owner)
    jobs.job_start(job, total=3)
    jobs.job_finish(job, message="All done.", result=("result.csv", "a,b\n"))
    client.force_login(owner)
    response = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "every 2s" not in html and "<html" not in html  # the fragment, no longer polling
    assert reverse("core:job_download", args=[job.pk]) in html and "All done." in html


def test_download_only_for_the_owner(client, owner):
    job = jobs.job_create(kind="test.work", owner=owner)
    jobs.job_finish(job, message="Done.", result=("entries.csv", "title\nHall\n"))
    url = reverse("core:job_download", args=[job.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"title\nHall\n"
    assert 'filename="entries.csv"' in response["Content-Disposition"]
    unfinished = jobs.job_create(kind="test.work", owner=owner)
    assert client.get(reverse("core:job_download", args=[unfinished.pk])).status_code == 404


def test_report_errors_are_listed_and_paginated(client, owner):
    errors = [{"row": n, "message": f"Row problem {n}"} for n in range(2, 252)]
    job = jobs.job_create(kind="test.work", owner=owner)
    jobs.job_finish(job, message="Checked.", report={"errors": errors, "errors_total": 250}, status=JobStatus.WAITING)
    client.force_login(owner)
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Row problem 2<" in html and "Row problem 101<" in html and "Row problem 102<" not in html
    assert "Page 1 of 3" in html
    html = client.get(reverse("core:job_detail", args=[job.pk]) + "?page=3").content.decode()
    assert "Row problem 251<" in html


def test_job_page_queries_are_bounded(client, owner, django_assert_max_num_queries):
    job = jobs.job_create(kind="test.work", owner=owner, params={"title": "Counting the halls"})
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == 200
    assert "<h1>Counting the halls</h1>" in response.content.decode()
