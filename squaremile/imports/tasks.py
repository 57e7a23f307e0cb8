"""Background tasks of the import pipeline (django-tasks; run by `make worker`). Each takes a
`core.Job` id; the job's kind names its importer in the registry."""

from django_tasks import task


@task()
def check_import(job_id: int) -> None:
    from squaremile.imports.jobs import run_check

    run_check(job_id)


@task()
def apply_import(job_id: int) -> None:
    from squaremile.imports.jobs import run_apply

    run_apply(job_id)
