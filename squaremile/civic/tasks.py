"""Background work for civic (django-tasks; immediate in tests)."""

from django_tasks import task

from squaremile.civic import delivery


@task()
def send_report(report_id: int) -> str:
    return delivery.send_report(report_id=report_id)
