"""Writes for attachments: attach (checked by content, re-encoded, thumbnail stored beside), detach,
move to another owner, describe. Keyword-only, atomic, permission-checked with the action the
owner's model registered (`registry.register`).

Files and rows: a file is written before its row. When the change that wrote it fails (the
transaction rolls back), `removes_stored_files_on_failure` deletes the files it wrote; wrap the
outermost service that attaches (outside its `transaction.atomic`). Deleted rows lose their files
once the deletion has committed (signals.py). Anything left behind by a crash is found by
`manage.py sweep_media`.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Sequence
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from squaremile.attachments.models import Attachment
from squaremile.attachments.registry import options_for
from squaremile.attachments.uploads import Prepared, prepare_all
from squaremile.core.permissions import require

logger = logging.getLogger(__name__)
ALT_MAX = 300

# The files stored so far by the service call in progress (storage, name), or None outside one.
_stored_files: ContextVar[list | None] = ContextVar("stored_attachment_files", default=None)


def removes_stored_files_on_failure(func):
    """Wrap a service whose transaction stores attachment files: when it fails (the transaction
    rolls back and the rows are gone), delete the files it stored, then let the error go on. Put it
    outside `transaction.atomic`, so that the files go after the rollback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = _stored_files.get()
        stored: list = []
        token = _stored_files.set(stored)
        try:
            result = func(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                try:
                    storage.delete(name)
                except Exception:  # never hide the error that undid the change
                    logger.warning("Could not delete the file %s after a failed change", name, exc_info=True)
            raise
        finally:
            _stored_files.reset(token)
        if outer is not None:  # called from another such service: its failure undoes these files too
            outer.extend(stored)
        return result

    return wrapper


def _delete_partial(storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except Exception:  # never hide the error that stopped the write
        logger.warning("Could not delete the partly written file %s", name, exc_info=True)


def _save(storage, name: str, content: bytes) -> str:
    try:
        saved = storage.save(name, ContentFile(content))
    except OSError:  # e.g. the disk is full: remove what was written of this file too
        _delete_partial(storage, name)
        raise
    stored = _stored_files.get()
    if stored is not None:
        stored.append((storage, saved))
    return saved


def _folder(owner) -> str:
    meta = owner._meta
    return f"attachments/{meta.app_label}/{meta.model_name}/{owner.pk}"


def _check_owner(owner, user, checked_by_caller: bool):
    options = options_for(owner)
    if not checked_by_caller:
        require(user, options.action, owner)
    if owner.pk is None:
        raise ValueError("Save the owner record before attaching files to it.")
    return options


def _alts(alts: Sequence[str] | str, count: int) -> list[str]:
    """One description per file: given one each, or one for them all."""
    if isinstance(alts, str):
        alts = [alts]
    alts = [str(a or "").strip()[:ALT_MAX] for a in alts]
    if len(alts) == count:
        return alts
    shared = next((a for a in alts if a), "")
    return [shared] * count


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


@removes_stored_files_on_failure
@transaction.atomic
def attach_all(
    *, owner, files: Sequence, alts: Sequence[str] | str = (), user, checked_by_caller: bool = False
) -> list[Attachment]:
    """Attach several uploads (or `Prepared` ones) to `owner`, after the last existing one. Every
    upload's size and header, and the pixels of all of them together, are checked before any is
    decoded. `checked_by_caller`: the calling service has already decided that this person may add
    to `owner` (e.g. an anonymous visitor's new map entry, where the operator allows those)."""
    options = _check_owner(owner, user, checked_by_caller)
    if not files:
        return []
    ct = ContentType.objects.get_for_model(owner)
    existing = Attachment.objects.filter(content_type=ct, object_id=owner.pk)
    count = existing.count()
    limit = options.limit()
    if count + len(files) > limit:
        raise ValidationError(f"At most {limit} {options.noun} on one {owner._meta.verbose_name} ({count} already).")
    prepared = prepare_all(list(files), kinds=options.kinds)
    descriptions = _alts(alts, len(prepared))
    last = existing.order_by("-position").values_list("position", flat=True).first()
    start = 0 if last is None else last + 1
    return [
        _store(owner, ct, item, alt=alt, user=user, position=start + i)
        for i, (item, alt) in enumerate(zip(prepared, descriptions, strict=True))
    ]


@removes_stored_files_on_failure
@transaction.atomic
def attach(
    *, owner, file, alt: str = "", user, position: int | None = None, checked_by_caller: bool = False
) -> Attachment:
    """Attach one upload (or a `Prepared` one) to `owner`: checked by content, an image re-encoded
    without metadata and with a thumbnail; at `position` or after the last one."""
    (attachment,) = attach_all(owner=owner, files=[file], alts=[alt], user=user, checked_by_caller=checked_by_caller)
    if position is not None and attachment.position != position:
        attachment.position = position
        attachment.save(update_fields=["position"])
    return attachment


def _store(owner, ct, item: Prepared, *, alt: str, user, position: int) -> Attachment:
    record = Attachment(
        content_type=ct, object_id=owner.pk, kind=item.kind, original_name=item.original_name, mime=item.mime,
        size=item.size, width=item.width, height=item.height, alt=alt, position=position, uploaded_by=_user(user),
    )  # fmt: skip
    storage = record.file.storage
    stem = f"{_folder(owner)}/{uuid.uuid4().hex}"
    record.file.name = _save(storage, f"{stem}.{item.extension}", item.content)
    if item.thumbnail:
        record.thumbnail.name = _save(record.thumbnail.storage, f"{stem}-thumb.{item.extension}", item.thumbnail)
    record.save()
    return record


@transaction.atomic
def detach(*, attachment: Attachment, user, owner=None, checked_by_caller: bool = False) -> None:
    """Remove an attachment; its files go once this has committed. `owner` saves a query when the
    caller has it at hand."""
    owner = owner if owner is not None else attachment.owner
    if owner is not None:
        _check_owner(owner, user, checked_by_caller)
    elif not checked_by_caller:
        raise ValidationError("This attachment no longer belongs to anything.")
    attachment.delete()


@transaction.atomic
def describe(*, attachment: Attachment, alt: str, user, owner=None) -> Attachment:
    """Change what an attachment's description (alt text) says."""
    owner = owner if owner is not None else attachment.owner
    _check_owner(owner, user, False)
    attachment.alt = str(alt or "").strip()[:ALT_MAX]
    attachment.save(update_fields=["alt"])
    return attachment


@transaction.atomic
def update_existing(*, owner, remove=(), describe=None, user) -> dict:
    """An edit page's changes to the attachments `owner` already has: remove those whose ids are in
    `remove`, and give the others the descriptions in `describe` ({id: text}; unchanged ones are
    left alone). Ids that are not `owner`'s are ignored. Returns what changed, for the owner's
    history: {"removed": [descriptions or "photo N"], "described": {"photo N": [old, new]}}."""
    _check_owner(owner, user, False)
    ct = ContentType.objects.get_for_model(owner)
    mine = list(Attachment.objects.filter(content_type=ct, object_id=owner.pk).order_by("position", "id"))
    removing = {int(pk) for pk in remove}
    changes: dict = {"removed": [], "described": {}}
    for i, a in enumerate(mine):
        name = f"{'photo' if a.is_image else 'file'} {i + 1}"
        if a.pk in removing:
            changes["removed"].append(a.alt or name)
            a.delete()  # its files go once this commits (signals.py)
            continue
        if describe and a.pk in describe:
            text = str(describe[a.pk] or "").strip()[:ALT_MAX]
            if text != a.alt:
                changes["described"][name] = [a.alt, text]
                a.alt = text
                a.save(update_fields=["alt"])
    return changes


@transaction.atomic
def move(*, source, target, user, limit: int | None = None) -> int:
    """Move `source`'s attachments to `target` (after its own), as many as fit there; the rest stay
    with `source`. The files do not move. How many moved."""
    options = _check_owner(target, user, False)
    _check_owner(source, user, False)
    ct_source, ct_target = ContentType.objects.get_for_model(source), ContentType.objects.get_for_model(target)
    there = Attachment.objects.filter(content_type=ct_target, object_id=target.pk)
    room = max(0, (options.limit() if limit is None else limit) - there.count())
    last = there.order_by("-position").values_list("position", flat=True).first()
    start = 0 if last is None else last + 1
    moving = list(
        Attachment.objects.filter(content_type=ct_source, object_id=source.pk)
        .order_by("position", "id")
        .values_list("pk", flat=True)[:room]
    )
    for i, pk in enumerate(moving):
        Attachment.objects.filter(pk=pk).update(content_type=ct_target, object_id=target.pk, position=start + i)
    return len(moving)


def detach_all(owner) -> int:
    """Remove every attachment of `owner` (for owners without a GenericRelation, before deleting them).
    The caller has checked that the owner may be deleted."""
    ct = ContentType.objects.get_for_model(owner)
    return Attachment.objects.filter(content_type=ct, object_id=owner.pk).delete()[0]


def detach_all_of_model(model) -> int:
    """Remove the attachments of every record of `model` (when all of them are being deleted, e.g.
    the demo's reset); their files go once this has committed."""
    ct = ContentType.objects.get_for_model(model)
    return Attachment.objects.filter(content_type=ct).delete()[0]


__all__ = [
    "attach", "attach_all", "describe", "detach", "detach_all", "detach_all_of_model", "move",
    "removes_stored_files_on_failure",
]  # fmt: skip
