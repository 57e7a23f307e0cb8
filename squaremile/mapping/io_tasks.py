"""Background tasks of the map's export (django-tasks; run by `make worker`). The import's tasks are
the shared pipeline's (`squaremile.imports.tasks`); the names below are kept for tasks queued before.

Each task takes a `core.Job` id and records its progress and outcome on that job."""

from django_tasks import task


@task()
def check_import(job_id: int) -> None:
    from squaremile.imports.jobs import run_check

    run_check(job_id)


@task()
def apply_import(job_id: int) -> None:
    from squaremile.imports.jobs import run_apply

    run_apply(job_id)


@task()
def run_export(job_id: int) -> None:
    from squaremile.mapping.exports import export_job

    export_job(job_id)
