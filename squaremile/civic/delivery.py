"""Delivering reports to bodies (e-mail through the one e-mail path, or Open311 to their endpoint)
and reading back the status of those sent by Open311. The worker runs these (`tasks.py`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from squaremile.audit import services as audit
from squaremile.civic import notifications as civic_notify
from squaremile.civic.models import Delivery, Report, ReportStatus, ReportUpdate, SendState, UpdateAuthor
from squaremile.civic.open311_client import Open311Error
from squaremile.civic.open311_client import get_request as open311_get
from squaremile.civic.open311_client import post_request as open311_post
from squaremile.core.text import plain_text
from squaremile.notifications.services import followers_of


def interested(report: Report) -> list:
    """Who hears of a change to a report: its reporter and everyone following it (supporters follow)."""
    people = {u.pk: u for u in followers_of(report)}
    if report.owner is not None:
        people[report.owner.pk] = report.owner
    return list(people.values())


def send_report(*, report_id: int) -> str:
    """Deliver a waiting report to its body (the worker calls this): e-mail, or Open311."""
    report = Report.objects.select_related("body", "category", "owner").filter(pk=report_id).first()
    if report is None or report.body is None or report.send_state not in (SendState.WAITING, SendState.FAILED):
        return "skipped"
    if report.moderation == "draft":  # made without an account: sent once its e-mail link is clicked
        return "skipped"
    body = report.body
    now = timezone.now()
    if body.delivery == Delivery.EMAIL:
        if not body.email:
            no_address = "The body has no address."
            Report.objects.filter(pk=report.pk).update(send_state=SendState.FAILED, send_error=no_address)
            return "failed"
        civic_notify.mail_report_to_body(report)
        Report.objects.filter(pk=report.pk).update(send_state=SendState.SENT, sent_at=now, send_error="")
        return "sent"
    if body.delivery == Delivery.OPEN311:
        try:
            external = open311_post(
                body.open311_endpoint, api_key=body.open311_api_key, jurisdiction_id=body.open311_jurisdiction,
                service_code=report.category.service_code, lat=report.lat, lng=report.lng,
                description=f"{report.title}\n\n{plain_text(report.description)}\n\n{civic_notify.report_url(report)}"[:4000],
                address=report.address,
            )  # fmt: skip
        except Open311Error as exc:
            Report.objects.filter(pk=report.pk).update(send_state=SendState.FAILED, send_error=str(exc)[:300])
            return "failed"
        Report.objects.filter(pk=report.pk).update(
            send_state=SendState.SENT, sent_at=now, send_error="", external_id=external[:100]
        )
        return "sent"
    Report.objects.filter(pk=report.pk).update(send_state=SendState.NOT_SENT)
    return "not_sent"


def fetch_open311_updates(*, limit: int = 500) -> int:
    """Read back the status of reports sent by Open311; a closed request closes ours (fixed)."""
    changed = 0
    qs = (
        Report.objects.select_related("body", "owner")
        .filter(is_open=True, send_state=SendState.SENT, body__delivery=Delivery.OPEN311)
        .exclude(external_id="")[:limit]
    )
    for report in qs:
        try:
            found = open311_get(report.body.open311_endpoint, report.external_id,
                                jurisdiction_id=report.body.open311_jurisdiction)  # fmt: skip
        except Open311Error:
            continue
        if found.status == "closed":
            with transaction.atomic():
                old = report.status
                report.status = ReportStatus.FIXED
                report.save(update_fields=["status", "updated_at"])
                ReportUpdate.objects.create(
                    report=report, author_kind=UpdateAuthor.BODY, status_before=old, status_after=report.status,
                    text=found.status_notes or f"{report.body.name} closed this report in their own system.",
                )  # fmt: skip
                audit.record(actor=None, action="report.status_changed", target=report,
                             changes={"status": [old, report.status]}, note="Open311")  # fmt: skip
                civic_notify.tell_report_updated(report, people=interested(report), by=None,
                                                 title=f"“{report.title}” is now fixed")  # fmt: skip
                civic_notify.mail_without_account(report, text=found.status_notes or "")
            changed += 1
    return changed
