"""Taking one moderation action on one record: the permission, the state change, the audit log,
the records' own hooks, and closing the reports on it with word to the reporters. Below the
registry and the action classes (both reach it), so that nothing here imports them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from squaremile.audit import services as audit
from squaremile.core.permissions import require
from squaremile.moderation.models import Report, ReportOutcome
from squaremile.notifications.services import notify


@transaction.atomic
def run(*, action, user, obj, note: str = "", system: bool = False):
    """Take `action` (an `actions.Action`) on `obj` as `user`. `system` (hiding after reports) skips
    the permission: nobody chose it, the rule did. Returns the saved record."""
    config = action.config
    if not system:
        require(user, config.permission, obj)
    obj = config.lock(obj)
    problem = action.problem(obj)
    if problem:
        raise ValidationError({"status": [problem]})
    note = action.clean_note(note)
    old_state = config.state_of(obj)
    values = audit.snapshot(obj, config.tracked)
    before = config.before_change(obj)
    action.apply(obj, user=user, note=note)
    obj.save()
    audit.record(
        actor=None if system else user, action=f"{config.kind}.{action.verb}", target=obj,
        changes=audit.diff(values, audit.snapshot(obj, config.tracked)), note=note,
    )  # fmt: skip
    config.after_change(obj, before)
    if action.report_outcome and not system:
        _decide_reports(obj, outcome=action.report_outcome, by=user, config=config)
    action.after(obj, user=user, note=note, old_state=old_state)
    return obj


def _decide_reports(obj, *, outcome: str, by, config) -> None:
    ct = ContentType.objects.get_for_model(obj)
    reports = list(
        Report.objects.filter(content_type=ct, object_id=obj.pk, outcome=ReportOutcome.OPEN).select_related("reporter")
    )
    if not reports:
        return
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        outcome=outcome, resolved_at=timezone.now(), resolved_by=by
    )
    tell_reporters(reports=reports, target=obj, outcome=outcome, config=config)


def outcome_words(outcome: str, label: str) -> str:
    if outcome == ReportOutcome.KEPT:
        return f"A moderator looked at the {label} you reported and found nothing wrong with it, so it stays up."
    return f"A moderator looked at the {label} you reported and has taken it down. Thank you for telling us."


def tell_reporters(*, reports, target, outcome: str, config) -> None:
    """Tell each reporter what was decided, through their notifications (kind
    "moderation.report_decided": the bell, and e-mail as each person chose)."""
    people = [r.reporter for r in reports if r.reporter.is_active]
    if not people:
        return
    title = "What happened to your report"
    body = outcome_words(outcome, config.label)
    url = config.preview(target).url if outcome == ReportOutcome.KEPT else ""
    notify(kind="moderation.report_decided", recipients=people, target=target, title=title, body=body, url=url)
