"""Background tasks of the import pipeline (django-tasks; run by `make worker`). Each takes a
`core.Job` id; the job's kind names its importer in the registry. A small file is checked or
applied at once instead (`check_now_or_queue`, `apply_now_or_queue`)."""

from django_tasks import task

from squaremile.core.jobs import enqueue_on_commit
from squaremile.imports.jobs import run_apply, run_check


@task()
def check_import(job_id: int) -> None:
    run_check(job_id)


@task()
def apply_import(job_id: int) -> None:
    run_apply(job_id)


def check_now_or_queue(importer, job) -> None:
    """After `jobs.save_options`: check at once when the file is small, else queue the task."""
    if job.total <= importer.inline_rows:
        run_check(job.pk)
    else:
        enqueue_on_commit(check_import, job.pk)


def apply_now_or_queue(importer, job) -> None:
    """After `jobs.queue_apply`: apply at once when the file is small, else queue the task."""
    if job.total <= importer.inline_rows:
        run_apply(job.pk)
    else:
        enqueue_on_commit(apply_import, job.pk)
