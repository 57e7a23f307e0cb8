"""Writes of the method library: methods and their steps, proposed edits, collections and "we used
this" reports. Keyword-only, atomic, permission-checked; audited; the search index kept in step.

`usage_report_create(*, by, method, ...)` is called by the events app when a session names a
method: its name and arguments stay stable.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from squaremile.attachments import services as attachment_services
from squaremile.audit import services as audit
from squaremile.core import records, search
from squaremile.core.permissions import require
from squaremile.core.text import plain_text
from squaremile.methods.models import (
    Collection,
    CollectionItem,
    Method,
    MethodRevision,
    MethodStep,
    UsageReport,
    purposes_text,
)
from squaremile.moderation import services as moderation
from squaremile.moderation.models import ModerationState as S

SEARCH_KIND = "method"
# The method's own fields an edit may change (and the history compares).
FIELDS = (
    "name", "summary", "description", "purposes", "min_people", "max_people", "minutes", "setting",
    "difficulty", "materials", "facilitator_skills", "tips", "variations", "origin", "licence", "links",
)  # fmt: skip
TRACKED = (*FIELDS, "status", "steps")
MAX_STEPS = 30


def _unique_slug(name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:120] or "method"
    slug, n = base, 2
    while Method.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def steps_text(method: Method) -> str:
    """The steps as one readable text (for the history's diff and the search index)."""
    return "\n".join(f"{s.title} ({s.minutes} min): {s.text}" for s in method.steps.all())


def _clean_steps(steps) -> list[dict]:
    cleaned = []
    for step in steps or ():
        title = (step.get("title") or "").strip()
        if not title:
            continue
        minutes = int(step.get("minutes") or 0)
        if minutes < 0 or minutes > 24 * 60:
            raise ValidationError({"steps": "A step takes between 0 and 1440 minutes."})
        cleaned.append({"title": title[:160], "minutes": minutes, "text": (step.get("text") or "").strip()})
    if len(cleaned) > MAX_STEPS:
        raise ValidationError({"steps": f"At most {MAX_STEPS} steps."})
    return cleaned


def _apply(method: Method, data: dict) -> None:
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "purposes":
            value = purposes_text(value if isinstance(value, list | tuple | set) else str(value).split(","))
        setattr(method, name, value)
    if method.max_people < method.min_people:
        raise ValidationError({"max_people": "The largest group must be at least the smallest."})
    method.full_clean(exclude=["slug", "status", "owner", "purposes"])


def _write_steps(method: Method, steps: list[dict]) -> None:
    method.steps.all().delete()
    MethodStep.objects.bulk_create([MethodStep(method=method, position=i, **step) for i, step in enumerate(steps)])


def _snapshot(method: Method) -> dict:
    values = audit.snapshot(method, (*FIELDS, "status"))
    values["steps"] = steps_text(method)
    return values


def reindex(method: Method) -> None:
    if method.status == S.PUBLISHED:
        body = " ".join([method.summary, plain_text(method.description), steps_text(method), method.materials])
        search.index_document(
            kind=SEARCH_KIND, object_id=method.pk, title=method.name, body=body, url=method.get_absolute_url()
        )
    else:
        search.remove_document(kind=SEARCH_KIND, object_id=method.pk)


@transaction.atomic
def method_create(*, by, data: dict, steps: list | None = None, publish: bool = False) -> Method:
    """A new method from anyone signed in: pending until a moderator publishes it (a moderator's
    own, or an import, may be published at once with `publish=True`)."""
    require(by, "method.add")
    if publish:
        require(by, "method.moderate")
    method = Method(owner=by if getattr(by, "pk", None) else None)
    _apply(method, data)
    method.slug = _unique_slug(method.name)
    method.status = S.PUBLISHED if publish else S.PENDING
    method.published_at = timezone.now() if publish else None
    method.save()
    _write_steps(method, _clean_steps(steps))
    audit.record(actor=by, action="method.created", target=method, changes=audit.diff({}, _snapshot(method)))
    reindex(method)
    return method


@transaction.atomic
def method_update(*, by, method: Method, data: dict, steps: list | None = None, note: str = "") -> Method:
    """A moderator's direct edit (everyone else proposes one: `revision_propose`)."""
    require(by, "method.change", method)
    method = Method.objects.select_for_update().get(pk=method.pk)
    before = _snapshot(method)
    _apply(method, data)
    method.save()
    if steps is not None:
        _write_steps(method, _clean_steps(steps))
    changes = audit.diff(before, _snapshot(method))
    if changes:
        audit.record(actor=by, action="method.changed", target=method, changes=changes, note=note)
    reindex(method)
    return method


def method_data(method: Method) -> dict:
    """The editable content of a method (what a revision holds)."""
    data = {name: getattr(method, name) for name in FIELDS}
    data["purposes"] = method.purpose_list
    data["steps"] = [{"title": s.title, "minutes": s.minutes, "text": s.text} for s in method.steps.all()]
    return data


@transaction.atomic
def revision_propose(*, by, method: Method, data: dict, steps: list, note: str = "") -> MethodRevision:
    """Anyone signed in proposes an edit: it waits for a moderator (the moderation queue)."""
    require(by, "methodrevision.add", method)
    probe = Method(**{k: getattr(method, k) for k in FIELDS})
    _apply(probe, data)  # refuse now what could not be applied later
    content = {name: data.get(name, getattr(method, name)) for name in FIELDS}
    content["purposes"] = list(data.get("purposes", method.purpose_list))
    content["steps"] = _clean_steps(steps)
    revision = MethodRevision.objects.create(method=method, data=content, note=note[:300], owner=by)
    audit.record(actor=by, action="method.edit_proposed", target=method, note=note)
    return revision


def revision_apply(*, revision: MethodRevision, by) -> None:
    """Called by the moderation's publish action (inside its transaction): the edit becomes the method."""
    method = Method.objects.select_for_update().get(pk=revision.method_id)
    before = _snapshot(method)
    _apply(method, revision.data)
    method.save()
    _write_steps(method, _clean_steps(revision.data.get("steps")))
    changes = audit.diff(before, _snapshot(method))
    who = revision.owner.get_username() if revision.owner_id else "someone"
    audit.record(
        actor=by,
        action="method.changed",
        target=method,
        changes=changes,
        note=f"Edit proposed by {who}: {revision.note}",
    )
    revision.decided_at = timezone.now()
    transaction.on_commit(lambda: reindex(Method.objects.get(pk=method.pk)))


def method_publish(*, by, method: Method, note: str = "") -> Method:
    return moderation.take(kind="method", action="publish", user=by, obj=method, note=note)


def revision_accept(*, by, revision: MethodRevision, note: str = "") -> MethodRevision:
    return moderation.take(kind="methodrevision", action="publish", user=by, obj=revision, note=note)


# --- collections -----------------------------------------------------------------------------------


@transaction.atomic
def collection_save(
    *, by, title: str, description: str = "", methods: list[Method], collection: Collection | None = None
) -> Collection:
    if collection is None:
        require(by, "collection.add")
        collection = Collection(owner=by, slug=_unique_collection_slug(title))
        action = "collection.created"
    else:
        require(by, "collection.change", collection)
        action = "collection.changed"
    collection.title, collection.description = title, description
    collection.full_clean(exclude=["owner"])
    collection.save()
    collection.items.all().delete()
    CollectionItem.objects.bulk_create(
        [CollectionItem(collection=collection, method=m, position=i) for i, m in enumerate(dict.fromkeys(methods))]
    )
    audit.record(actor=by, action=action, target=collection, note=", ".join(m.name for m in methods)[:500])
    return collection


def _unique_collection_slug(title: str) -> str:
    base = slugify(title)[:120] or "collection"
    slug, n = base, 2
    while Collection.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- "we used this" --------------------------------------------------------------------------------


@attachment_services.removes_stored_files_on_failure
@transaction.atomic
def usage_report_create(
    *,
    by,
    method: Method,
    used_on: datetime.date,
    people: int,
    place: str = "",
    worked: str = "",
    did_not_work: str = "",
    event=None,
    story=None,
    photos=(),
    photo_alts=(),
) -> UsageReport:
    """Record that a group used a method ("we used this"). `event` / `story` are records (or
    references like "events.event:3") it links to. Counted on the method at once."""
    require(by, "usagereport.add")
    if method.status != S.PUBLISHED:
        raise ValidationError("Only a published method can be reported on.")
    if people < 1 or people > 100_000:
        raise ValidationError({"people": "Say how many people took part (1 or more)."})
    if used_on > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationError({"used_on": "That date is still to come: report after you used it."})
    report = UsageReport.objects.create(
        method=method,
        owner=by,
        used_on=used_on,
        people=people,
        place=place[:160],
        worked=worked,
        did_not_work=did_not_work,
        event_ref=_ref(event),
        story_ref=_ref(story),
    )
    Method.objects.filter(pk=method.pk).update(use_count=F("use_count") + 1)
    if photos:
        attachment_services.attach_all(owner=report, files=photos, alts=list(photo_alts), user=by)
    audit.record(actor=by, action="method.used", target=method, note=f"{people} people, {used_on:%d %B %Y}")
    return report


def _ref(value) -> str:
    if not value:
        return ""
    return value if isinstance(value, str) else records.ref_of(value)


@transaction.atomic
def usage_report_delete(*, by, report: UsageReport) -> None:
    require(by, "usagereport.delete", report)
    Method.objects.filter(pk=report.method_id, use_count__gt=0).update(use_count=F("use_count") - 1)
    audit.record(actor=by, action="method.report_deleted", target=report.method, note=str(report))
    report.delete()
