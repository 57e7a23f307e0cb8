"""The pipeline as a background `core.Job` (the web wizard): the uploaded file and the person's
choices live in the job, not in the session, so any web node or worker can carry on a step.

    job, table = start(importer, by=user, data=..., filename=...)   # WAITING for the column choice
    save_options(importer, job=job, by=user, options=...)            # QUEUED: check every row
    run_check(job.pk)                                                # WAITING: the preview (report)
    queue_apply(importer, job=job)                                   # QUEUED again
    run_apply(job.pk)                                                # DONE (or WAITING with the problems)

`run_check` and `run_apply` run inline for small files (`Importer.inline_rows`) and as the tasks of
`squaremile.imports.tasks` otherwise (`tasks.check_now_or_queue`, `tasks.apply_now_or_queue`); both
report progress on the job. The job's kind is the
importer's key, so the task finds its importer in the registry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from squaremile.core.jobs import (
    JobError,
    Progress,
    _safe_name,
    job_create,
    job_finish,
    job_message,
    job_requeue,
    job_room_check,
    job_running,
)
from squaremile.core.models import Job, JobStatus
from squaremile.imports import pipeline
from squaremile.imports.reading import ImportFileError, Table, read_table


def _table_params(importer, table: Table) -> dict:
    return {
        "format": table.kind,
        "encoding": table.encoding,
        "columns": table.columns,
        "row_count": len(table.rows),
        "sample": table.sample(),
        "guess": importer.guess(table),
    }


def _read(upload) -> bytes:
    return upload.read() if hasattr(upload, "read") else upload


def start(importer, *, by, upload, filename: str, params: dict | None = None):
    """Read an uploaded file (ImportFileError if it cannot be read) and keep it in a new job that
    waits for the column choice. `params` are the importer's own (e.g. which survey and round)."""
    importer.allowed(by, None)
    data = _read(upload)
    table = read_table(data, filename, limits=importer.limits())
    job = job_create(
        kind=importer.key,
        owner=by,
        status=JobStatus.WAITING,
        message="Choose which column holds what.",
        input_file=ContentFile(data),
        input_filename=filename,
        total=len(table.rows),
        params={"title": importer.title, "stage": "mapping", **(params or {}), **_table_params(importer, table)},
    )
    urls = importer.urls(job)
    job.params.update(continue_url=urls["columns"], continue_label="Choose the columns")
    job.save(update_fields=["params"])
    return job, table


def replace_file(importer, *, job, by, upload, filename: str) -> Table:
    """A corrected file for the same import: kept if readable; the column choice stays where the
    columns still exist. The job goes back to the column step."""
    importer.allowed(by, None)
    data = _read(upload)
    table = read_table(data, filename, limits=importer.limits())
    if job.input_file:
        job.input_file.delete(save=False)
    job.input_file.save(_safe_name(filename), ContentFile(data), save=False)
    job.input_filename = filename[:200]
    options = importer.options_class.from_params(job.params)
    options.mapping = {k: v for k, v in options.mapping.items() if v in table.columns}
    options.source = filename[:200]
    job.params.update(_table_params(importer, table))
    job.params.update(options.as_params())
    job.params.update(stage="mapping", continue_url=importer.urls(job)["columns"], continue_label="Choose the columns")
    job.status = JobStatus.WAITING
    job.total, job.progress = len(table.rows), 0
    job.report = {}
    job.message = "Choose which column holds what."
    job.save()
    return table


def job_table(importer, job) -> Table:
    try:
        with job.input_file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        raise JobError("The uploaded file is no longer kept. Upload it again.") from None
    try:
        return read_table(data, job.input_filename, limits=importer.limits())
    except ImportFileError as exc:
        raise JobError(str(exc)) from None


def save_options(importer, *, job, by, options) -> None:
    """Keep the column choice and queue the check. TooManyJobs (nothing changed) when the owner
    already has as many jobs queued or running as allowed."""
    importer.allowed(by, options)
    with transaction.atomic():
        job_room_check(job.owner, exclude=job)
        job.params.update(options.as_params())
        # Shown only if the check fails (a finished check points to the preview instead).
        job.params.update(
            stage="checking", continue_url=importer.urls(job)["start"], continue_label="Start a new import"
        )
        job.status = JobStatus.QUEUED
        job.message = "Checking every row…"
        job.save(update_fields=["params", "status", "message", "updated_at"])


def queue_apply(importer, *, job) -> bool:
    """Send a previewed job back to the queue to be applied; False when it was not waiting any more
    (a second click, another tab). TooManyJobs when the owner has no room."""
    return job_requeue(
        job,
        message="Waiting to apply…",
        params={
            "stage": "applying",
            "continue_url": importer.urls(job)["start"],
            "continue_label": "Start a new import",
        },
    )


def run_check(job_id: int) -> None:
    """Check every row of the job's file (the preview); the job then waits for "apply"."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    importer = pipeline.get(job.kind)
    with job_running(job, message="Checking every row…") as job:
        table = job_table(importer, job)
        options = importer.options_class.from_params(job.params)
        progress = Progress(job, total=len(table.rows))
        try:
            plan = pipeline.preview(importer, table=table, options=options, by=job.owner, progress=progress.update)
        except PermissionDenied:
            raise JobError(f"You are no longer allowed to import {importer.words[1]}.") from None
        progress.done()
        job.params.update(stage="preview", continue_url=importer.urls(job)["preview"], continue_label="See the preview")
        job.save(update_fields=["params"])
        c = plan.counts()
        message = (
            f"Checked {c['rows']:,} rows: ready to apply."
            if plan.ok
            else f"Checked {c['rows']:,} rows: {c['bad']:,} have problems. Nothing can be applied until they are fixed."
        )
        job_finish(job, message=message, report=plan.report(importer.describe), status=JobStatus.WAITING)


def run_apply(job_id: int) -> None:
    """Apply the job's file whole, or nothing (the preview is then refreshed with every bad row)."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    importer = pipeline.get(job.kind)
    with job_running(job, message="Checking every row again…") as job:
        table = job_table(importer, job)
        options = importer.options_class.from_params(job.params)
        progress = Progress(job, total=len(table.rows))
        try:
            importer.allowed(job.owner, options)
            plan = pipeline.plan_rows(importer, table, options, progress=progress.update)
            if plan.ok:
                job_message(job, f"Saving {len(plan.creates) + len(plan.updates):,} {importer.words[1]}…")
            result = pipeline.apply(importer, table=table, options=options, by=job.owner, plan=plan)
        except pipeline.ImportRejected as rejected:
            urls = importer.urls(job)
            job.params.update(stage="preview", continue_url=urls["preview"], continue_label="See the problems")
            job.save(update_fields=["params"])
            job_finish(
                job, message=str(rejected), report=rejected.plan.report(importer.describe), status=JobStatus.WAITING
            )
            return
        except PermissionDenied:
            raise JobError(f"You are no longer allowed to import {importer.words[1]}.") from None
        progress.done()
        urls = importer.urls(job)
        job.params.update(stage="applied", continue_url=urls["done"], continue_label=urls["done_label"])
        job.save(update_fields=["params"])
        job_finish(
            job,
            message=result.message,
            report={"summary": result.summary(), "counts": {"create": result.created, "update": result.updated,
                                                             "unchanged": result.unchanged, "rows": result.rows}},
        )  # fmt: skip
