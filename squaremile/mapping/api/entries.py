"""Write API of the community map: create, change and delete entries (token auth), and the
moderation actions (moderators).

POST /map/entries and PATCH/DELETE /map/entries/{entry_id} share their paths with the read API's
GET operations (api/map.py). Django routes a path to the first URL pattern that matches it, and
ninja makes one pattern per router and path, so these operations are registered on the read
router's paths (same path strings: one pattern, every method); the moderation actions, on paths
of their own, live on this module's router."""

import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import ValidationError as PydanticError

from squaremile.core.api import ErrorOut, Text, TokenAuth
from squaremile.directory.models import Organisation, Project
from squaremile.mapping.api.map import router as read_router
from squaremile.mapping.entries import services
from squaremile.mapping.models import Category, Entry

router = Router(tags=["map"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
AnswerValue = str | int | float | bool | list[str] | None
# what comes in is cleaned (core.api.Text); read by questions.answers.parse_answer (a list: "any of")
AnswerIn = Text | int | float | bool | list[Text] | None


# ---- output -------------------------------------------------------------------------------
class EntryWriteOut(Schema):
    id: int
    title: str
    description: str
    category: str = Field(alias="category.slug")
    status: str
    verified: bool
    lat: float
    lng: float
    area: str | None = Field(None, alias="area.slug")
    organisation: str | None = Field(None, alias="organisation.slug")
    project: str | None = Field(None, alias="project.slug")
    start_date: date | None
    end_date: date | None
    announced_on: date | None
    takes_effect_on: date | None
    answers: dict[str, AnswerValue]
    rejection_reason: str
    merged_into: int | None = Field(None, alias="merged_into_id")
    photos: int
    created_at: datetime
    updated_at: datetime
    url: str = Field(alias="get_absolute_url")

    @staticmethod
    def resolve_photos(obj):
        return len(obj.attachments.all())


# ---- input --------------------------------------------------------------------------------
class EntryIn(Schema):
    title: Text = Field(..., min_length=1, max_length=services.TITLE_MAX)
    category: Text = Field(..., max_length=110, description="category slug")
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    description: Text = Field("", max_length=services.DESCRIPTION_MAX, description="markdown")
    organisation: Text | None = Field(None, max_length=220, description="organisation slug")
    project: Text | None = Field(None, max_length=220, description="project slug")
    start_date: date | None = None
    end_date: date | None = None
    announced_on: date | None = Field(None, description="for a threat or cut")
    takes_effect_on: date | None = Field(None, description="for a threat or cut")
    answers: dict[Text, AnswerIn] = Field(
        default_factory=dict, description="answers to the category's extra questions, keyed by question id"
    )


class EntryPatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=services.TITLE_MAX)
    category: Text | None = Field(None, max_length=110)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    description: Text | None = Field(None, max_length=services.DESCRIPTION_MAX)
    organisation: Text | None = Field(None, max_length=220, description="slug; empty string to unlink")
    project: Text | None = Field(None, max_length=220, description="slug; empty string to unlink")
    start_date: date | None = None
    end_date: date | None = None
    announced_on: date | None = None
    takes_effect_on: date | None = None
    answers: dict[Text, AnswerIn] | None = None


class NoteIn(Schema):
    note: Text = Field("", max_length=2000)


class RejectIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=2000, description="sent to the submitter")


class MergeIn(Schema):
    into: int = Field(..., ge=1, lt=2**63, description="id of the entry to keep")
    note: Text = Field("", max_length=2000)


# ---- helpers ------------------------------------------------------------------------------
def _resolve(data: dict) -> dict:
    """Swap slugs for records; unknown ones are reported on their field."""
    errors = {}
    if data.get("category") is not None:
        category = Category.objects.filter(slug=data["category"], is_active=True).first()
        if category is None:
            errors["category"] = [f"Unknown category: {data['category']}"]
        data["category"] = category
    elif "category" in data:
        errors["category"] = ["A category is required."]
    for name, model in (("organisation", Organisation), ("project", Project)):
        if name not in data:
            continue
        slug = data[name]
        if not slug:
            data[name] = None
            continue
        record = model.objects.filter(slug=slug).first()
        if record is None:
            errors[name] = [f"Unknown {name}: {slug}"]
        data[name] = record
    for name in ("title", "lat", "lng"):
        if name in data and data[name] is None:
            errors[name] = ["This field cannot be empty."]
    if errors:
        raise ValidationError(errors)
    return data


def _entry(entry_id: int) -> Entry:
    if not 0 < entry_id < 2**63:
        raise Http404("No such entry.")
    return get_object_or_404(Entry.objects.select_related("category", "area", "organisation", "project"), pk=entry_id)


def _out(entry: Entry) -> Entry:
    return _entry(entry.pk)


# ---- create, change, delete (on the read router's paths) ----------------------------------
@read_router.post("/map/entries", response={201: EntryWriteOut, **ERRORS}, auth=TokenAuth(),
                  summary="Add an entry (waits for moderation unless the category trusts you)")  # fmt: skip
def create_entry(request, payload: EntryIn):
    data = _resolve(payload.dict())
    answers = data.pop("answers")
    entry = services.entry_create(by=request.auth, answers=answers, **data)
    return Status(201, _out(entry))


@read_router.patch("/map/entries/{entry_id}", response={200: EntryWriteOut, **ERRORS}, auth=TokenAuth(),
                   summary="Change an entry (its owner or a moderator)")  # fmt: skip
def update_entry(request, entry_id: int, payload: EntryPatch):
    entry = _entry(entry_id)
    data = _resolve(payload.dict(exclude_unset=True))
    answers = data.pop("answers", None)
    entry = services.entry_update(entry=entry, by=request.auth, data=data, answers=answers)
    return Status(200, _out(entry))


@read_router.delete("/map/entries/{entry_id}", response={204: None, **ERRORS}, auth=TokenAuth(),
                    summary="Delete an entry (its owner or a moderator)")  # fmt: skip
def delete_entry(request, entry_id: int):
    services.entry_delete(entry=_entry(entry_id), by=request.auth)
    return Status(204, None)


# ---- moderation ----------------------------------------------------------------------------
NOTE_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": {"type": "object", "properties": {
            "note": {"type": "string", "maxLength": 2000, "description": "kept in the entry's history"},
        }}}},
    }
}  # fmt: skip


def _note(request) -> str:
    """The optional JSON body {"note": "..."} of an action; an empty body is fine."""
    if request.content_type != "application/json" or not request.body.strip():
        return ""
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"__all__": ['The body must be JSON, such as {"note": "..."}.']}) from None
    try:
        return NoteIn(**(data if isinstance(data, dict) else {"note": data})).note
    except PydanticError as exc:
        raise ValidationError({"note": [err["msg"] for err in exc.errors()]}) from None


def _moderation(action: str, summary: str):
    @router.post(f"/map/entries/{{entry_id}}/{action}", response={200: EntryWriteOut, **ERRORS}, auth=TokenAuth(),
                 summary=summary, operation_id=f"map_entry_{action}", openapi_extra=NOTE_BODY)  # fmt: skip
    def endpoint(request, entry_id: int):
        entry = _entry(entry_id)
        entry = services.SINGLE[action](entry=entry, by=request.auth, note=_note(request))
        return Status(200, _out(entry))

    return endpoint


publish_entry = _moderation("publish", "Publish an entry (moderators)")
verify_entry = _moderation("verify", "Mark an entry verified (moderators)")
unverify_entry = _moderation("unverify", "Remove an entry's verified mark (moderators)")
archive_entry = _moderation("archive", "Archive an entry (moderators)")
restore_entry = _moderation("restore", "Restore an archived entry (moderators)")


@router.post("/map/entries/{entry_id}/reject", response={200: EntryWriteOut, **ERRORS}, auth=TokenAuth(),
             summary="Reject an entry with a reason, emailed to the submitter (moderators)")  # fmt: skip
def reject_entry(request, entry_id: int, payload: RejectIn):
    entry = services.entry_reject(entry=_entry(entry_id), by=request.auth, reason=payload.reason)
    return Status(200, _out(entry))


@router.post("/map/entries/{entry_id}/merge", response={200: EntryWriteOut, **ERRORS}, auth=TokenAuth(),
             summary="Merge a duplicate into another entry (moderators)")  # fmt: skip
def merge_entry(request, entry_id: int, payload: MergeIn):
    entry = _entry(entry_id)
    into = Entry.objects.filter(pk=payload.into).first()
    if into is None:
        raise ValidationError({"into": [f"No entry {payload.into}."]})
    entry = services.entry_merge(entry=entry, into=into, by=request.auth, note=payload.note)
    return Status(200, _out(entry))
