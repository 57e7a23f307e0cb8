"""Writes for moderation: taking an action (one or several records), reporting a record, hiding
it after enough different people reported it, and telling the reporters what was decided."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from squaremile.audit import services as audit
from squaremile.core.permissions import can, owner_of, refusal, require
from squaremile.moderation import registry
from squaremile.moderation.models import ModerationState, Report, ReportOutcome, ReportReason

logger = logging.getLogger(__name__)
TEXT_MAX = 1000


def hide_after_reports() -> int:
    """How many different people must report a record before it is hidden (setting, default 3)."""
    return max(1, int(getattr(settings, "MODERATION_HIDE_AFTER_REPORTS", 3)))


def _action(config, name: str):
    action = config.actions.get(name)
    if action is None:
        raise ValidationError({"action": [f"“{name}” is not something a moderator can do to a {config.label}."]})
    return action


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


def take(*, kind: str, action: str, user, obj, note: str = ""):
    """Take the action named `action` on `obj` (a record of the registered `kind`)."""
    config = registry.get(kind)
    if config is None:
        raise ValidationError({"kind": [f"Unknown kind “{kind}”."]})
    return run(action=_action(config, action), user=user, obj=obj, note=note)


@transaction.atomic
def bulk(*, action: str, items: Sequence, user, note: str = "") -> int:
    """Take one action on several records (of any registered kinds): all of them, or (with every
    reason it cannot be done listed) none."""
    items = list(items)
    if not items:
        raise ValidationError({"items": ["Tick at least one item."]})
    problems = []
    plan = []
    for obj in items:
        config = registry.for_object(obj)
        act = config.actions.get(action)
        if act is None or not act.in_bulk:
            problems.append(f"“{obj}”: a {config.label} cannot be given this action here.")
            continue
        why = act.check(user, obj)
        if why:
            problems.append(why)
        plan.append((act, obj))
    if problems:
        raise ValidationError({"items": problems})
    for act, _obj in plan:
        act.clean_note(note)
    for act, obj in plan:
        run(action=act, user=user, obj=obj, note=note)
    return len(plan)


# ---- reports ------------------------------------------------------------------------------------
@transaction.atomic
def report(*, user, target, reason: str, text: str = "") -> Report:
    """`user` reports `target` (once while the report is open). When enough different people have
    reported a published record, it is hidden until a moderator decides."""
    require(user, "moderation.report")
    config = registry.for_object(target)
    if owner_of(target) == user.pk:
        raise ValidationError({"reason": ["This is yours: change it or delete it instead of reporting it."]})
    if reason not in ReportReason.values:
        raise ValidationError({"reason": ["Choose what is wrong with it."]})
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [f"At most {TEXT_MAX} characters."]})
    if reason == ReportReason.OTHER and not text:
        raise ValidationError({"text": ["Say in a few words what is wrong."]})
    target = config.lock(target)
    if config.state_of(target) not in (ModerationState.PUBLISHED, ModerationState.HIDDEN):
        raise ValidationError({"reason": ["This is not shown to everyone, so there is nothing to report."]})
    ct = ContentType.objects.get_for_model(target)
    open_reports = Report.objects.filter(content_type=ct, object_id=target.pk, outcome=ReportOutcome.OPEN)
    if open_reports.filter(reporter=user).exists():
        raise ValidationError({"reason": ["You have already reported this. The moderators will look at it."]})
    try:
        with transaction.atomic():
            made = Report.objects.create(content_type=ct, object_id=target.pk, reporter=user, reason=reason, text=text)
    except IntegrityError:  # the same person, twice at the same moment
        raise ValidationError({"reason": ["You have already reported this. The moderators will look at it."]}) from None
    reporters = open_reports.values("reporter").distinct().count()
    if config.state_of(target) == ModerationState.PUBLISHED and reporters >= hide_after_reports():
        hide = config.actions.get("hide")
        if hide is not None:
            run(
                action=hide, user=None, obj=target, system=True,
                note=f"Hidden after {reporters} people reported it; waiting for a moderator.",
            )  # fmt: skip
    return made


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
    """Tell each reporter what was decided, in their notifications.

    Goes through `squaremile.notifications.services.notify(kind="moderation.report_decided", ...)`
    once that app exists; until then, a short plain e-mail once the transaction has committed."""
    people = [r.reporter for r in reports if r.reporter.is_active]
    if not people:
        return
    title = "What happened to your report"
    body = outcome_words(outcome, config.label)
    url = config.preview(target).url if outcome == ReportOutcome.KEPT else ""
    try:
        from squaremile.notifications.services import notify
    except ImportError:
        notify = None
    if notify is not None:
        notify(kind="moderation.report_decided", recipients=people, target=target, title=title, body=body, url=url)
        return
    _mail_reporters(people, title, body, url)


def _mail_reporters(people, title: str, body: str, url: str) -> None:
    from django.core.mail import send_mail

    from squaremile.core.mail import subject
    from squaremile.core.site import absolute_url

    addresses = [p.email for p in people if p.email]
    link = f"\n\n{absolute_url(url)}" if url else ""
    message = f"Hello,\n\n{body}{link}\n"

    def send():
        for address in addresses:
            try:
                send_mail(subject(title), message, None, [address])
            except Exception:  # one bad address must not stop the others
                logger.warning("Could not tell a reporter the outcome", exc_info=True)

    transaction.on_commit(send)


def forget_reports(*, target) -> int:
    """Delete the reports on a record that is being deleted (call it from the deleting service)."""
    ct = ContentType.objects.get_for_model(target)
    return Report.objects.filter(content_type=ct, object_id=target.pk).delete()[0]


def may_report(user, target) -> bool:
    """Signed-in people may report a published record, except their own."""
    if not can(user, "moderation.report") or owner_of(target) == user.pk:
        return False
    try:
        config = registry.for_object(target)
    except LookupError:
        return False
    return config.state_of(target) == ModerationState.PUBLISHED


def refusal_to_report(user) -> str:
    return refusal(user, "moderation.report")
