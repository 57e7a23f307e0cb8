"""Background tasks of the map's import and export (django-tasks; run by `make worker`).

Each task takes a `core.Job` id and records its progress and outcome on that job."""

from django_tasks import task


@task()
def check_import(job_id: int) -> None:
    from squaremile.mapping.imports import check_import_job

    check_import_job(job_id)


@task()
def apply_import(job_id: int) -> None:
    from squaremile.mapping.imports import apply_import_job

    apply_import_job(job_id)


@task()
def run_export(job_id: int) -> None:
    from squaremile.mapping.exports import export_job

    export_job(job_id)
