"""Background work (django-tasks; immediate in tests): every e-mail, and the digests."""

from django_tasks import task


@task()
def deliver_email(message: dict) -> int:
    from squaremile.notifications.email import deliver

    return deliver(message)


@task()
def send_digests(period: str) -> int:
    from squaremile.notifications.digests import send_digests as run

    return run(period=period)
