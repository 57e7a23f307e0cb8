"""Writes for the community map: submitting, editing and moderating entries.

Every function is keyword-only, atomic and permission-checked; each writes an audit event
(`squaremile.audit.services.record`: who, when, what changed as field -> [old, new], and why)
and keeps the map's precomputed cluster cells in step through `clusters.snapshot` /
`clusters.apply`. Emails go out through tasks once the transaction has committed (nothing is sent
for a change that was rolled back). Photo files that a create or an edit stored are deleted again
when it fails (the rows are rolled back).

The moderation state machine: the shared actions of `squaremile.moderation`, described for entries
in `mapping/entries/moderation.py`, plus the map's own merge (`TRANSITIONS` below):

    pending   --publish--> published     pending|published|hidden --reject (reason)--> rejected
    rejected  --publish--> published     pending|published|rejected|hidden --archive--> archived
    published --hide (or N reports)--> hidden      hidden --restore--> published
    archived  --restore--> published (if it had been published before) or pending
    any but merged --merge into another entry--> merged (final)
    verify: pending or published entries; unverify: any verified entry but a merged one.

Who is trusted (their entries skip the queue in a category with `auto_publish_trusted`): an
organiser or higher, or a member who already has at least one published entry.

Owners may edit their own entries at any time except once archived or merged. When an owner who
is not a moderator edits a published entry, it goes back to the queue unless the category
publishes that person's entries at once; editing a rejected entry resubmits it (pending).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from squaremile.attachments import services as attachments
from squaremile.audit import services as audit
from squaremile.core.permissions import can, require
from squaremile.mapping.entries import notifications as map_notifications
from squaremile.mapping.entries import tasks
from squaremile.mapping.entries.moderation import TRACKED
from squaremile.mapping.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    Entry,
    EntryAction,
    EntryStatus,
)
from squaremile.moderation import registry
from squaremile.moderation import services as moderation
from squaremile.places.selectors import area_for_point
from squaremile.questions.answers import parse_answers

S = EntryStatus
logger = logging.getLogger(__name__)

# The map's own action (the others are the shared moderation actions in mapping/entries/moderation.py):
# action -> (statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset, str | None]] = {
    "merge": (frozenset({S.PENDING, S.PUBLISHED, S.REJECTED, S.ARCHIVED, S.HIDDEN}), S.MERGED),
}
BULK_ACTIONS = ("publish", "reject", "verify", "unverify", "archive", "hide", "restore", "merge")
ACTION_WORDS = {
    "publish": "publish",
    "reject": "reject",
    "archive": "archive",
    "hide": "hide",
    "restore": "restore",
    "verify": "mark as verified",
    "unverify": "remove the verified mark from",
    "merge": "merge",
}

EDITABLE = (
    "title", "description", "category", "lat", "lng", "organisation", "project",
    "start_date", "end_date", "announced_on", "takes_effect_on", "submitter_name", "submitter_email",
)  # fmt: skip


# ---- clusters (cells/clusters.py keeps the precomputed map cells) ------------------------------
def _snapshot(entry):
    from squaremile.mapping.cells import clusters

    return clusters.snapshot(entry)


def _apply(before, entry):
    from squaremile.mapping.cells import clusters

    clusters.apply(before, clusters.snapshot(entry) if entry is not None else None)


# ---- who is who ---------------------------------------------------------------------------
def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_moderator(user) -> bool:
    return can(user, "entry.moderate")


def is_trusted(user) -> bool:
    """Organisers and above, and members with at least one published entry."""
    if not _is_user(user) or not user.is_active:
        return False
    if can(user, "entry.publish_trusted"):
        return True
    return Entry.objects.filter(owner=user, status=S.PUBLISHED).exists()


def anonymous_allowed() -> bool:
    return bool(getattr(settings, "MAP_ANONYMOUS_SUBMISSIONS", False))


# ---- values for the history ---------------------------------------------------------------
_shown = audit.shown


def _values(entry: Entry) -> dict:
    return audit.snapshot(entry, TRACKED)


def _diff(before: dict, after: dict) -> dict:
    return audit.diff(before, after)


def _event(entry: Entry, by, action: str, *, changes: dict | None = None, note: str = ""):
    """One line of the entry's history in the audit log ("entry.<action>")."""
    return audit.record(actor=by, action=f"entry.{action}", target=entry, changes=changes, note=note)


# ---- extra questions ----------------------------------------------------------------------
def clean_answers(category: Category, raw: dict | None) -> dict:
    """The answers to a category's extra questions, checked and stored as `questions.answers`
    parses them. `raw` is keyed by str(question.pk); values may be typed (from a form) or text/JSON
    (from the API). Errors are raised per question as "answers.<pk>"."""
    questions = list(category.questions.all())
    labels = {str(q.pk): q.label for q in questions}
    clean, problems = parse_answers(questions, raw)
    if problems:
        raise ValidationError({
            f"answers.{key}": [f"{labels[key]}: {m}" if key in labels else f"“{category.name}” has no question {key}."
                               for m in messages]
            for key, messages in problems.items()
        })  # fmt: skip
    return clean


# ---- checks shared by create and update ---------------------------------------------------
def _check(entry: Entry, *, category_changed: bool = True) -> None:
    """The model's checks plus the ones a person can act on, each on its field. A category closed
    to new entries is refused, unless the entry is already in it."""
    errors: dict = {}
    entry.title = (entry.title or "").strip()
    if not entry.title:
        errors["title"] = ["Give the entry a title."]
    elif len(entry.title) > TITLE_MAX:
        errors["title"] = [f"At most {TITLE_MAX} characters."]
    if len(entry.description or "") > DESCRIPTION_MAX:
        errors["description"] = [f"At most {DESCRIPTION_MAX} characters."]
    if entry.lat is None or not -90 <= entry.lat <= 90:
        errors["lat"] = ["Give a latitude between -90 and 90 (tap the map or pick an area)."]
    if entry.lng is None or not -180 <= entry.lng <= 180:
        errors["lng"] = ["Give a longitude between -180 and 180."]
    if entry.start_date and entry.end_date and entry.end_date < entry.start_date:
        errors["end_date"] = ["The end date must be on or after the start date."]
    if entry.announced_on and entry.takes_effect_on and entry.takes_effect_on < entry.announced_on:
        errors["takes_effect_on"] = ["It cannot take effect before it was announced."]
    if (
        category_changed
        and entry.category_id
        and not Category.objects.filter(pk=entry.category_id, is_active=True).exists()
    ):
        errors["category"] = ["This category is not open for new entries."]
    try:
        entry.full_clean(exclude=["answers", "area", "owner", "merged_into", "cx20", "cy20"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _add_photos(entry: Entry, photos: Sequence, *, by, alt: Sequence[str] | str = "") -> int:
    """Store photos (uploads, or ones the form already checked) through the attachments service:
    re-encoded without metadata, with thumbnails. The calling service has checked `by`."""
    if not photos:
        return 0
    try:
        added = attachments.attach_all(owner=entry, files=list(photos), alts=alt, user=by, checked_by_caller=True)
    except ValidationError as exc:
        raise ValidationError({"photos": exc.messages}) from None
    for record in added:
        # The history says a photo was added, never its stored file name.
        _event(entry, by, EntryAction.PHOTO_ADDED, changes={"photos": [record.position, record.position + 1]})
    return len(added)


# ---- create, update, delete ----------------------------------------------------------------
@attachments.removes_stored_files_on_failure
@transaction.atomic
def entry_create(
    *,
    by,
    title: str,
    category: Category,
    lat: float,
    lng: float,
    description: str = "",
    organisation=None,
    project=None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    announced_on: dt.date | None = None,
    takes_effect_on: dt.date | None = None,
    answers: dict | None = None,
    photos: Sequence = (),
    photo_alt: Sequence[str] | str = "",
    submitter_name: str = "",
    submitter_email: str = "",
) -> Entry:
    """Submit an entry. Anonymous (`by` None or not signed in) only where the operator allows it,
    and then with an email address. Pending, unless the category publishes trusted people's
    entries at once and `by` is trusted."""
    if _is_user(by):
        require(by, "entry.add")
        submitter_name, submitter_email = "", ""
    else:
        if not anonymous_allowed():
            raise PermissionDenied("Log in to add to the map.")
        by = None
        submitter_name, submitter_email = (submitter_name or "").strip(), (submitter_email or "").strip()
        if not submitter_email:
            raise ValidationError({"submitter_email": ["Give your email address so the moderators can reach you."]})
    entry = Entry(
        title=title, description=description or "", category=category, lat=lat, lng=lng,
        organisation=organisation, project=project, start_date=start_date, end_date=end_date,
        announced_on=announced_on, takes_effect_on=takes_effect_on, owner=by,
        submitter_name=submitter_name, submitter_email=submitter_email,
    )  # fmt: skip
    errors: dict = {}
    try:
        _check(entry)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if category is not None and getattr(category, "pk", None):
        try:
            entry.answers = clean_answers(category, answers)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    entry.area = area_for_point(lat=entry.lat, lng=entry.lng)
    at_once = bool(category.auto_publish_trusted and is_trusted(by))
    if at_once:
        entry.status, entry.published_at = S.PUBLISHED, timezone.now()
    before = None
    entry.save()
    _event(
        entry, by, EntryAction.CREATED,
        changes={k: [None, v] for k, v in _values(entry).items() if v not in (None, "", {}, False)},
        note="Published at once: a trusted submitter in a category that allows it." if at_once else "",
    )  # fmt: skip
    _add_photos(entry, photos, by=by, alt=photo_alt)
    _apply(before, entry)
    if entry.status == S.PENDING:
        _after_commit(tasks.notify_new_entry, entry.pk)
    else:
        map_notifications.entry_published(entry=entry, by=by)  # published at once: tell its followers
    return entry


def may_edit(entry: Entry, user) -> bool:
    """Moderators edit anything but a merged entry; owners their own, unless archived or merged."""
    if entry.status == S.MERGED:
        return False
    if is_moderator(user):
        return True
    return can(user, "entry.change", entry) and entry.status != S.ARCHIVED


@attachments.removes_stored_files_on_failure
@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    by,
    data: dict,
    answers: dict | None = None,
    add_photos: Sequence = (),
    photo_alt: Sequence[str] | str = "",
    remove_photos: Iterable[int] = (),
    describe_photos: dict[int, str] | None = None,
    note: str = "",
) -> Entry:
    """Change an entry's fields (only those in `data`), its answers (when given) and photos (added,
    removed, or their descriptions changed: `describe_photos` is photo id -> text)."""
    require(by, "entry.change", entry)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if not may_edit(entry, by):
        raise PermissionDenied("This entry can no longer be edited.")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before_values = _values(entry)
    before = _snapshot(entry)
    for name, value in data.items():
        setattr(
            entry, name, "" if value is None and name in ("description", "submitter_name", "submitter_email") else value
        )
    errors: dict = {}
    category_changed = "category" in data and before_values["category"] != _shown(entry.category)
    try:
        _check(entry, category_changed=category_changed)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if answers is not None or category_changed:
        source = answers if answers is not None else dict(entry.answers)
        if answers is None:  # the category changed: keep only answers to the new category's questions
            keys = {str(pk) for pk in entry.category.questions.values_list("pk", flat=True)}
            source = {k: v for k, v in source.items() if k in keys}
        try:
            entry.answers = clean_answers(entry.category, source)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if "lat" in data or "lng" in data:
        entry.area = area_for_point(lat=entry.lat, lng=entry.lng)
    requeued = False
    trusted_here = entry.category.auto_publish_trusted and is_trusted(by)
    if not is_moderator(by) and (entry.status == S.REJECTED or (entry.status == S.PUBLISHED and not trusted_here)):
        requeued = True
        entry.status = S.PENDING
    entry.save()
    changes = _diff(before_values, _values(entry))
    removed = 0
    removing = list(remove_photos)
    if removing or describe_photos:  # the photos it has: the attachments app's edit-page changes
        done = attachments.update_existing(owner=entry, remove=removing, describe=describe_photos, user=by)
        for _photo in done["removed"]:
            removed += 1
            _event(entry, by, EntryAction.PHOTO_REMOVED)
        for name, (old, text) in done["described"].items():
            changes[f"{name} description"] = [old, text]
    added = _add_photos(entry, add_photos, by=by, alt=photo_alt)
    if changes or not (added or removed):
        why = note or ("Changed by its submitter: back in the moderation queue." if requeued else "")
        _event(entry, by, EntryAction.EDITED, changes=changes, note=why)
    _apply(before, entry)
    if requeued:
        _after_commit(tasks.notify_new_entry, entry.pk)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry, by) -> None:
    """Delete an entry and its photos (owners their own, moderators any). The photos' rows go with the
    entry (its GenericRelation), their files once this has committed. Its history stays in the audit
    log, under the entry's title, with a last line saying who deleted it."""
    require(by, "entry.delete", entry)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    before = _snapshot(entry)
    Entry.objects.filter(merged_into=entry).update(merged_into=None)
    _event(entry, by, EntryAction.DELETED)
    moderation.forget_reports(target=entry)
    entry.delete()
    from squaremile.mapping.cells import clusters

    clusters.apply(before, None)


@transaction.atomic
def entry_admin_save(*, entry: Entry, by, is_new: bool) -> Entry:
    """An administrator's direct save in the admin site: the area, the map's cells and the
    history are kept as by every other change."""
    require(by, "category.change")  # the admin site is for administrators
    before_obj = None if is_new else Entry.objects.select_for_update().filter(pk=entry.pk).first()
    before = _snapshot(before_obj) if before_obj else None
    before_values = _values(before_obj) if before_obj else {}
    entry.area = area_for_point(lat=entry.lat, lng=entry.lng)
    if entry.status == S.PUBLISHED and entry.published_at is None:
        entry.published_at = timezone.now()
    entry.save()
    if before_obj is None:
        _event(entry, by, EntryAction.CREATED, note="Added in the admin.")
    else:
        changes = _diff(before_values, _values(entry))
        if changes:
            _event(entry, by, EntryAction.EDITED, changes=changes, note="Changed in the admin.")
    _apply(before, entry)
    return entry


# ---- moderation ----------------------------------------------------------------------------
# Publish, reject, archive, hide, restore, verify and unverify are the shared moderation actions
# (`squaremile.moderation`), described for entries in `mapping/entries/moderation.py`; merge is the map's own.
def _entry_action(name: str):
    return registry.get("entry").actions[name]


def transition_error(entry: Entry, action: str, *, into: Entry | None = None) -> str | None:
    """Why `action` cannot be applied to `entry` now, or None when it can."""
    if action != "merge":
        return _entry_action(action).problem(entry)
    allowed, _ = TRANSITIONS[action]
    label = f"“{entry.title}” (#{entry.pk})"
    if entry.status not in allowed:
        return f"Cannot {ACTION_WORDS[action]} {label}: it is {entry.get_status_display().lower()}."
    if into is None:
        return "Choose the entry to merge it into."
    if into.pk == entry.pk:
        return "An entry cannot be merged into itself."
    if into.status == S.MERGED:
        return f"“{into.title}” (#{into.pk}) was itself merged into another entry: merge into that one."
    return None


def _moderate(entry: Entry, by, action: str, *, into: Entry | None = None) -> tuple[Entry, dict, object]:
    require(by, "entry.moderate", entry)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    problem = transition_error(entry, action, into=into)
    if problem:
        raise ValidationError({"status": [problem]})
    return entry, _values(entry), _snapshot(entry)


def _finish(entry: Entry, by, action: str, before_values: dict, before, *, note: str = "") -> Entry:
    entry.save()
    _event(entry, by, action, changes=_diff(before_values, _values(entry)), note=note)
    _apply(before, entry)
    return entry


def _take(action: str, *, entry: Entry, by, note: str = "") -> Entry:
    return moderation.run(action=_entry_action(action), user=by, obj=entry, note=note)


def entry_publish(*, entry: Entry, by, note: str = "") -> Entry:
    return _take("publish", entry=entry, by=by, note=note)


def entry_reject(*, entry: Entry, by, reason: str) -> Entry:
    """Reject with a reason, which the submitter is emailed."""
    return _take("reject", entry=entry, by=by, note=reason)


def entry_verify(*, entry: Entry, by, note: str = "") -> Entry:
    return _take("verify", entry=entry, by=by, note=note)


def entry_unverify(*, entry: Entry, by, note: str = "") -> Entry:
    return _take("unverify", entry=entry, by=by, note=note)


def entry_archive(*, entry: Entry, by, note: str = "") -> Entry:
    return _take("archive", entry=entry, by=by, note=note)


def entry_hide(*, entry: Entry, by, note: str = "") -> Entry:
    return _take("hide", entry=entry, by=by, note=note)


def entry_restore(*, entry: Entry, by, note: str = "") -> Entry:
    """Back from the archive: published again if it had been published, else to the queue; hidden
    after reports: published again (the reports are closed as nothing wrong)."""
    return _take("restore", entry=entry, by=by, note=note)


@transaction.atomic
def entry_merge(*, entry: Entry, into: Entry, by, note: str = "") -> Entry:
    """`entry` is a duplicate of `into`: it is marked merged (and leaves the map); its photos move
    to `into` (as many as fit), links and dates `into` lacks are copied over, entries merged into
    it before now point at `into`, and both histories say so."""
    into = Entry.objects.select_for_update().get(pk=into.pk)
    entry, values, before = _moderate(entry, by, "merge", into=into)
    into_values, into_before = _values(into), _snapshot(into)
    for name in ("organisation", "project", "start_date", "end_date", "announced_on", "takes_effect_on"):
        if getattr(into, name) is None and getattr(entry, name) is not None:
            setattr(into, name, getattr(entry, name))
    start = into.attachments.count()
    moved = attachments.move(source=entry, target=into, user=by)
    Entry.objects.filter(merged_into=entry).update(merged_into=into)
    into.save()
    into_changes = _diff(into_values, _values(into))
    if moved:
        into_changes["photos"] = [start, start + moved]
    _event(
        into, by, EntryAction.MERGED, changes=into_changes,
        note=f"Took in “{entry.title}” (#{entry.pk}) as a duplicate." + (f" {note}" if note else ""),
    )  # fmt: skip
    _apply(into_before, into)
    entry.status, entry.merged_into = S.MERGED, into
    return _finish(
        entry, by, EntryAction.MERGED, values, before,
        note=f"Merged into “{into.title}” (#{into.pk})." + (f" {note}" if note else ""),
    )  # fmt: skip


SINGLE = {
    "publish": entry_publish,
    "hide": entry_hide,
    "verify": entry_verify,
    "unverify": entry_unverify,
    "archive": entry_archive,
    "restore": entry_restore,
}


@transaction.atomic
def entries_bulk(*, action: str, entries: Sequence[Entry], by, reason: str = "", into: Entry | None = None) -> int:
    """Apply one moderation action to several entries (merge: all into `into`): all of them, or
    (with every reason it cannot be done listed) none."""
    require(by, "entry.moderate")
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": [f"Unknown action “{action}”."]})
    entries = list(entries)
    if not entries:
        raise ValidationError({"entries": ["Tick at least one entry."]})
    if action == "reject" and not (reason or "").strip():
        raise ValidationError({"reason": ["Say why, for the people who submitted them."]})
    if action == "merge":
        if into is None:
            raise ValidationError({"into": ["Give the entry to merge them into."]})
        into = Entry.objects.select_for_update().get(pk=into.pk)
        if into.pk in {e.pk for e in entries}:
            raise ValidationError({"into": ["Untick the entry you merge the others into."]})
    locked = {e.pk: e for e in Entry.objects.select_for_update().filter(pk__in=[e.pk for e in entries])}
    problems = [transition_error(locked[e.pk], action, into=into) for e in entries if e.pk in locked]
    problems = [p for p in problems if p]
    if len(locked) != len({e.pk for e in entries}):
        problems.append("Some of the entries no longer exist.")
    if problems:
        raise ValidationError({"entries": problems})
    for entry in locked.values():
        if action == "reject":
            entry_reject(entry=entry, by=by, reason=reason)
        elif action == "merge":
            entry_merge(entry=entry, into=into, by=by, note=(reason or "").strip())
        else:
            SINGLE[action](entry=entry, by=by, note=(reason or "").strip())
    return len(locked)


# ---- notifications once committed ----------------------------------------------------------
def _after_commit(task, entry_id: int) -> None:
    tasks.after_commit(task, entry_id)
