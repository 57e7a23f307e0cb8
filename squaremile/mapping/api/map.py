"""Read API of the community map: clusters for a viewport, GeoJSON entries, one entry, categories.

Every list is bounded: clusters by the grid (at most clusters.MAX_CELLS), markers by
clusters.MARKERS_LIMIT, GeoJSON pages by `limit` (at most 500)."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from squaremile.attachments.selectors import as_json
from squaremile.core.api import ErrorOut, Text, optional_user
from squaremile.core.text import render_markdown
from squaremile.mapping.entries import selectors
from squaremile.mapping.entries.filters import FilterError, parse_filters

router = Router(tags=["map"])
READ_ERRORS = {400: ErrorOut, 404: ErrorOut}
MAX_PAGE = 500


class MapQuery(Schema):
    """The map's filters (the same names as the map page's URL and the exports)."""

    bbox: Text | None = Field(None, description="west,south,east,north in degrees", max_length=200)
    zoom: Text | None = Field(None, description="map zoom, 0..20", max_length=10)
    category: list[Text] = Field(default_factory=list, description="category slugs (repeat, or comma-separated)")
    area: Text | None = Field(None, description="area slug; sub-areas are included", max_length=220)
    date_from: Text | None = Field(None, alias="from", description="YYYY-MM-DD", max_length=20)
    date_to: Text | None = Field(None, alias="to", description="YYYY-MM-DD", max_length=20)
    verified: Text | None = Field(None, description="1 for verified entries only", max_length=10)
    q: Text | None = Field(None, description="free text in titles and descriptions", max_length=200)
    threats: Text | None = Field(None, description="include (default), only or exclude", max_length=10)


def _filters(request, *, need_view: bool = False):
    try:
        filters = parse_filters(request.GET)
    except FilterError as exc:
        raise ValidationError({k: [v] for k, v in exc.errors.items()}) from None
    if need_view:
        missing = {}
        if filters.bbox is None:
            missing["bbox"] = ["Give the view as bbox=west,south,east,north."]
        if filters.zoom is None:
            missing["zoom"] = ["Give the map zoom, 0..20."]
        if missing:
            raise ValidationError(missing)
    return filters


class MapPage(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"at most {MAX_PAGE}")
    offset: int = Field(0, ge=0, le=10_000)


# ---- output -------------------------------------------------------------------------------
class ClusterOut(Schema):
    lat: float
    lng: float
    count: int
    categories: dict[str, int] = Field(description="entries per category slug")


class MarkerOut(Schema):
    id: int
    lat: float
    lng: float
    title: str
    category: str
    category_name: str
    colour: str
    icon: str
    threat: bool
    verified: bool
    url: str


class ClustersOut(Schema):
    clusters: list[ClusterOut]
    markers: list[MarkerOut]
    total: int = Field(
        description="published entries that match the filters in the grid cells counted (see bounds), "
        "which may reach a little past the view"
    )
    in_view: int | None = Field(
        None, description="when the answer is markers: exactly how many of them are inside the view (bbox)"
    )
    level: int = Field(description="grid level the clusters were made at")
    bounds: list[float] = Field(description="west,south,east,north of the grid cells counted (the view, to cell edges)")


class GeometryOut(Schema):
    type: str = "Point"
    coordinates: list[float]


class FeaturePropertiesOut(Schema):
    title: str
    category: str
    category_name: str
    colour: str
    icon: str
    threat: bool
    verified: bool
    area: str | None
    start_date: date | None
    end_date: date | None
    announced_on: date | None
    takes_effect_on: date | None
    url: str


class FeatureOut(Schema):
    type: str = "Feature"
    id: int
    geometry: GeometryOut
    properties: FeaturePropertiesOut


class FeatureCollectionOut(Schema):
    type: str = "FeatureCollection"
    features: list[FeatureOut]
    count: int
    limit: int
    offset: int
    next_offset: int | None


class QuestionOut(Schema):
    id: int
    label: str
    help_text: str
    kind: str
    choices: list[str] = Field(alias="choice_list")
    min_value: float | None = Field(None, description="a number's smallest answer, if any")
    max_value: float | None = Field(None, description="a number's largest answer, if any")
    required: bool


class CategoryOut(Schema):
    name: str
    slug: str
    description: str
    colour: str
    icon: str
    parent: str | None = Field(None, alias="parent.slug")
    is_threat: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.all())


class LinkOut(Schema):
    name: str
    url: str


class AnswerOut(Schema):
    question: str
    answer: str


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    alt: str
    width: int
    height: int


class EntryDetailOut(Schema):
    id: int
    title: str
    description: str
    description_html: str
    category: str
    category_name: str
    colour: str
    icon: str
    threat: bool
    status: str
    verified: bool
    lat: float
    lng: float
    area: str | None
    organisation: LinkOut | None
    project: LinkOut | None
    start_date: date | None
    end_date: date | None
    announced_on: date | None
    takes_effect_on: date | None
    answers: list[AnswerOut]
    photos: list[PhotoOut]
    url: str
    published_at: str | None
    updated_at: str


def _feature(e) -> dict:
    return {
        "type": "Feature",
        "id": e.pk,
        "geometry": {"type": "Point", "coordinates": [e.lng, e.lat]},
        "properties": {
            "title": e.title,
            "category": e.category.slug,
            "category_name": e.category.name,
            "colour": e.category.colour,
            "icon": e.category.icon,
            "threat": e.category.is_threat,
            "verified": e.verified,
            "area": e.area.slug if e.area_id else None,
            "start_date": e.start_date,
            "end_date": e.end_date,
            "announced_on": e.announced_on,
            "takes_effect_on": e.takes_effect_on,
            "url": e.get_absolute_url(),
        },
    }


def _detail(e) -> dict:
    def link(obj):
        return {"name": obj.name, "url": obj.get_absolute_url()} if obj is not None else None

    return {
        "id": e.pk,
        "title": e.title,
        "description": e.description,
        "description_html": str(render_markdown(e.description)),
        "category": e.category.slug,
        "category_name": e.category.name,
        "colour": e.category.colour,
        "icon": e.category.icon,
        "threat": e.category.is_threat,
        "status": e.status,
        "verified": e.verified,
        "lat": e.lat,
        "lng": e.lng,
        "area": e.area.slug if e.area_id else None,
        "organisation": link(e.organisation),
        "project": link(e.project),
        "start_date": e.start_date,
        "end_date": e.end_date,
        "announced_on": e.announced_on,
        "takes_effect_on": e.takes_effect_on,
        "answers": selectors.entry_answers(e),
        "photos": [as_json(p) for p in e.attachments.all() if p.is_image],
        "url": e.get_absolute_url(),
        "published_at": e.published_at.isoformat() if e.published_at else None,
        "updated_at": e.updated_at.isoformat(),
    }


# ---- endpoints ----------------------------------------------------------------------------
@router.get(
    "/map/clusters",
    response={200: ClustersOut, 400: ErrorOut},
    summary="Clusters (or markers, when few) of published entries in a viewport",
    description=(
        "Counts per grid cell with the centre of their entries; when the view holds at most 300 entries, "
        "or at zoom 16 and more with at most 500, the entries themselves as markers. bbox and zoom are required. "
        "The answer's size is bounded whatever the number of entries."
    ),
)
def map_clusters(request, filters: Query[MapQuery]):
    # Built by clusters.view in exactly the documented shape; written out directly, because
    # validating up to a few thousand clusters against the schema would take longer than finding them.
    body = selectors.map_view(_filters(request, need_view=True))
    return HttpResponse(json.dumps(body, separators=(",", ":")), content_type="application/json")


@router.get(
    "/map/entries",
    response={200: FeatureCollectionOut, 400: ErrorOut},
    summary="Published entries as GeoJSON, filtered, newest first, a page at a time",
)
def map_entries(
    request,
    filters: Query[MapQuery],
    page: Query[MapPage],
):
    limit, offset = page.limit, page.offset
    qs = selectors.entry_list(_filters(request), user=optional_user(request))
    rows = list(qs[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    count = offset + len(rows) if not more and (rows or offset == 0) else qs.count()
    return {
        "type": "FeatureCollection",
        "features": [_feature(e) for e in rows],
        "count": count,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


@router.get("/map/entries/{entry_id}", response=READ_ERRORS | {200: EntryDetailOut}, summary="One entry")
def map_entry(request, entry_id: int):
    return _detail(selectors.entry_for_viewer(entry_id, user=optional_user(request)))


@router.get("/map/categories", response=list[CategoryOut], summary="The map's categories with their extra questions")
def map_categories(request):
    return list(selectors.categories_with_questions().select_related("parent"))
