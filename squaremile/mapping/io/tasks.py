"""Background tasks of the map's export (django-tasks; run by `make worker`). The import's tasks are
the shared pipeline's (`squaremile.imports.tasks`); the names below are kept for tasks queued before.

Each task takes a `core.Job` id and records its progress and outcome on that job. The work itself is
in `exports.py` and `imports.py`; this module only starts it, so it sits above them."""

from django_tasks import task

from squaremile.core.jobs import enqueue_on_commit, job_create
from squaremile.mapping.entries.filters import MapFilters
from squaremile.mapping.io import exports


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
    exports.export_job(job_id)


def start_export(*, by, fmt: str, filters: MapFilters, count: int, base_url: str, back_url: str = ""):
    """A job that writes the export to a file; the task is enqueued once the job is committed."""
    job = job_create(
        kind="mapping.export",
        owner=by,
        total=count,
        message=f"Waiting to export {count:,} entries as {exports.FORMAT_LABELS[fmt]}.",
        params={
            "title": f"Export from the map ({exports.FORMAT_LABELS[fmt]})",
            "format": fmt,
            "filters": exports.export_params(filters),
            "base_url": base_url,
            "back_url": back_url,
            "back_label": "Back to the export page",
        },
    )
    enqueue_on_commit(run_export, job.pk)
    return job
