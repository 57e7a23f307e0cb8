"""Background work for the map's moderation (django-tasks; immediate in tests)."""

from django.db import transaction
from django_tasks import task

from squaremile.mapping.entries import notifications


@task()
def notify_new_entry(entry_id: int) -> int:
    return notifications.notify_new_entry(entry_id)


@task()
def notify_rejected(entry_id: int) -> int:
    return notifications.notify_rejected(entry_id)


@task()
def notify_published(entry_id: int) -> int:
    return notifications.notify_published(entry_id)


def after_commit(task, entry_id: int) -> None:
    """Queue `task` for the entry once the transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(lambda: task.enqueue(entry_id=entry_id))
