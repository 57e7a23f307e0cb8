"""Private conversations between two or a few people, and blocking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from squaremile.audit.services import record as audit_record
from squaremile.conversations import notifications, selectors
from squaremile.conversations.models import Block, Conversation, Message, Participant
from squaremile.core import ratelimit
from squaremile.core.permissions import signed_in
from squaremile.core.records import parse_ref, ref_of

MAX_PEOPLE = 8
BODY_MAX = 20000


def _check_sender(by):
    if not signed_in(by):
        raise PermissionDenied("Please log in first.")


def _people_key(ids) -> str:
    return ",".join(str(i) for i in sorted(set(ids)))


def _about_ref(about) -> str:
    if about is None or about == "":
        return ""
    if isinstance(about, str):
        if parse_ref(about) is None:
            raise ValidationError({"about": ["This is not a record of this site."]})
        return about.strip().lower()
    return ref_of(about)


@transaction.atomic
def private_conversation_start(*, by, with_users: list, subject: str = "", about=None, first_message: str = "",
                               via_email: bool = False) -> Conversation:  # fmt: skip
    """Open (or reuse: the same people about the same record) a private conversation between `by`
    and `with_users`; `about` is any record (kept as a `core.records` reference). Refused when
    either side blocked the other."""
    _check_sender(by)
    others = [u for u in with_users if u is not None and u.pk != by.pk]
    if not others:
        raise ValidationError({"with": ["Choose someone to write to."]})
    if len({u.pk for u in others}) + 1 > MAX_PEOPLE:
        raise ValidationError({"with": [f"A private conversation is for at most {MAX_PEOPLE} people."]})
    for person in others:
        if not person.is_active:
            raise ValidationError({"with": ["This account is closed."]})
        if selectors.is_blocked(by, person):
            raise PermissionDenied("You cannot write to this person.")
    about_ref = _about_ref(about)
    key = _people_key([by.pk, *[u.pk for u in others]])
    conversation = Conversation.objects.filter(people_key=key, about=about_ref).order_by("id").first()
    if conversation is None:
        ratelimit.hit("private-conversation", user=str(by.pk))
        conversation = Conversation.objects.create(
            subject=(subject or "").strip()[:200], about=about_ref, people_key=key, created_by=by
        )
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user=u) for u in [by, *others]], ignore_conflicts=True
        )
        audit_record(actor=by, action="conversation.started", target=conversation)
    if (first_message or "").strip():
        message_send(conversation=conversation, by=by, body=first_message, via_email=via_email)
    return conversation


@transaction.atomic
def message_send(*, conversation: Conversation, by, body: str, via_email: bool = False) -> Message:
    _check_sender(by)
    if not selectors.is_participant(by, conversation):
        raise PermissionDenied("You are not in this conversation.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": [f"At most {BODY_MAX} characters."]})
    others = [p.user for p in conversation.participants.select_related("user").exclude(user=by)]
    if any(selectors.is_blocked(by, person) for person in others):
        raise PermissionDenied("You cannot write in this conversation any more.")
    ratelimit.hit("private-message", user=str(by.pk))
    message = Message.objects.create(conversation=conversation, author=by, body=body, via_email=via_email)
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    Participant.objects.filter(conversation=conversation, user=by).update(last_read_at=now)
    notifications.private_message(
        conversation=conversation, message=message, by=by,
        recipients=[p for p in others if p.is_active and not selectors.has_blocked(p, by)],
    )  # fmt: skip
    return message


def private_read(*, conversation: Conversation, by) -> None:
    Participant.objects.filter(conversation=conversation, user=by).update(last_read_at=timezone.now())


@transaction.atomic
def block(*, by, person) -> Block:
    """`by` blocks `person`: no private message either way from now on."""
    _check_sender(by)
    if person.pk == by.pk:
        raise ValidationError("You cannot block yourself.")
    found, created = Block.objects.get_or_create(blocker=by, blocked=person)
    if created:
        audit_record(actor=by, action="person.blocked", target=found)
    return found


@transaction.atomic
def unblock(*, by, person) -> bool:
    _check_sender(by)
    return bool(Block.objects.filter(blocker=by, blocked=person).delete()[0])
