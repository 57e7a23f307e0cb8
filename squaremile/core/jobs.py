"""Background jobs: create one, start it, report its progress, finish or fail it.

A `Job` row is the one place where a long piece of work (an import, an export) tells its owner how
it is going. The work itself runs in a django-tasks task (a worker process: `make worker`), or
inline for small inputs; either way it goes through these helpers:

    job = job_create(kind="mapping.export", owner=user, params={...})
    ...later, in the task:
    with job_running(job_id) as job:            # RUNNING; any exception -> FAILED, logged
        progress = Progress(job, total=n)
        for i, row in enumerate(rows, 1):
            ...
            progress.update(i)                  # throttled: at most one write a second
        job_finish(job, message="Exported 12,000 entries.", result=("entries.csv", file))

Failure messages are in plain words for the owner (`JobError("...")`); tracebacks go to the log.
Files live on the default storage (`jobs/<random>/<name>`), so a web node and a worker on
different machines see the same file.

One person may have at most JOB_MAX_ACTIVE_PER_PERSON (default 2) jobs queued or running at once,
whatever their kind: `job_create` of a queued job and `job_requeue` (a waiting job sent back to the
queue) raise `TooManyJobs` otherwise, whose message says so; pages show it, the API answers 429.
Jobs waiting for their owner do not count (they use no worker), nor do queued or running ones
untouched for STALE_AFTER (a worker that died must not lock its owner out).
"""

import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from squaremile.core.models import Job, JobStatus
from squaremile.core.permissions import can

logger = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong on our side and the work stopped. Nothing was changed; please try again later."
DATABASE_FAILURE = "The database was busy or unavailable and the work stopped. Nothing was changed; please try again."
WORKER_LOST = (
    "The work stopped before it finished: the worker running it was stopped or lost. Nothing was changed; "
    "please try again."
)


class JobError(Exception):
    """A failure to tell the job's owner in plain words (the message is shown as is)."""


class TooManyJobs(JobError):
    """The person already has as many jobs queued or running as allowed (the message says so)."""


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# A queued or running job not updated for this long no longer counts against its owner's limit
# (running jobs write their progress at least every few seconds).
STALE_AFTER = timedelta(hours=6)


def max_active_jobs() -> int:
    return int(getattr(settings, "JOB_MAX_ACTIVE_PER_PERSON", 2))


def jobs_active(owner):
    """The owner's jobs that hold a place in the queue: queued or running, and not stale."""
    return Job.objects.filter(owner=owner, status__in=ACTIVE, updated_at__gte=timezone.now() - STALE_AFTER)


def job_room_check(owner, *, exclude=None) -> None:
    """TooManyJobs when `owner` may not have one more job queued or running (`exclude`: a job of
    theirs that is already counted, e.g. the one being sent back to the queue). Call it inside the
    transaction that queues the job: it locks the owner's row, so that two requests at once cannot
    both pass (SQLite's immediate transactions serialise them anyway)."""
    if not getattr(owner, "is_authenticated", False):
        return
    limit = max_active_jobs()
    with transaction.atomic():  # a savepoint inside the caller's transaction; the lock lasts until it ends
        get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True).first()
        active = jobs_active(owner)
        if exclude is not None:
            active = active.exclude(pk=exclude.pk if isinstance(exclude, Job) else exclude)
        count = active.count()
    if count >= limit:
        jobs = "one export or import" if limit == 1 else f"{limit} exports or imports"
        raise TooManyJobs(
            f"You already have {jobs} under way. Wait until one has finished, then try again "
            "(its page shows how far it has got)."
        )


def job_create(
    *,
    kind: str,
    owner,
    params: dict | None = None,
    total: int = 0,
    message: str = "",
    status: str = JobStatus.QUEUED,
    input_file=None,
    input_filename: str = "",
) -> Job:
    """A new job. `input_file` is a Django File/UploadedFile kept on the default storage. A queued
    (or running) job counts against its owner's limit: TooManyJobs when there is no room."""
    job = Job(
        kind=kind,
        owner=owner if getattr(owner, "is_authenticated", False) else None,
        params=params or {},
        total=total,
        message=message,
        status=status,
        input_filename=input_filename[:200],
    )
    with transaction.atomic():
        if status in ACTIVE:
            job_room_check(owner)
        if input_file is not None:
            name = input_filename or getattr(input_file, "name", "upload") or "upload"
            job.input_filename = name[:200]
            job.input_file.save(_safe_name(name), input_file, save=False)
        job.save()
    return job


def job_requeue(job: Job, *, message: str | None = None, params: dict | None = None) -> bool:
    """Send a job that waits for its owner back to the queue (QUEUED), if the owner has room
    (TooManyJobs otherwise). `params` are merged into the job's params. False, and nothing
    changed, when the job was no longer waiting (a second click, another tab)."""
    with transaction.atomic():
        job_room_check(job.owner, exclude=job)
        if not Job.objects.filter(pk=job.pk, status=JobStatus.WAITING).update(
            status=JobStatus.QUEUED, updated_at=timezone.now()
        ):
            return False
        job.refresh_from_db()
        if params:
            job.params.update(params)
        if message is not None:
            job.message = message[:500]
        job.save(update_fields=["params", "message", "updated_at"])
    return True


def job_for(user, pk) -> Job | None:
    """The job if this user may see it (its owner, or an admin); otherwise None."""
    if not getattr(user, "is_authenticated", False):
        return None
    job = Job.objects.filter(pk=pk).first()
    if job is None:
        return None
    if can(user, "job.view", job):
        return job
    return None


def _save(job: Job, *fields: str) -> None:
    """Write only these columns (and updated_at). Call outside the transaction that does the work:
    a write inside it is invisible to the job page until it commits."""
    job.save(update_fields=[*fields, "updated_at"])


def job_start(job: Job, *, total: int | None = None, message: str = "") -> Job:
    job.status = JobStatus.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.finished_at = None
    job.progress = 0
    if total is not None:
        job.total = total
    job.message = message[:500]
    _save(job, "status", "started_at", "finished_at", "progress", "total", "message")
    return job


def job_message(job: Job, message: str) -> None:
    job.message = message[:500]
    _save(job, "message")


class Progress:
    """Counts work done and writes it to the job at most once per `every` seconds (and at the end),
    so that a loop over 100,000 rows makes a handful of writes, not 100,000."""

    def __init__(self, job: Job, *, total: int, every: float = 1.0, message: str | None = None):
        self.job = job
        self.every = every
        self._last: float | None = None
        job.total = total
        job.progress = 0
        fields = ["total", "progress"]
        if message is not None:
            job.message = message[:500]
            fields.append("message")
        _save(job, *fields)

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self._last is not None and now - self._last < self.every:
            return
        self._last = now
        self.job.progress = min(done, self.job.total) if self.job.total else done
        Job.objects.filter(pk=self.job.pk).update(progress=self.job.progress, updated_at=timezone.now())

    def done(self) -> None:
        self.update(self.job.total, force=True)


def job_finish(
    job: Job,
    *,
    message: str,
    report: dict | None = None,
    result: tuple[str, object] | None = None,
    status: str = JobStatus.DONE,
) -> Job:
    """Mark the work done (or, with status=WAITING, paused for its owner). `result` is
    (filename, bytes | str | File) and is stored on the default storage."""
    fields = ["status", "message", "progress", "finished_at"]
    if result is not None:
        filename, content = result
        if isinstance(content, str):
            content = content.encode()
        if isinstance(content, bytes):
            content = ContentFile(content)
        elif not isinstance(content, File):
            content = File(content)
        if job.result_file:
            job.result_file.delete(save=False)
        job.result_file.save(_safe_name(filename), content, save=False)
        job.result_filename = filename[:200]
        fields += ["result_file", "result_filename"]
    if report is not None:
        job.report = report
        fields.append("report")
    job.status = status
    job.message = message[:500]
    if status == JobStatus.DONE:
        job.progress = job.total
        job.finished_at = timezone.now()
    else:
        job.finished_at = None
    _save(job, *fields)
    return job


def job_fail(job: Job, *, message: str = GENERIC_FAILURE, report: dict | None = None) -> Job:
    job.status = JobStatus.FAILED
    job.message = message[:500]
    job.finished_at = timezone.now()
    fields = ["status", "message", "finished_at"]
    if report is not None:
        job.report = report
        fields.append("report")
    _save(job, *fields)
    return job


@contextmanager
def job_running(job_or_id, *, total: int | None = None, message: str = ""):
    """Run the body as the job's work: RUNNING on entry; on an exception the job is FAILED with a
    readable message: a JobError's own words (not raised further: the job has said it), or a
    generic message for anything else, whose traceback is logged and which is raised again (so the
    task runner records the failure too)."""
    job = job_or_id if isinstance(job_or_id, Job) else Job.objects.get(pk=job_or_id)
    job_start(job, total=total, message=message)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    _running_here.add(job.pk)
    try:
        yield job
    except JobError as exc:
        job_fail(job, message=str(exc))
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Job %s (%s) stopped: the database was busy or away (%s)", job.pk, job.kind, exc)
        _fail_quietly(job, DATABASE_FAILURE)
        raise
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail_quietly(job, GENERIC_FAILURE)
        raise
    finally:
        heartbeat.stop()
        _running_here.discard(job.pk)


def _fail_quietly(job: Job, message: str) -> None:
    """Mark the job failed; if the database cannot take even that, log it and let the original error
    go on (the job is then found without a heartbeat by `jobs_fail_stale`)."""
    try:
        job_fail(job, message=message)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Job %s could not be marked failed now (%s); it will be once found stale", job.pk, exc)


# The jobs this process is running now. Process-local by nature (it says which jobs are alive here), so
# that a worker never takes its own job for dead while a long SQLite write holds back its heartbeat.
_running_here: set[int] = set()


def stale_seconds() -> int:
    return int(getattr(settings, "JOB_STALE_SECONDS", 300))


class _Heartbeat:
    """While a job runs, touch its `updated_at` every stale_seconds()/6 from a thread of its own (its
    own connection), so that a job whose process died is told apart from a long one. On SQLite a
    long write holds the lock and a beat may fail: it is skipped (the threshold leaves room for it)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.every = max(1.0, stale_seconds() / 6)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self._stopped.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(updated_at=timezone.now())
                except (OperationalError, InterfaceError) as exc:
                    logger.info("Job %s heartbeat skipped: %s", self.job_id, exc)
        finally:
            connection.close()


def jobs_fail_stale(*, seconds: int | None = None) -> list[int]:
    """Running jobs whose heartbeat stopped more than `seconds` (JOB_STALE_SECONDS) ago: their worker
    died (killed, crashed, the machine restarted). Each is marked failed with a reason, and the task
    that ran it (django-tasks-db) too, so that neither stays "running" for ever. Returns their ids."""
    seconds = stale_seconds() if seconds is None else seconds
    cutoff = timezone.now() - timedelta(seconds=seconds)
    failed = []
    candidates = Job.objects.filter(status=JobStatus.RUNNING, updated_at__lt=cutoff).exclude(pk__in=list(_running_here))
    for job in candidates.only("id", "kind", "updated_at"):
        now = timezone.now()
        with transaction.atomic():  # the job and its task together
            claimed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, updated_at__lt=cutoff).update(
                status=JobStatus.FAILED, message=WORKER_LOST, finished_at=now, updated_at=now
            )
            if claimed:
                _fail_tasks_of([job.pk])
        if claimed:
            logger.warning(
                "Job %s (%s) had no heartbeat since %s (over %s s): its worker died; marked failed",
                job.pk, job.kind, job.updated_at.isoformat(timespec="seconds"), seconds,
            )  # fmt: skip
            failed.append(job.pk)
    return failed


def _fail_tasks_of(job_ids: list[int]) -> None:
    """The django-tasks-db results still "running" whose task was given one of these jobs (a task
    whose first parameter is `job_id`, as every job task's is)."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    wanted = set(job_ids)
    for result in DBTaskResult.objects.running():
        args = (result.args_kwargs or {}).get("args") or []
        kwargs = (result.args_kwargs or {}).get("kwargs") or {}
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id in wanted and _takes_job_id(result):
            result.set_failed(JobError(WORKER_LOST))
            logger.warning("Task %s (%s) marked failed: its worker died", result.pk, result.task_path)


def _takes_job_id(result) -> bool:
    import inspect

    try:
        params = list(inspect.signature(result.task.func).parameters)
    except Exception:  # the task's code is gone or renamed
        return False
    return bool(params) and params[0] == "job_id"


FINISHED = (JobStatus.DONE, JobStatus.FAILED)
PURGE_BATCH = 500


def jobs_to_purge(*, days: int):
    """Finished (done or failed) jobs that finished more than `days` days ago, oldest first. Queued,
    running and waiting jobs are never included."""
    cutoff = timezone.now() - timedelta(days=days)
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return Job.objects.filter(old, status__in=FINISHED).order_by("created_at", "id")


def jobs_purge(*, days: int) -> tuple[int, int]:
    """Delete the jobs `jobs_to_purge` selects and their stored files (a file already gone is not
    an error). Returns (jobs deleted, files deleted). A job that was started again since it was
    selected is kept, with its files."""
    deleted_jobs = deleted_files = 0
    restarted: set[int] = set()
    while True:
        selected = jobs_to_purge(days=days).exclude(pk__in=restarted)
        batch = list(selected.only("id", "input_file", "result_file")[:PURGE_BATCH])
        if not batch:
            return deleted_jobs, deleted_files
        ids = [job.pk for job in batch]
        # The status is checked again in the DELETE itself, so a job restarted meanwhile survives.
        Job.objects.filter(pk__in=ids, status__in=FINISHED).delete()
        kept = set(Job.objects.filter(pk__in=ids).values_list("pk", flat=True))
        restarted |= kept
        for job in batch:
            if job.pk in kept:
                continue
            deleted_jobs += 1
            for field in (job.input_file, job.result_file):
                if field.name and _delete_file(field.storage, field.name):
                    deleted_files += 1


def _delete_file(storage, name: str) -> bool:
    """Delete a job's file and, on a local storage, its now empty random folder. False when the file
    was already gone or could not be deleted (logged)."""
    try:
        existed = storage.exists(name)
        storage.delete(name)
    except Exception:
        logger.warning("Could not delete the job file %s", name, exc_info=True)
        return False
    try:
        os.rmdir(os.path.dirname(storage.path(name)))  # jobs/<random>/ held only this job's file
    except (NotImplementedError, OSError):
        pass  # not a local storage, or the folder still holds something
    return existed


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue a django-tasks task once the current transaction commits (so the worker finds the
    rows it needs); at once when there is no transaction."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def _safe_name(name: str) -> str:
    import re

    base = os.path.basename(name.replace("\\", "/")) or "file"
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-") or "file"
    return base[-100:]
