"""Writes for the directory. Keyword-only, atomic, permission-checked; each keeps the search
index and the record's area in step, and writes what it did to the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction

from squaremile.audit import services as audit
from squaremile.core import search
from squaremile.core.permissions import require
from squaremile.core.text import plain_text
from squaremile.directory.models import Organisation, Project
from squaremile.places.selectors import area_for_point
from squaremile.places.services import unique_slug

ORG_M2M = ("areas_served", "skills", "resources")
PROJECT_M2M = ("organisations", "skills")


def _index(obj, kind: str, extra: str = "") -> None:
    body = " ".join(filter(None, [plain_text(obj.description), extra]))
    search.index_document(
        kind=kind, object_id=obj.pk, title=obj.name, body=body, url=obj.get_absolute_url(), area_id=obj.area_id
    )


def _organisation_extra(org: Organisation) -> str:
    labels = [org.get_stream_display(), org.get_org_type_display(), org.address]
    labels += [s.name for s in org.skills.all()] + [r.name for r in org.resources.all()]
    return " ".join(filter(None, labels))


def index_organisation(org: Organisation) -> None:
    """Write an organisation's search document (also used by `manage.py reindex`)."""
    _index(org, "organisation", _organisation_extra(org))


def index_project(project: Project) -> None:
    _index(project, "project", project.get_status_display())


def _tracked(obj) -> list[str]:
    """The fields whose changes the audit log records (not the derived ones)."""
    skip = {"slug", "area", "created_at", "updated_at"}
    return [f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key and f.name not in skip]


def _m2m_names(obj, names) -> dict:
    return {name: sorted(str(v) for v in getattr(obj, name).all()) for name in names}


def _audited_update(obj, data: dict, m2m_names, *, by, kind: str):
    """Save the changes in `data` and write one "<kind>.changed" event with the diff."""
    touched = [name for name in m2m_names if name in data]
    before = audit.snapshot(obj, _tracked(obj)) | _m2m_names(obj, touched)
    obj = _save(obj, dict(data), m2m_names, creating=False)
    changes = audit.diff(before, audit.snapshot(obj, _tracked(obj)) | _m2m_names(obj, touched))
    if changes:
        audit.record(actor=by, action=f"{kind}.changed", target=obj, changes=changes)
    return obj


def _save(obj, data: dict, m2m_names, *, creating: bool):
    m2m = {name: data.pop(name) for name in m2m_names if name in data}
    for key, value in data.items():
        setattr(obj, key, value)
    if isinstance(obj.name, str):
        obj.name = obj.name.strip()
    if creating or not obj.slug:
        obj.slug = unique_slug(type(obj), obj.name, exclude_pk=obj.pk)
    obj.area = area_for_point(lat=obj.lat, lng=obj.lng) if obj.has_location else None
    _full_clean(obj)
    obj.save()
    for name, values in m2m.items():
        getattr(obj, name).set(values)
    return obj


def _full_clean(obj) -> None:
    """The model's own checks, plus the ones every caller (form or API) needs in words a person can
    act on, each on its field: a point needs both coordinates; a project cannot end before it starts."""
    errors: dict = {}
    if (obj.lat is None) != (obj.lng is None):
        errors["lng" if obj.lng is None else "lat"] = ["Give both latitude and longitude, or leave both empty."]
    start, end = getattr(obj, "start_date", None), getattr(obj, "end_date", None)
    if start and end and end < start:
        errors["end_date"] = ["The end date must be on or after the start date."]
    try:
        # the dates' check constraint would only repeat the message above, without a field
        obj.full_clean(validate_constraints="end_date" not in errors)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, by, data: dict) -> Organisation:
    require(by, "organisation.add")
    org = _save(Organisation(owner=by), dict(data), ORG_M2M, creating=True)
    audit.record(actor=by, action="organisation.created", target=org)
    index_organisation(org)
    return org


@transaction.atomic
def organisation_update(*, organisation: Organisation, by, data: dict) -> Organisation:
    require(by, "organisation.change", organisation)
    org = _audited_update(organisation, data, ORG_M2M, by=by, kind="organisation")
    index_organisation(org)
    return org


@transaction.atomic
def organisation_delete(*, organisation: Organisation, by) -> None:
    require(by, "organisation.delete", organisation)
    search.remove_document(kind="organisation", object_id=organisation.pk)
    audit.record(actor=by, action="organisation.deleted", target=organisation)
    organisation.delete()


# the people of an organisation: organisers edit it and choose its people, members speak for it
ORGANISATION_ROLES = (("member", "Member"), ("organiser", "Organiser"))


def people_recorder(organisation: Organisation):
    """What `core.space_people` calls inside each write to an organisation's people: one audit event."""
    return audit.people_recorder(organisation, kind="organisation")


@transaction.atomic
def project_create(*, by, data: dict) -> Project:
    require(by, "project.add")
    project = _save(Project(owner=by), dict(data), PROJECT_M2M, creating=True)
    audit.record(actor=by, action="project.created", target=project)
    index_project(project)
    return project


@transaction.atomic
def project_update(*, project: Project, by, data: dict) -> Project:
    require(by, "project.change", project)
    project = _audited_update(project, data, PROJECT_M2M, by=by, kind="project")
    index_project(project)
    return project


@transaction.atomic
def project_delete(*, project: Project, by) -> None:
    require(by, "project.delete", project)
    search.remove_document(kind="project", object_id=project.pk)
    audit.record(actor=by, action="project.deleted", target=project)
    project.delete()
