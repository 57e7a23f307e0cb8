"""The one way the platform sends e-mail.

``send_email(to=..., subject=..., template=..., context=...)`` renders ``<template>.txt`` and
``<template>.html`` (both extend the shared layout in ``notifications/email/base.*``), puts the site's
name in the subject (``core.mail.subject``), gives the templates ``SITE_NAME``, ``site_url`` and
absolute links (``core.site``), adds a one-click unsubscribe link and the ``List-Unsubscribe`` /
``List-Unsubscribe-Post`` headers when the mail has a kind, and sends it from a background task
queued when the transaction commits. Rules it keeps for every mail:

- a person (``to=user``) is e-mailed only at a verified address (allauth's ``EmailAddress``), and
  not at all for a kind they switched off;
- an address without an account (``to="someone@example.org"``: an invitation, a visitor who left
  their address with a map entry) is e-mailed unless it asked not to be (``Suppression``);
- a file may go with the mail (``attachments=[attachment(...)]``: a PDF of proceedings, say) up to
  ``EMAIL_ATTACHMENTS_MAX_BYTES`` in all (default 5 MB); a caller checks ``attachment_fits`` first and
  gives a link instead of a larger file; the file is stored once however many mails carry it;
- allauth's own mails (verify an address, log-in codes, password reset) are sent at once
  (``send_message(..., immediate=True)``) by the account adapter in ``adapter.py``."""

from __future__ import annotations

import base64
import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from squaremile.core.mail import subject as mail_subject
from squaremile.core.site import absolute_url
from squaremile.notifications import tokens

log = logging.getLogger(__name__)
QUEUE_BATCH = 500  # mail tasks per INSERT
# In a mail rendered once for many people (render_merged), the place of each one's unsubscribe link:
# plain URL characters, so escaping leaves it as it is in both bodies and the header.
UNSUBSCRIBE_SLOT = "https://unsubscribe.invalid/slot-0b1c5e"


def is_verified(user, address: str | None = None) -> bool:
    from allauth.account.models import EmailAddress

    address = address or user.email
    return EmailAddress.objects.filter(user=user, email__iexact=address, verified=True).exists()


def _suppressed(address: str, kind: str | None) -> bool:
    from squaremile.notifications.models import Suppression

    kinds = [tokens.ALL] + ([kind] if kind else [])
    return Suppression.objects.filter(email=address.strip().lower(), kind__in=kinds).exists()


def _switched_off(user, kind: str | None) -> bool:
    if not kind:
        return False
    from squaremile.notifications.models import Delivery, Preference

    chosen = dict(Preference.objects.filter(user=user, kind__in=[kind, tokens.ALL]).values_list("kind", "delivery"))
    return chosen.get(kind, chosen.get(tokens.ALL)) == Delivery.OFF  # a choice for the kind overrides "all"


def unsubscribe_url(*, kind: str, user=None, email: str = "") -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[tokens.make(kind=kind, user=user, email=email)]))


class AttachmentTooLarge(ValueError):
    pass


def attachments_limit() -> int:
    return int(getattr(settings, "EMAIL_ATTACHMENTS_MAX_BYTES", 5 * 1024 * 1024))


def attachment_fits(size: int) -> bool:
    return 0 < size <= attachments_limit()


MAIL_FILES = "mail-files"  # the folder of the default storage that holds files waiting to be mailed


def attachment(*, filename: str, content: bytes, mimetype: str = "application/octet-stream") -> dict:
    """A file to send with a mail. Its bytes are stored once (by their SHA-256, in the default
    storage under ``mail-files/``) and every mail's task names them, so a PDF sent to 500 people is
    one file, not 500 copies in the task queue. ``purge_mail_files`` removes them after
    ``MAIL_FILES_RETENTION_DAYS``."""
    if not attachment_fits(len(content)):
        raise AttachmentTooLarge(f"{filename} is {len(content)} bytes: more than a mail may carry.")
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.").lstrip(".")[:100] or "attachment"
    name = f"{MAIL_FILES}/{hashlib.sha256(content).hexdigest()}"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # another process stored the same bytes at the same moment: keep one
            default_storage.delete(saved)
    return {"filename": safe, "mimetype": mimetype, "stored": name, "size": len(content)}


def _attachment_bytes(item: dict) -> bytes | None:
    """The bytes of one attachment: from the storage, or inline (``content``, base64: mails queued
    before the files were stored). None when the stored file is gone (purged before the mail left)."""
    if "content" in item:
        return base64.b64decode(item["content"])
    try:
        with default_storage.open(item["stored"], "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        log.warning("The file %s for a mail is gone: the mail goes without it.", item.get("stored"))
        return None


def mail_files_purge(*, days: int) -> int:
    """Delete stored mail files older than ``days`` (every mail naming them has long been sent or
    given up). Returns how many were deleted."""
    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(days=days)
    try:
        _, names = default_storage.listdir(MAIL_FILES)
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for name in names:
        path = f"{MAIL_FILES}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted


def render_message(*, to_address: str, subject: str, template: str, context: dict, unsubscribe_link: str = "",
                   headers: dict | None = None, reply_to: str = "") -> dict:  # fmt: skip
    """The mail as a plain dict (what the task receives): subject, both bodies, headers, reply-to."""
    context = {
        "reply_to": reply_to,
        "SITE_NAME": settings.SITE_NAME,
        "site_url": absolute_url("/"),
        "unsubscribe_url": unsubscribe_link,
        **context,
    }
    headers = dict(headers or {})
    if unsubscribe_link:
        headers["List-Unsubscribe"] = f"<{unsubscribe_link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return {
        "to": [to_address],
        "subject": mail_subject(subject),
        "text": render_to_string(f"{template}.txt", context),
        "html": render_to_string(f"{template}.html", context),
        "headers": headers,
        "reply_to": [reply_to] if reply_to else [],
    }


def _attachments_checked(attachments) -> list[dict]:
    items = list(attachments or [])
    if sum(a["size"] if "size" in a else len(a["content"]) * 3 // 4 for a in items) > attachments_limit():
        raise AttachmentTooLarge("The files are more than a mail may carry.")
    return items


def deliver(message: dict) -> int:
    """Send one rendered message now (the task calls this)."""
    mail = EmailMultiAlternatives(
        message["subject"], message["text"], settings.DEFAULT_FROM_EMAIL, message["to"],
        headers=message.get("headers") or None, reply_to=message.get("reply_to") or None,
    )  # fmt: skip
    if message.get("html"):
        mail.attach_alternative(message["html"], "text/html")
    for item in message.get("attachments") or []:
        content = _attachment_bytes(item)
        if content is not None:
            mail.attach(item["filename"], content, item["mimetype"])
    return mail.send()


def send_message(message: dict, *, immediate: bool = False) -> None:
    """Queue a rendered message for the worker once the transaction commits (or send it now)."""
    if immediate:
        deliver(message)
        return
    queue_messages([message])


def _database_queue() -> bool:
    """True when tasks are rows of this database (django-tasks-db): then a mail's task can be written
    inside the transaction that decided to send it, and commits or rolls back with it."""
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover
        return False
    return isinstance(deliver_email.get_backend(), DatabaseBackend)


def queue_messages(messages: list[dict]) -> None:
    """Queue rendered messages, one task each. With the database's task queue and a transaction
    open, the tasks are written in it, many rows per INSERT (the same rows `enqueue` writes): they
    reach the worker when it commits and vanish if it rolls back, and a mail costs no commit of its
    own. Otherwise each is enqueued when the transaction commits (as before; immediate in tests)."""
    if not messages:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and _database_queue():
        from django_tasks_db.compat import normalize_json
        from django_tasks_db.models import DBTaskResult, get_date_max

        backend = deliver_email.get_backend()
        run_after = deliver_email.run_after or get_date_max()
        rows = [
            DBTaskResult(
                args_kwargs=normalize_json({"args": [], "kwargs": {"message": message}}),
                priority=deliver_email.priority,
                task_path=deliver_email.module_path,
                queue_name=deliver_email.queue_name,
                run_after=run_after,
                backend_name=backend.alias,
            )  # fmt: skip
            for message in messages
        ]
        DBTaskResult.objects.bulk_create(rows, batch_size=QUEUE_BATCH)
        return
    for message in messages:
        transaction.on_commit(lambda message=message: deliver_email.enqueue(message=message))


@task()
def deliver_email(message: dict) -> int:
    """The worker's side of every e-mail: send one rendered message."""
    return deliver(message)


def mailable(users, *, kind: str | None, prefs=None) -> list:
    """The people among ``users`` that ``send_email`` would e-mail for ``kind``, checked for all of
    them at once (two queries): active, with a verified address, and not switched off for the kind.
    ``prefs``: their (user id, kind, delivery) choices for ``kind`` and "*" when already read."""
    from allauth.account.models import EmailAddress

    from squaremile.notifications.models import Delivery, Preference

    people = [u for u in users if u.is_active and (u.email or "").strip()]
    if not people:
        return []
    ids = [u.pk for u in people]
    verified = {
        (uid, (email or "").strip().lower())
        for uid, email in EmailAddress.objects.filter(user_id__in=ids, verified=True).values_list("user_id", "email")
    }
    people = [u for u in people if (u.pk, u.email.strip().lower()) in verified]
    if kind and people:
        chosen: dict[int, dict] = {}
        if prefs is None:
            prefs = Preference.objects.filter(
                user_id__in=[u.pk for u in people], kind__in=[kind, tokens.ALL]
            ).values_list("user_id", "kind", "delivery")
        for uid, k, delivery in prefs:
            chosen.setdefault(uid, {})[k] = delivery
        people = [
            u for u in people
            if chosen.get(u.pk, {}).get(kind, chosen.get(u.pk, {}).get(tokens.ALL)) != Delivery.OFF
        ]  # fmt: skip
    return people


def render_merged(*, subject: str, template: str, context: dict, unsubscribe: str | None) -> dict:
    """One mail rendered once for many people (a digest whose content many share): what differs per
    person (the address, the unsubscribe link) is filled in by ``personalise``. Its templates get
    ``recipient`` as True only (they must not name the person)."""
    context = {"recipient": True, "preferences_url": absolute_url(reverse("notifications:preferences")), **context}
    return render_message(
        to_address="", subject=subject, template=template, context=context,
        unsubscribe_link=UNSUBSCRIBE_SLOT if unsubscribe else "",
    )  # fmt: skip


def personalise(merged: dict, *, user, unsubscribe: str | None) -> dict:
    """``merged`` (from ``render_merged``) addressed to ``user``, with their own unsubscribe link.
    Check them first with ``mailable``."""
    link = unsubscribe_url(kind=unsubscribe, user=user, email=user.email) if unsubscribe else ""
    message = dict(merged)
    message["to"] = [user.email.strip()]
    if link:
        message["text"] = merged["text"].replace(UNSUBSCRIBE_SLOT, link)
        message["html"] = merged["html"].replace(UNSUBSCRIBE_SLOT, link)
        message["headers"] = {k: v.replace(UNSUBSCRIBE_SLOT, link) for k, v in merged["headers"].items()}
    return message


def send_email(*, to, subject: str, template: str, context: dict, unsubscribe: str | None = None,
               immediate: bool = False, reply_to: str = "", headers: dict | None = None,
               checked: bool = False, attachments: list[dict] | None = None) -> bool:  # fmt: skip
    """E-mail one person (a User) or one address (a str). ``subject``: fixed words (the site's name
    is put before them). ``unsubscribe``: the notification kind the mail belongs to (gives the
    one-click link), or None for a mail that must reach its reader. ``reply_to``: where an answer
    goes (``notifications.inbound.reply_address``: replying posts the answer); the templates get it
    as ``reply_to`` and the shared layout then shows the "reply above this line" marker.
    ``headers``: extra headers (``In-Reply-To``/``References`` for threading). ``attachments``: files
    made by ``attachment()`` (AttachmentTooLarge over the limit, before anything is queued). Returns False
    when the rules above say not to send it. ``checked``: the person was checked already, with others,
    by ``mailable`` (``notify`` does so for all its recipients at once)."""
    attachments = _attachments_checked(attachments)
    user = None if isinstance(to, str) else to
    address = (to if user is None else user.email or "").strip()
    if not address:
        return False
    if user is not None:
        if checked:
            pass
        elif not user.is_active or not is_verified(user, address):
            log.info("Mail %s not sent: the address is not verified.", template)
            return False
        elif _switched_off(user, unsubscribe):
            return False
    elif _suppressed(address, unsubscribe):
        log.info("Mail %s not sent: the address asked not to be e-mailed.", template)
        return False
    link = unsubscribe_url(kind=unsubscribe, user=user, email=address) if unsubscribe else ""
    context = {"recipient": user, "preferences_url": absolute_url(reverse("notifications:preferences")), **context}
    message = render_message(
        to_address=address, subject=subject, template=template, context=context, unsubscribe_link=link,
        reply_to=reply_to, headers=headers,
    )  # fmt: skip
    if attachments:
        message["attachments"] = attachments
    send_message(message, immediate=immediate)
    return True
