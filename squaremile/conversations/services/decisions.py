"""Decisions in a thread: a proposal (agree / abstain / disagree / block, each with a reason) or a
choice among options, with a closing date; results shown live or once closed, as the facilitator
chooses."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from squaremile.audit.services import record as audit_record
from squaremile.conversations.models import Decision, DecisionKind, Position, Thread, Vote
from squaremile.core.permissions import can, require
from squaremile.core.text import nonblank_lines

MAX_OPTIONS = 12


@transaction.atomic
def decision_open(*, thread: Thread, by, kind: str, question: str, closes_at: dt.datetime, options=None,
                  live_results: bool = False) -> Decision:  # fmt: skip
    require(by, "group.facilitate", thread.group)
    if thread.is_closed:
        raise ValidationError("This conversation is closed.")
    if Decision.objects.filter(thread=thread).exists():
        raise ValidationError("This conversation already has a decision.")
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": ["Choose a proposal or a choice."]})
    question = " ".join((question or "").split())[:300]
    if not question:
        raise ValidationError({"question": ["Say what is being decided."]})
    if closes_at is None or closes_at <= timezone.now():
        raise ValidationError({"closes_at": ["Choose a closing date in the future."]})
    if isinstance(options, str):
        options = nonblank_lines(options)
    options = [o[:200] for o in (options or [])]
    if kind == DecisionKind.CHOICE:
        options = list(dict.fromkeys(options))
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ValidationError({"options": [f"Give between 2 and {MAX_OPTIONS} options, one per line."]})
    else:
        options = []
    decision = Decision.objects.create(
        thread=thread, kind=kind, question=question, options=options, closes_at=closes_at,
        live_results=bool(live_results), created_by=by,
    )  # fmt: skip
    audit_record(actor=by, action="decision.opened", target=thread, note=question)
    return decision


def is_open(decision: Decision) -> bool:
    return decision.closed_at is None and decision.closes_at > timezone.now()


@transaction.atomic
def vote_cast(*, decision: Decision, by, choice: str, reason: str = "") -> Vote:
    thread = decision.thread
    if not can(by, "group.post", thread.group):
        raise PermissionDenied("Join the group to take part.")
    if not is_open(decision) or thread.is_closed:
        raise ValidationError("This decision is closed.")
    allowed = decision.options if decision.kind == DecisionKind.CHOICE else Position.values
    if choice not in allowed:
        raise ValidationError({"choice": ["Choose one of the answers."]})
    reason = (reason or "").strip()[:500]
    if decision.kind == DecisionKind.PROPOSAL and choice in (Position.BLOCK, Position.DISAGREE) and not reason:
        raise ValidationError({"reason": ["Say why: the others need to know what would change your mind."]})
    vote, _ = Vote.objects.update_or_create(decision=decision, user=by, defaults={"choice": choice, "reason": reason})
    return vote


@transaction.atomic
def decision_close(*, decision: Decision, by) -> Decision:
    require(by, "group.facilitate", decision.thread.group)
    if decision.closed_at is None:
        decision.closed_at = timezone.now()
        decision.save(update_fields=["closed_at"])
        audit_record(actor=by, action="decision.closed", target=decision.thread)
    return decision
