"""What a reply by e-mail does (handlers of `notifications.inbound`, registered from `apps.py`):

- `conversations.reply`: a reply to a post's mail posts a reply in its thread (as the person the
  mail was sent to: the sender must be them);
- `conversations.group`: a mail to a group's own address starts a thread (sender: a member with a
  verified address; the subject is the title);
- `conversations.private`: a reply to a private message's mail answers in that conversation."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from squaremile.conversations import notifications, services
from squaremile.conversations.models import Conversation, Group, Thread
from squaremile.notifications import inbound

_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|tr)\s*:\s*)+", re.IGNORECASE)


def _text(mail) -> str:
    if not mail.text.strip():
        raise ValidationError("The reply was empty once the quoted text was taken out.")
    return mail.text


def reply(mail):
    thread = mail.obj
    if not isinstance(thread, Thread):
        raise ValidationError("This address is not a conversation's.")
    return services.reply_post(thread=thread, by=mail.user, body=_text(mail), via_email=True)


def new_thread(mail):
    group = mail.obj
    if not isinstance(group, Group):
        raise ValidationError("This address is not a group's.")
    title = _SUBJECT_PREFIX.sub("", mail.subject or "").strip() or "A conversation started by e-mail"
    return services.thread_start(group=group, by=mail.user, title=title, body=_text(mail), via_email=True)


def private(mail):
    conversation = mail.obj
    if not isinstance(conversation, Conversation):
        raise ValidationError("This address is not a conversation's.")
    return services.message_send(conversation=conversation, by=mail.user, body=_text(mail), via_email=True)


def register() -> None:
    inbound.register_handler(notifications.REPLY, reply)
    inbound.register_handler(notifications.GROUP_ADDRESS, new_thread, max_age_days=None, needs_user=False)
    inbound.register_handler(notifications.PRIVATE_REPLY, private)
