"""The background worker (`manage.py worker`, `make worker`): django-tasks-db's worker made to survive.

django-tasks-db's `db_worker` loop stops for good on the first database error it does not expect:
a SQLite write lock held longer than the busy timeout while it claims the next task ("database is
locked"), PostgreSQL restarting, a connection dropped while it records a result. `ResilientWorker`
runs the same loop, and when the database fails it logs the reason, closes its connections, waits
(1 s, doubling up to MAX_BACKOFF) and goes on. A task whose result could not be recorded because of
that error is recorded as failed as soon as the database answers again.

It also looks after jobs (`core.jobs`) left "running" by a worker that died (killed, out of memory,
the machine restarted): at start and then every REAP_EVERY seconds (or half JOB_STALE_SECONDS),
`jobs_fail_stale` marks those whose heartbeat stopped more than JOB_STALE_SECONDS ago as failed,
with a reason for their owner.

And it runs the management commands of `settings.PERIODIC_COMMANDS` when they are due
(`core/periodic.py`: at most once per interval however many workers run; a failure is logged).
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker

from squaremile.core.unavailable import reason

logger = logging.getLogger("squaremile.worker")

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_BACKOFF = 30.0
REAP_EVERY = 60.0
CALM_AFTER = 60.0  # seconds without an error after which the wait starts again from 1 s


class ResilientWorker(Worker):
    def __init__(self, *, reap_every: float | None = None, max_backoff: float = MAX_BACKOFF, **kwargs):
        from squaremile.core.jobs import stale_seconds

        super().__init__(**kwargs)
        # Look for dead workers' jobs at least twice per JOB_STALE_SECONDS, at most once a minute.
        self.reap_every = reap_every if reap_every is not None else min(REAP_EVERY, max(1.0, stale_seconds() / 2))
        self.max_backoff = max_backoff
        self.errors = 0  # database errors survived (for the logs and the tests)
        self._current = None  # the DBTaskResult being run
        self._unrecorded = None  # (DBTaskResult, exception): a failure to record once the database is back
        self._reaper: threading.Thread | None = None
        self._periodic: threading.Thread | None = None

    # --- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        self._start_reaper()
        self._start_periodic()
        try:
            return self._run()
        finally:
            self.running = False  # a batch run that returned stops its reaper too
            for thread in (self._reaper, self._periodic):
                if thread is not None:
                    thread.join(timeout=5)

    def _run(self) -> None:
        backoff = min(1.0, self.max_backoff)
        while True:
            started = time.monotonic()
            try:
                self._record_unrecorded()
                return super().run()
            except DATABASE_ERRORS as exc:
                self.errors += 1
                if time.monotonic() - started > CALM_AFTER:
                    backoff = min(1.0, self.max_backoff)
                if self._current is not None:
                    self._unrecorded, self._current = (self._current, exc), None
                    self.running_task = False
                logger.warning("Worker %s: database error (%s); going on in %g s", self.worker_id, reason(exc), backoff)
                self._close_connections()
                if not self.running or not self._sleep(backoff):
                    return None
                backoff = min(backoff * 2, self.max_backoff)
                self.startup_delay = False

    def run_task(self, db_task_result) -> None:
        self._current = db_task_result
        super().run_task(db_task_result)
        self._current = None

    def _record_unrecorded(self) -> None:
        """The task that was running when the database failed, and whose failure could not be written
        then: written now (raises again, to wait longer, while the database is still away)."""
        if self._unrecorded is None:
            return
        result, exc = self._unrecorded
        close_old_connections()
        result.set_failed(exc)
        logger.warning("Task %s (%s) recorded as failed: %s", result.pk, result.task_path, reason(exc))
        self._unrecorded = None

    def _sleep(self, seconds: float) -> bool:
        """Sleep in small steps so that a shutdown is not kept waiting; False if asked to stop."""
        end = time.monotonic() + seconds
        while self.running and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))
        return self.running

    @staticmethod
    def _close_connections() -> None:
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:  # a connection already broken: forget it
                logger.debug("Closing a broken connection failed", exc_info=True)

    # --- jobs left running by a dead worker ---------------------------------------------------------
    def _start_reaper(self) -> None:
        if self._reaper is not None or not self.reap_every:
            return
        self.reap_stale_jobs()
        self._reaper = threading.Thread(target=self._reap_loop, name="stale-job-reaper", daemon=True)
        self._reaper.start()

    def _reap_loop(self) -> None:
        while self._sleep(self.reap_every):
            try:
                self.reap_stale_jobs()
            except Exception:  # never let the reaper die silently, never take the worker down
                logger.exception("Looking for jobs whose worker died failed")
            finally:
                close_old_connections()

    def reap_stale_jobs(self) -> list[int]:
        from squaremile.core.jobs import jobs_fail_stale

        try:
            failed = jobs_fail_stale()
        except DATABASE_ERRORS as exc:
            logger.warning("Looking for jobs whose worker died failed (%s); trying again later", reason(exc))
            self._close_connections()
            return []
        if failed:
            logger.warning("Marked %d job(s) whose worker died as failed: %s", len(failed), failed)
        return failed

    # --- commands on a schedule (settings.PERIODIC_COMMANDS) ------------------------------------------
    def _start_periodic(self) -> None:
        from squaremile.core.periodic import schedule

        if self._periodic is not None or self.batch or not schedule():
            return
        self._periodic = threading.Thread(target=self._periodic_loop, name="periodic-commands", daemon=True)
        self._periodic.start()

    def _periodic_loop(self) -> None:
        from squaremile.core.periodic import CHECK_EVERY, run_due

        while self.running:
            try:
                run_due(worker=self.worker_id)
            except Exception:  # the database away, a bad entry: logged, tried again next time
                logger.exception("Running the periodic commands failed")
                self._close_connections()
            finally:
                close_old_connections()
            if not self._sleep(CHECK_EVERY):
                return
