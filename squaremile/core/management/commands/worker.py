"""Run background tasks (emails, imports, exports, network analysis) from the database queue:

    python manage.py worker            # what `make worker` runs; same options as db_worker

django-tasks-db's `db_worker`, made to survive: a database error (SQLite locked, PostgreSQL
restarting) is logged and waited out instead of ending the process, and jobs left "running" by a
worker that died are marked failed with a reason (squaremile/core/worker.py)."""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from squaremile.core.worker import ResilientWorker


class Command(DbWorkerCommand):
    help = "Run the background worker: tasks from the database queue; survives database errors."

    def handle(
        self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks, worker_id,
        exclude_queues, **options,
    ):  # fmt: skip
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=excluded,
        )  # fmt: skip
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
