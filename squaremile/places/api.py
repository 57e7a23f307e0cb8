from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from squaremile.core.api import Page, PageParams, Text, paginate
from squaremile.places import selectors
from squaremile.places.models import Area, AreaKind

router = Router(tags=["places"])


class AreaOut(Schema):
    name: str
    slug: str
    kind: str
    parent: str | None = Field(None, alias="parent.slug")
    centroid_lat: float | None
    centroid_lng: float | None
    url: str = Field(alias="get_absolute_url")


class AreaDetailOut(AreaOut):
    description: str
    boundary: dict | None
    bbox: list[float] | None

    @staticmethod
    def resolve_bbox(obj):
        if obj.min_lat is None:
            return None
        return [obj.min_lng, obj.min_lat, obj.max_lng, obj.max_lat]


class AreaFilters(Schema):
    kind: AreaKind | None = None
    parent: Text | None = Field(None, max_length=220, description="slug of the parent area")


class PointQuery(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


@router.get("/areas", response=Page[AreaOut], summary="List areas")
def list_areas(request, filters: Query[AreaFilters], page: Query[PageParams]):
    qs = selectors.area_list()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        qs = qs.filter(parent__slug=filters.parent)
    return paginate(qs.order_by("name", "id"), page)


@router.get("/areas/lookup", response=list[AreaOut], summary="Areas that contain a point, smallest first")
def lookup(request, point: Query[PointQuery]):
    found = selectors.areas_containing(lat=point.lat, lng=point.lng)
    parents = {a.pk: a for a in Area.objects.filter(pk__in=[a.parent_id for a in found if a.parent_id]).only("slug")}
    for a in found:
        a.parent = parents.get(a.parent_id)
    return found


class PlaceOut(Schema):
    name: str
    context: str = Field(description="shown after the name, e.g. the town or the parent area")
    label: str = Field(description="name and context, as a person reads it")
    kind: str
    kind_label: str
    lat: float
    lng: float
    zoom: int = Field(description="a map zoom that shows the place")


class PlaceQuery(Schema):
    q: Text = Field(..., min_length=1, max_length=100, description="a place name or postcode, or its start")


@router.get(
    "/places",
    response=list[PlaceOut],
    summary="Places whose name or postcode matches what was typed (areas and the gazetteer), best first",
)
def search_places(request, query: Query[PlaceQuery]):
    return selectors.lookup_places(query.q)


@router.get("/areas/{slug}", response=AreaDetailOut, summary="One area, with its boundary")
def get_area(request, slug: Text):
    return get_object_or_404(Area.objects.select_related("parent"), slug=slug)
