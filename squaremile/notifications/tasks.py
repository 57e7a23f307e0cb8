"""Background work (django-tasks; immediate in tests): every e-mail (`deliver_email`, kept beside
the e-mail path in email.py) and the digests."""

from django_tasks import task

from squaremile.notifications.digests import send_digests as _send_digests
from squaremile.notifications.email import deliver_email

__all__ = ["deliver_email", "send_digests"]


@task()
def send_digests(period: str) -> int:
    return _send_digests(period=period)
