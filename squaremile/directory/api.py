from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.core.models import Visibility
from squaremile.core.search import search as search_service
from squaremile.directory import hours, selectors, services
from squaremile.directory.models import (
    Organisation,
    OrganisationType,
    Project,
    ProjectStatus,
    ResourceKind,
    Skill,
    Stream,
)
from squaremile.places.models import Area
from squaremile.places.selectors import near

router = Router(tags=["directory"])
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}

StreamValue = Literal[tuple(Stream.values)]  # type: ignore[valid-type]
OrgTypeValue = Literal[tuple(OrganisationType.values)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(ProjectStatus.values)]  # type: ignore[valid-type]
VisibilityValue = Literal[tuple(Visibility.values)]  # type: ignore[valid-type]
Slug = Text


# ---- output ----------------------------------------------------------------------------
class SkillOut(Schema):
    name: str
    slug: str
    family: str = Field(alias="family.name")
    description: str


class ResourceOut(Schema):
    name: str
    slug: str
    description: str


class OrganisationOut(Schema):
    name: str
    slug: str
    stream: str
    org_type: str
    description: str
    lat: float | None
    lng: float | None
    area: str | None = Field(None, alias="area.slug")
    url: str = Field(alias="get_absolute_url")


Day = Literal["mo", "tu", "we", "th", "fr", "sa", "su"]
# Opening hours, local time: {"mo": ["09:00", "17:00"], ...}; a day left out is a closed day.
OpeningHours = dict[Day, list[Text]]


class OrganisationDetailOut(OrganisationOut):
    website: str
    opening_hours: OpeningHours
    hours_note: str
    address: str
    email: str | None = None
    phone: str | None = None
    areas_served: list[str]
    skills: list[str]
    resources: list[str]
    projects: list[str]
    updated_at: str

    @staticmethod
    def resolve_opening_hours(obj):
        return hours.well_formed(obj.opening_hours)

    @staticmethod
    def resolve_areas_served(obj):
        return [a.slug for a in obj.areas_served.all()]

    @staticmethod
    def resolve_skills(obj):
        return [s.slug for s in obj.skills.all()]

    @staticmethod
    def resolve_resources(obj):
        return [r.slug for r in obj.resources.all()]

    @staticmethod
    def resolve_projects(obj):
        return [p.slug for p in obj.projects.all()]

    @staticmethod
    def resolve_updated_at(obj):
        return obj.updated_at.isoformat()


class ProjectOut(Schema):
    name: str
    slug: str
    status: str
    description: str
    start_date: date | None
    end_date: date | None
    lat: float | None
    lng: float | None
    area: str | None = Field(None, alias="area.slug")
    url: str = Field(alias="get_absolute_url")


class ProjectDetailOut(ProjectOut):
    website: str
    organisations: list[str]
    skills: list[str]

    @staticmethod
    def resolve_organisations(obj):
        return [o.slug for o in obj.organisations.all()]

    @staticmethod
    def resolve_skills(obj):
        return [s.slug for s in obj.skills.all()]


class SearchHitOut(Schema):
    kind: str
    title: str
    url: str
    snippet: str
    score: float
    fuzzy: bool


class SearchOut(Schema):
    query: str
    total: int
    hits: list[SearchHitOut]


class NearbyOut(Schema):
    name: str
    slug: str
    url: str = Field(alias="get_absolute_url")
    distance_m: float


class NearOut(Schema):
    total: int
    items: list[NearbyOut]


# ---- input -----------------------------------------------------------------------------
class _LocatedIn(Schema):
    description: Text = Field("", max_length=10_000)
    website: Text = Field("", max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    skills: list[Slug] = Field(default_factory=list, max_length=200)


class OrganisationIn(_LocatedIn):
    name: Text = Field(..., min_length=1, max_length=200)
    stream: StreamValue = Stream.COMMUNITY.value
    org_type: OrgTypeValue = OrganisationType.COMMUNITY_GROUP.value
    address: Text = Field("", max_length=300)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=40)
    contact_visibility: VisibilityValue = Visibility.PUBLIC.value
    areas_served: list[Slug] = Field(default_factory=list, max_length=200)
    resources: list[Slug] = Field(default_factory=list, max_length=200)
    opening_hours: OpeningHours = Field(default_factory=dict)
    hours_note: Text = Field("", max_length=200)


class OrganisationPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=200)
    stream: StreamValue | None = None
    org_type: OrgTypeValue | None = None
    description: Text | None = Field(None, max_length=10_000)
    website: Text | None = Field(None, max_length=500)
    address: Text | None = Field(None, max_length=300)
    email: Text | None = Field(None, max_length=254)
    phone: Text | None = Field(None, max_length=40)
    contact_visibility: VisibilityValue | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    areas_served: list[Slug] | None = Field(None, max_length=200)
    skills: list[Slug] | None = Field(None, max_length=200)
    resources: list[Slug] | None = Field(None, max_length=200)
    opening_hours: OpeningHours | None = None
    hours_note: Text | None = Field(None, max_length=200)


class ProjectIn(_LocatedIn):
    name: Text = Field(..., min_length=1, max_length=200)
    status: StatusValue = ProjectStatus.ACTIVE.value
    start_date: date | None = None
    end_date: date | None = None
    organisations: list[Slug] = Field(default_factory=list, max_length=20)


class ProjectPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=200)
    status: StatusValue | None = None
    description: Text | None = Field(None, max_length=10_000)
    website: Text | None = Field(None, max_length=500)
    start_date: date | None = None
    end_date: date | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    organisations: list[Slug] | None = Field(None, max_length=20)
    skills: list[Slug] | None = Field(None, max_length=200)


class OrganisationFilters(Schema):
    q: Text = Field("", max_length=200)
    stream: StreamValue | None = None
    org_type: OrgTypeValue | None = None
    area: Text | None = Field(None, max_length=220, description="area slug; includes the areas within it")
    skill: Text | None = Field(None, max_length=130, description="skill slug")


class ProjectFilters(Schema):
    q: Text = Field("", max_length=200)
    status: StatusValue | None = None
    area: Text | None = Field(None, max_length=220)


class SearchQuery(Schema):
    q: Text = Field(..., min_length=1, max_length=200)
    kind: Literal["organisation", "project"] | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class NearQuery(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    radius: int = Field(1609, ge=50, le=100_000, description="metres")
    kind: Literal["organisation", "project"] = "organisation"
    limit: int = Field(50, ge=1, le=100)


# ---- helpers ---------------------------------------------------------------------------
RELATED = {
    "areas_served": (Area, "area"),
    "skills": (Skill, "skill"),
    "resources": (ResourceKind, "kind of resource"),
    "organisations": (Organisation, "organisation"),
}


def _resolve(data: dict) -> dict:
    """Swap slugs in relation fields for records; unknown slugs are reported per field."""
    from django.core.exceptions import ValidationError

    errors = {}
    for name, (model, label) in RELATED.items():
        if data.get(name) is None:
            data.pop(name, None)
            continue
        slugs = list(dict.fromkeys(data[name]))
        found = {o.slug: o for o in model.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            errors[name] = [f"Unknown {label}: {', '.join(missing[:10])}"]
        data[name] = [found[s] for s in slugs if s in found]
    for key in ("description", "website", "address", "email", "phone"):
        if key in data and data[key] is None:
            data[key] = ""
    if errors:
        raise ValidationError(errors)
    return data


def _area_or_404(slug):
    return get_object_or_404(Area.objects.only("id"), slug=slug) if slug else None


def _organisation_detail(slug, user):
    org = selectors.organisation_detail(slug)
    if not selectors.can_see_contact(user, org):
        org.email = org.phone = None
    return org


# ---- endpoints -------------------------------------------------------------------------
@router.get("/skills", response=list[SkillOut], summary="The skills taxonomy")
def list_skills(request):
    return Skill.objects.select_related("family").order_by("family__position", "name")


@router.get("/resources", response=list[ResourceOut], summary="The kinds of resource")
def list_resources(request):
    return ResourceKind.objects.order_by("name")


@router.get("/organisations", response=Page[OrganisationOut], summary="List and filter organisations")
def list_organisations(request, filters: Query[OrganisationFilters], page: Query[PageParams]):
    skill = get_object_or_404(Skill, slug=filters.skill) if filters.skill else None
    qs = selectors.organisation_list(
        q=filters.q, stream=filters.stream or "", org_type=filters.org_type or "",
        area=_area_or_404(filters.area), skill=skill,
    )  # fmt: skip
    return paginate(qs, page)


@router.get("/organisations/{slug}", response=OrganisationDetailOut, summary="One organisation")
def get_organisation(request, slug: Text):
    return _organisation_detail(slug, optional_user(request))


@router.post("/organisations", response={201: OrganisationDetailOut, **WRITE_ERRORS}, auth=TokenAuth(),
             summary="Add an organisation")  # fmt: skip
def create_organisation(request, payload: OrganisationIn):
    org = services.organisation_create(by=request.auth, data=_resolve(payload.dict()))
    return Status(201, _organisation_detail(org.slug, request.auth))


@router.patch("/organisations/{slug}", response={200: OrganisationDetailOut, **WRITE_ERRORS}, auth=TokenAuth(),
              summary="Change an organisation (owner or moderator)")  # fmt: skip
def update_organisation(request, slug: Text, payload: OrganisationPatch):
    org = get_object_or_404(Organisation, slug=slug)
    services.organisation_update(organisation=org, by=request.auth, data=_resolve(payload.dict(exclude_unset=True)))
    return Status(200, _organisation_detail(org.slug, request.auth))


@router.delete("/organisations/{slug}", response={204: None, **WRITE_ERRORS}, auth=TokenAuth(),
               summary="Delete an organisation (owner or moderator)")  # fmt: skip
def delete_organisation(request, slug: Text):
    services.organisation_delete(organisation=get_object_or_404(Organisation, slug=slug), by=request.auth)
    return Status(204, None)


@router.get("/projects", response=Page[ProjectOut], summary="List and filter projects")
def list_projects(request, filters: Query[ProjectFilters], page: Query[PageParams]):
    qs = selectors.project_list(q=filters.q, status=filters.status or "", area=_area_or_404(filters.area))
    return paginate(qs, page)


@router.get("/projects/{slug}", response=ProjectDetailOut, summary="One project")
def get_project(request, slug: Text):
    return selectors.project_detail(slug)


@router.post("/projects", response={201: ProjectDetailOut, **WRITE_ERRORS}, auth=TokenAuth(), summary="Add a project")
def create_project(request, payload: ProjectIn):
    project = services.project_create(by=request.auth, data=_resolve(payload.dict()))
    return Status(201, selectors.project_detail(project.slug))


@router.patch("/projects/{slug}", response={200: ProjectDetailOut, **WRITE_ERRORS}, auth=TokenAuth(),
              summary="Change a project (owner or moderator)")  # fmt: skip
def update_project(request, slug: Text, payload: ProjectPatch):
    project = get_object_or_404(Project, slug=slug)
    services.project_update(project=project, by=request.auth, data=_resolve(payload.dict(exclude_unset=True)))
    return Status(200, selectors.project_detail(project.slug))


@router.delete("/projects/{slug}", response={204: None, **WRITE_ERRORS}, auth=TokenAuth(),
               summary="Delete a project (owner or moderator)")  # fmt: skip
def delete_project(request, slug: Text):
    services.project_delete(project=get_object_or_404(Project, slug=slug), by=request.auth)
    return Status(204, None)


@router.get("/search", response=SearchOut, summary="Search organisations and projects (typo-tolerant)")
def search(request, params: Query[SearchQuery]):
    kinds = [params.kind] if params.kind else ["organisation", "project"]
    result = search_service(params.q, kinds=kinds, limit=params.limit, offset=params.offset)
    return {"query": params.q, "total": result.total, "hits": result.hits}


@router.get("/near", response=NearOut, summary="Organisations or projects within a radius, nearest first")
def nearby(request, params: Query[NearQuery]):
    model = Organisation if params.kind == "organisation" else Project
    items, total = near(model.objects.only("id", "name", "slug", "lat", "lng"), lat=params.lat, lng=params.lng,
                        radius_m=params.radius, limit=params.limit)  # fmt: skip
    return {"total": total, "items": items}
