"""The directory as an Open Referral (HSDS 3.0 / Open Referral UK) API at /openreferral/: open GET,
paginated (`page` from 1, `per_page` up to 200), `Access-Control-Allow-Origin: *`, and a bulk export
as a tabular data package (CSV files and `datapackage.json` in a zip).

What maps to what:
- organization: each directory organisation (contact details only when they are public);
- service: each organisation's own work (one service named after it) and each project (provided by
  its first organisation);
- location: each organisation and project with a point (physical), with the organisation's postal
  address (`addresses`: the free-text address split into line, town and postcode);
- contact: an organisation's public e-mail and phone (only when its contact details are public), on
  the organisation and on its own service;
- schedule: a project's dates (valid_from / valid_to); the directory holds no opening hours;
- taxonomy_term: each skill, under its family, in the taxonomy "Square Mile skills"; a service's
  skills are its `attributes`.

Ids are UUIDs that carry the record's kind and primary key (`5a0e0000-0000-4000-8<kind>…-<pk>`), so
one can be read back without a lookup table; an attribute (a link between a service and a skill) has a
name-based UUID (uuid5) of its service and skill, so that every id is unique in the export.

Every answer follows the official HSDS 3.0 types: no nulls (a value we do not have is left out), ids and
links are UUIDs, a website or e-mail that is not a valid absolute URI or address is left out, and the
tests check it all against `tests/hsds_schema.json` (written from the official 3.0 schema files). The
export uses the official file names (`service_at_location.csv`, `taxonomies.csv`...) and column names;
a tabular service row must name its organization (`tabular_required`), so a project that no
organisation runs is exported as a service of the network itself (one organisation row named after
the site, written only when such a project exists).

Taxonomy term codes: a skill's is its slug, a family's is `family:<slug>` (a slug has no colon), so a
family and a skill that share a slug never share a code.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
import uuid as uuid_lib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from squaremile.core.site import absolute_url
from squaremile.core.text import plain_text
from squaremile.directory import hours
from squaremile.directory.models import Organisation, Project, ProjectStatus, Skill, SkillFamily

PER_PAGE, PER_PAGE_MAX = 50, 200
KIND = {"organization": 1, "org_service": 2, "project_service": 3, "org_location": 4, "project_location": 5,
        "skill": 6, "family": 7, "taxonomy": 8, "attribute": 9}  # fmt: skip
_UUID = re.compile(r"^5a0e0000-0000-4000-8(\d)([0-9a-f]{2})-([0-9a-f]{12})$")
TAXONOMY_NAME = "Square Mile skills"
STATUS = {
    ProjectStatus.IDEA: "inactive", ProjectStatus.STARTING: "active", ProjectStatus.ACTIVE: "active",
    ProjectStatus.PAUSED: "temporarily closed", ProjectStatus.ENDED: "defunct",
}  # fmt: skip


_NAMESPACE = uuid_lib.UUID("5a0e0000-0000-4000-8000-000000000000")


def uid(kind: str, pk: int, sub: int = 0) -> str:
    return f"5a0e0000-0000-4000-8{KIND[kind]}{sub % 256:02x}-{pk:012x}"


def link_uid(*parts) -> str:
    """A stable UUID for a link record (named by what it links), unique where `uid` would repeat."""
    return str(uuid_lib.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def _valid_uri(value: str) -> str | None:
    """An absolute http(s) URI, else None (HSDS `format: uri`; a bare domain is not one)."""
    value = (value or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return None
    return value


def _valid_email(value: str) -> str | None:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def parse_uid(value: str) -> tuple[str, int] | None:
    m = _UUID.match((value or "").lower())
    if not m:
        return None
    kinds = {v: k for k, v in KIND.items()}
    kind = kinds.get(int(m.group(1)))
    return (kind, int(m.group(3), 16)) if kind else None


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data, status=200):
    return _cors(JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False}))


def _page_params(request) -> tuple[int, int]:
    def number(name, default, hi):
        raw = request.GET.get(name, "")
        return max(1, min(hi, int(raw))) if raw.isdigit() else default

    return number("page", 1, 1_000_000), number("per_page", PER_PAGE, PER_PAGE_MAX)


def _paged(request, qs, build) -> dict:
    page, size = _page_params(request)
    total = qs.count()
    pages = max(1, math.ceil(total / size))
    rows = list(qs[(page - 1) * size : page * size])
    return {
        "total_items": total, "total_pages": pages, "page_number": page, "size": len(rows),
        "first_page": page == 1, "last_page": page >= pages, "empty": not rows, "contents": [build(r) for r in rows],
    }  # fmt: skip


# ---- building the objects ------------------------------------------------------------------------
def _public_contact(org) -> bool:
    return org.contact_visibility == "public"


_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b", re.IGNORECASE)


def address_of_org(org: Organisation) -> dict | None:
    """The organisation's free-text address as an HSDS address: the first part is the line, a last
    part without digits the town (else the area's name), a UK postcode found anywhere the postcode."""
    text = (org.address or "").strip()
    if not text:
        return None
    found = _POSTCODE.search(text)
    postcode = re.sub(r"\s+", " ", found.group(1).upper()) if found else ""
    parts = [p.strip(" ,") for p in _POSTCODE.sub("", text).split(",") if p.strip(" ,")]
    town = ""
    if len(parts) > 1 and not any(ch.isdigit() for ch in parts[-1]):
        town = parts.pop()
    area = getattr(org, "area", None)
    data = {
        "id": uid("org_location", org.pk, 2), "location_id": uid("org_location", org.pk),
        "address_1": parts[0] if parts else text, "city": town or (area.name if area is not None else ""),
        "state_province": "", "postal_code": postcode, "country": "GB", "address_type": "physical",
    }  # fmt: skip
    if len(parts) > 1:
        data["address_2"] = ", ".join(parts[1:])
    return data


def contacts_of_org(org: Organisation, *, service: bool = False) -> list[dict]:
    """The organisation's public e-mail and phone as one contact (none when its details are not public)."""
    email = _valid_email(org.email)
    if not _public_contact(org) or not (email or org.phone):
        return []
    kind = "org_service" if service else "organization"
    contact = {"id": uid(kind, org.pk, 1), "name": org.name}
    contact["service_id" if service else "organization_id"] = uid(kind, org.pk)
    if email:
        contact["email"] = email
    if org.phone:
        contact["phones"] = [{"id": uid(kind, org.pk, 2), "number": org.phone, "contact_id": contact["id"]}]
    return [contact]


def schedules_of_project(project: Project, service_id: str) -> list[dict]:
    """A project's dates as a schedule (when it has any)."""
    if not (project.start_date or project.end_date):
        return []
    data = {"id": uid("project_service", project.pk, 1), "service_id": service_id}
    words = []
    if project.start_date:
        data["valid_from"] = project.start_date.isoformat()
        words.append(f"from {project.start_date:%-d %B %Y}")
    if project.end_date:
        data["valid_to"] = project.end_date.isoformat()
        words.append(f"until {project.end_date:%-d %B %Y}")
    data["description"] = "Runs " + " ".join(words) + "."
    return [data]


def organization(org: Organisation, *, full: bool = False) -> dict:
    data = {
        "id": uid("organization", org.pk),
        "name": org.name,
        "description": plain_text(org.description) or org.name,
        "website": _valid_uri(org.website),
        "email": _valid_email(org.email) if _public_contact(org) else None,
        "uri": absolute_url(org.get_absolute_url()),
        "legal_status": org.get_org_type_display(),
    }
    data = {k: v for k, v in data.items() if v is not None}
    if full:
        data["phones"] = _phones(org, "organization")
        data["contacts"] = contacts_of_org(org)
        data["locations"] = [location_of_org(org)] if org.lat is not None else []
    return data


def _phones(org, kind: str) -> list[dict]:
    """The organisation's public phone, on the organization (kind "organization") or on its own service
    (kind "org_service"): one record each, with its own id and its link."""
    if not (org.phone and _public_contact(org)):
        return []
    link = "service_id" if kind == "org_service" else "organization_id"
    return [{"id": uid(kind, org.pk, 3), link: uid(kind, org.pk), "number": org.phone}]


def _attributes(skills, service_id: str) -> list[dict]:
    return [
        {
            "id": link_uid("attribute", service_id, s.pk), "link_id": service_id, "link_type": "skill",
            "link_entity": "service", "taxonomy_term_id": uid("skill", s.pk), "taxonomy_term": taxonomy_term(s),
        }
        for s in skills
    ]  # fmt: skip


def schedules_of_org(org: Organisation, service_id: str) -> list[dict]:
    """An organisation's opening hours as weekly schedules, one per run of days with the same times
    (`directory.hours`). HSDS times carry a UTC offset: the site's time zone's offset today (and
    `timezone` in hours), as opening hours are kept in local time."""
    openings = hours.grouped(org.opening_hours)
    if not openings:
        return []
    offset = timezone.localtime().utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    suffix = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    out = []
    for opening in openings:
        words = opening.words + (f". {plain_text(org.hours_note)}" if org.hours_note else "")
        out.append({
            "id": link_uid("hours", org.pk, ",".join(opening.days)), "service_id": service_id, "freq": "WEEKLY",
            "byday": ",".join(hours.ICAL_DAYS[d] for d in opening.days),
            "opens_at": f"{opening.opens}:00{suffix}", "closes_at": f"{opening.closes}:00{suffix}",
            "timezone": minutes / 60, "description": words,
        })  # fmt: skip
    return out


def org_service(org: Organisation) -> dict:
    sid = uid("org_service", org.pk)
    data = {
        "id": sid, "organization_id": uid("organization", org.pk), "name": org.name,
        "description": plain_text(org.description) or org.name, "status": "active",
        "url": absolute_url(org.get_absolute_url()),
        "organization": organization(org),
        "service_at_locations": [_at_location(sid, location_of_org(org))] if org.lat is not None else [],
        "attributes": _attributes(org.skills.all(), sid),
        "schedules": schedules_of_org(org, sid),
        "last_modified": org.updated_at.isoformat(),
    }  # fmt: skip
    email = _valid_email(org.email) if _public_contact(org) else None
    if email:
        data["email"] = email
    data["phones"] = _phones(org, "org_service")
    data["contacts"] = contacts_of_org(org, service=True)
    return data


def project_service(project: Project) -> dict:
    sid = uid("project_service", project.pk)
    orgs = list(project.organisations.all())
    data = {
        "id": sid, "name": project.name, "description": plain_text(project.description) or project.name,
        "status": STATUS.get(project.status, "active"),
        "url": absolute_url(project.get_absolute_url()),
        "service_at_locations": [_at_location(sid, location_of_project(project))] if project.lat is not None else [],
        "attributes": _attributes(project.skills.all(), sid),
        "schedules": schedules_of_project(project, sid),
        "last_modified": project.updated_at.isoformat(),
    }  # fmt: skip
    if orgs:
        data["organization_id"] = uid("organization", orgs[0].pk)
        data["organization"] = organization(orgs[0])
    return data


def _at_location(service_id: str, loc: dict) -> dict:
    return {"id": loc["id"].replace("-4000-", "-4001-", 1), "service_id": service_id, "location_id": loc["id"],
            "location": loc}  # fmt: skip


def location_of_org(org: Organisation) -> dict:
    address = address_of_org(org)
    return {
        "id": uid("org_location", org.pk), "location_type": "physical", "name": org.name,
        "organization_id": uid("organization", org.pk), "latitude": round(org.lat, 6), "longitude": round(org.lng, 6),
        "description": org.address or "", "addresses": [address] if address else [],
    }  # fmt: skip


def location_of_project(project: Project) -> dict:
    return {
        "id": uid("project_location", project.pk), "location_type": "physical", "name": project.name,
        "latitude": round(project.lat, 6), "longitude": round(project.lng, 6), "description": "",
    }  # fmt: skip


def taxonomy_term(skill: Skill) -> dict:
    return {
        "id": uid("skill", skill.pk), "code": skill.slug, "name": skill.name,
        "description": plain_text(skill.description) or skill.name, "parent_id": uid("family", skill.family_id),
        "taxonomy": TAXONOMY_NAME, "taxonomy_id": uid("taxonomy", 1), "language": "en",
    }  # fmt: skip


def family_term(family: SkillFamily) -> dict:
    return {
        "id": uid("family", family.pk), "code": f"family:{family.slug}", "name": family.name,
        "description": plain_text(family.description) or family.name, "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": uid("taxonomy", 1), "language": "en",
    }  # fmt: skip


def _orgs():
    return Organisation.objects.select_related("area").prefetch_related("skills").order_by("name", "id")


def _projects():
    return Project.objects.prefetch_related("skills", "organisations").order_by("name", "id")


class _Services:
    """Organisations' services then projects' services, as one sliceable, countable sequence."""

    def __init__(self, text: str = ""):
        self.orgs, self.projects = _orgs(), _projects()
        if text:
            self.orgs = self.orgs.filter(name__icontains=text)
            self.projects = self.projects.filter(name__icontains=text)
        self._n_orgs = None

    def count(self) -> int:
        self._n_orgs = self.orgs.count()
        return self._n_orgs + self.projects.count()

    def __getitem__(self, window: slice):
        n = self._n_orgs if self._n_orgs is not None else self.orgs.count()
        start, stop = window.start or 0, window.stop
        out = [("org", o) for o in self.orgs[start : min(stop, n)]] if start < n else []
        if stop > n:
            out += [("project", p) for p in self.projects[max(start - n, 0) : stop - n]]
        return out


def _service(item) -> dict:
    kind, obj = item
    return org_service(obj) if kind == "org" else project_service(obj)


# ---- the endpoints -------------------------------------------------------------------------------
@require_GET
def index(request):
    base = absolute_url(reverse("civic:openreferral_index"))
    return _json({  # no openapi_url: we publish no OpenAPI file of our own (and HSDS has no nulls)
        "version": "3.0", "profile": "https://openreferral.org/",
        "description": f"The {settings.SITE_NAME} directory: organisations, their projects and skills.",
        "publisher": {"name": settings.SITE_NAME, "website": absolute_url("/")},
        "endpoints": {name: base + name for name in ("services", "organizations", "locations", "taxonomies",
                                                      "taxonomy_terms", "export.zip")},
    })  # fmt: skip


@require_GET
def services(request):
    text = (request.GET.get("text") or "").strip()[:100]
    return _json(_paged(request, _Services(text), _service))


@require_GET
def service(request, uuid: str):
    parsed = parse_uid(uuid)
    if parsed and parsed[0] == "org_service":
        obj = _orgs().filter(pk=parsed[1]).first()
        if obj:
            return _json(org_service(obj))
    if parsed and parsed[0] == "project_service":
        obj = _projects().filter(pk=parsed[1]).first()
        if obj:
            return _json(project_service(obj))
    return _json({"message": "No such service."}, status=404)


@require_GET
def organizations(request):
    return _json(_paged(request, Organisation.objects.select_related("area").order_by("name", "id"), organization))


@require_GET
def organization_detail(request, uuid: str):
    parsed = parse_uid(uuid)
    found = Organisation.objects.select_related("area")
    obj = found.filter(pk=parsed[1]).first() if parsed and parsed[0] == "organization" else None
    if obj is None:
        return _json({"message": "No such organization."}, status=404)
    data = organization(obj, full=True)
    data["services"] = [org_service(_orgs().get(pk=obj.pk))] + [
        project_service(p) for p in _projects().filter(organisations=obj)[:50]
    ]
    return _json(data)


@require_GET
def locations(request):
    qs = Organisation.objects.select_related("area").filter(lat__isnull=False).order_by("name", "id")
    return _json(_paged(request, qs, location_of_org))


@require_GET
def taxonomies(request):
    return _json({
        "total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": True, "last_page": True,
        "empty": False, "contents": [taxonomy()],
    })  # fmt: skip


@require_GET
def taxonomy_terms(request):
    families = [family_term(f) for f in SkillFamily.objects.order_by("position", "name")]
    skills = Skill.objects.order_by("family__position", "name")
    found = _paged(request, skills, taxonomy_term)
    if found["page_number"] == 1:  # the families (parents) come first, on the first page
        found["contents"] = families + found["contents"]
        found["empty"], found["size"] = not found["contents"], len(found["contents"])
    found["total_items"] += len(families)
    return _json(found)


# The official HSDS 3.0 tables (file name: entity name and our columns, all official column names).
EXPORT_FILES = {
    "organizations.csv": ["id", "name", "description", "email", "website", "uri", "legal_status"],
    "services.csv": ["id", "organization_id", "name", "description", "url", "email", "status", "last_modified"],
    "locations.csv": ["id", "location_type", "name", "organization_id", "latitude", "longitude", "description"],
    "service_at_location.csv": ["id", "service_id", "location_id"],
    "taxonomies.csv": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language"],
    "attributes.csv": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
    "addresses.csv": ["id", "location_id", "address_1", "address_2", "city", "state_province", "postal_code", "country",
                      "address_type"],
    "contacts.csv": ["id", "organization_id", "service_id", "name", "email"],
    "phones.csv": ["id", "organization_id", "service_id", "contact_id", "number"],
    "schedules.csv": ["id", "service_id", "valid_from", "valid_to", "freq", "byday", "opens_at", "closes_at",
                      "timezone", "description"],
}  # fmt: skip
EXPORT_ENTITIES = {
    "organizations.csv": "organization", "services.csv": "service", "locations.csv": "location",
    "service_at_location.csv": "service_at_location", "taxonomies.csv": "taxonomy",
    "taxonomy_terms.csv": "taxonomy_term", "attributes.csv": "attribute", "addresses.csv": "address",
    "contacts.csv": "contact", "phones.csv": "phone",
    "schedules.csv": "schedule",
}  # fmt: skip
# Each column's Table Schema type (the official `datapackage_type`, else its JSON type); the rest are strings.
FIELD_TYPES = {"latitude": "number", "longitude": "number", "last_modified": "datetime", "valid_from": "date",
               "valid_to": "date", "opens_at": "time", "closes_at": "time", "timezone": "number"}  # fmt: skip


def network_organization() -> dict:
    """The community network that runs this site: the export's organisation of the projects that no
    organisation in the directory runs."""
    return {
        "id": uid("organization", 0), "name": settings.SITE_NAME,
        "description": f"The community network that runs {settings.SITE_NAME}: projects no organisation here runs.",
        "website": absolute_url("/"),
    }  # fmt: skip


def taxonomy() -> dict:
    return {
        "id": uid("taxonomy", 1), "name": TAXONOMY_NAME, "description": "Skills people and groups offer, by family.",
        "uri": absolute_url(reverse("directory:skill_list")), "version": "1",
    }  # fmt: skip


def export_rows():
    """Every row of the bulk export, file by file (read in chunks: any size of directory)."""
    rows: dict[str, list] = {name: [] for name in EXPORT_FILES}
    for org in _orgs().iterator(chunk_size=500):
        rows["organizations.csv"].append(organization(org))
        svc = org_service(org)
        rows["services.csv"].append(svc)
        for sal in svc["service_at_locations"]:
            rows["service_at_location.csv"].append(sal)
            rows["locations.csv"].append(sal["location"])
            rows["addresses.csv"].extend(sal["location"]["addresses"])
        rows["attributes.csv"].extend(svc["attributes"])
        rows["schedules.csv"].extend(svc["schedules"])
        rows["phones.csv"].extend(_phones(org, "organization") + svc["phones"])
        for contact in contacts_of_org(org) + svc["contacts"]:
            rows["contacts.csv"].append(contact)
            rows["phones.csv"].extend(contact.get("phones", []))
    network_runs_some = False
    for project in _projects().iterator(chunk_size=500):
        svc = project_service(project)
        if "organization_id" not in svc:  # a tabular service row must name its organization: the network
            svc["organization_id"] = uid("organization", 0)
            network_runs_some = True
        rows["services.csv"].append(svc)
        for sal in svc["service_at_locations"]:
            rows["service_at_location.csv"].append(sal)
            rows["locations.csv"].append(sal["location"])
        rows["attributes.csv"].extend(svc["attributes"])
        rows["schedules.csv"].extend(svc["schedules"])
    if network_runs_some:
        rows["organizations.csv"].append(network_organization())
    rows["taxonomies.csv"] = [taxonomy()]
    rows["taxonomy_terms.csv"] = [family_term(f) for f in SkillFamily.objects.all()] + [
        taxonomy_term(s) for s in Skill.objects.all()
    ]
    return rows


@require_GET
def export(request):
    """The whole directory as an HSDS tabular data package (a zip of CSV files and datapackage.json)."""
    rows = export_rows()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        resources = []
        for name, columns in EXPORT_FILES.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
            writer.writeheader()
            for row in rows[name]:
                writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
            zf.writestr(name, text.getvalue())
            fields = [{"name": c, "type": FIELD_TYPES.get(c, "string")} for c in columns]
            resources.append({"name": EXPORT_ENTITIES[name], "path": name, "profile": "tabular-data-resource",
                              "format": "csv", "mediatype": "text/csv", "schema": {"fields": fields}})  # fmt: skip
        package = {"name": "squaremile-directory", "profile": "tabular-data-package",
                   "title": "Square Mile directory (Open Referral HSDS 3.0)", "resources": resources}  # fmt: skip
        zf.writestr("datapackage.json", json.dumps(package, indent=2))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="openreferral-hsds.zip"'
    return _cors(response)
