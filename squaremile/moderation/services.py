"""Writes for moderation: taking an action (one or several records), reporting a record, hiding
it after enough different people reported it, and telling the reporters what was decided."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from squaremile.core.permissions import can, owner_of, refusal, require
from squaremile.moderation import registry
from squaremile.moderation.execution import run
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
