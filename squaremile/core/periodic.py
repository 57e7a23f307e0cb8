"""Management commands the background worker runs on a schedule (`settings.PERIODIC_COMMANDS`).

Each entry is a command line and an interval in seconds, e.g. `("poll_feeds", 300)` or
`("send_digests --period daily", 86400)`. `run_due()` runs those that are due: each has a row in
`PeriodicRun`, and a worker takes a run by moving the row's `due_at` one interval on with a
conditional UPDATE (`WHERE due_at <= now`), so when two workers look at once only one of them runs
it, and nobody runs it again before the interval is over. A failing command is logged and recorded
(`ok=False`, its message); it never stops the worker, and it is tried again at its next interval.

The worker (`core/worker.py`) calls `run_due()` from its own thread every CHECK_EVERY seconds.
Cron still works for deployments without a worker (docs/operators.md); set PERIODIC_COMMANDS=""
in the environment to leave the schedule to cron.
"""

from __future__ import annotations

import io
import logging
import shlex
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from squaremile.core.models import PeriodicRun

logger = logging.getLogger("squaremile.worker")

CHECK_EVERY = 30.0  # seconds between two looks at the schedule


@dataclass(frozen=True)
class Periodic:
    line: str  # the command line, e.g. "send_digests --period daily"
    every: timedelta

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.line)


def schedule() -> list[Periodic]:
    """The configured commands (a bad entry is logged and left out, never fatal)."""
    out = []
    for entry in getattr(settings, "PERIODIC_COMMANDS", ()):
        try:
            line, seconds = entry
            line = " ".join(shlex.split(str(line)))
            seconds = float(seconds)
            if not line or seconds <= 0:
                raise ValueError("empty command or interval")
        except (TypeError, ValueError) as exc:
            logger.error("PERIODIC_COMMANDS: %r left out (%s)", entry, exc)
            continue
        out.append(Periodic(line=line, every=timedelta(seconds=seconds)))
    return out


def _claim(job: Periodic, *, now: datetime, worker: str) -> bool:
    """Take this interval's run of `job` for `worker`: True for exactly one worker per interval."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(key=job.line, defaults={"due_at": now})
    except IntegrityError:  # another worker made the row at the same moment: it exists now
        pass
    taken = PeriodicRun.objects.filter(key=job.line, due_at__lte=now).update(
        due_at=now + job.every, started_at=now, finished_at=None, worker=worker[:100], ok=None, message=""
    )
    return taken == 1


def run_due(*, now: datetime | None = None, worker: str = "worker") -> list[tuple[str, bool]]:
    """Run every configured command that is due; returns (command line, succeeded) for those run."""
    now = now or timezone.now()
    ran = []
    for job in schedule():
        if not _claim(job, now=now, worker=worker):
            continue
        ok, message = True, ""
        logger.info("Worker %s: running %s", worker, job.line)
        try:
            call_command(*job.argv, stdout=io.StringIO(), stderr=io.StringIO())
        except (Exception, SystemExit) as exc:  # a failing command never takes the worker down
            ok, message = False, f"{type(exc).__name__}: {exc}"[:500]
            logger.exception("Worker %s: %s failed", worker, job.line)
        PeriodicRun.objects.filter(key=job.line, started_at=now, worker=worker[:100]).update(
            finished_at=timezone.now(), ok=ok, message=message
        )
        ran.append((job.line, ok))
    return ran
