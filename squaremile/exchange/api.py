"""The exchange part of the JSON API (/api/v1/): list and read wants and offers (near a point,
filtered), post one, and read an item's matches (its owner)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.exchange import selectors, services
from squaremile.exchange.forms import split_terms
from squaremile.exchange.models import MAX_TERMS, Item, Kind, Side, Where

router = Router(tags=["Wants and offers"])
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}

SideValue = Literal[tuple(Side.values)]  # type: ignore[valid-type]
KindValue = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
WhereValue = Literal["point", "anywhere"]


class ItemOut(Schema):
    id: int
    side: str
    kind: str
    title: str
    details: str
    what: list[str] = Field([], description="The skills and resources it is about (none: matched by its words)")
    terms: list[str] = Field([], description="The same as keys: s<skill id> or r<resource id>")
    when: str = Field(alias="when_note")
    status: str
    area: str | None = Field(None, alias="area.slug")
    distance_m: float | None = None
    created_at: datetime
    expires_at: datetime | None
    url: str = Field(alias="get_absolute_url")

    @staticmethod
    def resolve_what(obj):
        return [t.name for t in obj.what_list]

    @staticmethod
    def resolve_terms(obj):
        return list(obj.terms)

    @staticmethod
    def resolve_distance_m(obj):
        d = selectors.distance_m(obj)
        return round(d) if d is not None else None


class MatchOut(Schema):
    id: int
    title: str
    reason: str
    score: float
    url: str


class ItemFilters(Schema):
    side: SideValue | None = None
    kind: KindValue | None = None
    term: Text | None = Field(None, max_length=12, description="s<skill id> or r<resource id>")
    q: Text | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    radius_m: int | None = Field(None, ge=100, le=40_000)


class ItemIn(Schema):
    side: SideValue
    kind: KindValue = "help"
    title: Text = Field(min_length=1, max_length=140)
    terms: list[Text] = Field(
        [], max_length=MAX_TERMS, description="Skills and resources, each s<skill id> or r<resource id> (optional)"
    )
    term: Text | None = Field(None, max_length=12, description="One term (older clients); joins `terms`")
    details: Text = Field("", max_length=3000)
    when: Text = Field("", max_length=80)
    where: WhereValue = "point"
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    radius_m: int = Field(1609, ge=100, le=16093)
    ongoing: bool = False
    visibility: Literal["public", "members"] = "public"


@router.get("/exchange/items", response=Page[ItemOut], summary="Open wants and offers (near a point, filtered)")
def list_items(request, filters: Query[ItemFilters], page: Query[PageParams]):
    user = optional_user(request)
    f = selectors.Filters(side=filters.side or "", kind=filters.kind or "", term=filters.term or "", q=filters.q or "")
    if filters.lat is not None and filters.lng is not None:
        f.lat, f.lng, f.radius_m = filters.lat, filters.lng, filters.radius_m or 1609
    return paginate(selectors.with_related(selectors.item_list(user, f)), page)


def _visible_item(request, item_id: int) -> Item:
    if not 0 < item_id < 2**63:
        raise Http404
    item = get_object_or_404(selectors.with_related(Item.objects.all()), pk=item_id)
    if not selectors.may_see(optional_user(request), item):
        raise Http404
    return item


@router.get("/exchange/items/{item_id}", response={200: ItemOut, 404: ErrorOut}, summary="One want or offer")
def get_item(request, item_id: int):
    return _visible_item(request, item_id)


@router.get("/exchange/items/{item_id}/matches", response={200: list[MatchOut], 401: ErrorOut, 404: ErrorOut},
            auth=TokenAuth(), summary="The matches of one of your wants or offers")  # fmt: skip
def item_matches(request, item_id: int):
    item = _visible_item(request, item_id)
    out = []
    for m in selectors.matches_of(item, request.auth):
        other = m.offer if item.side == Side.WANT else m.want
        out.append({"id": other.pk, "title": other.title, "reason": m.reason, "score": m.score,
                    "url": other.get_absolute_url()})  # fmt: skip
    return out


@router.post("/exchange/items", response={201: ItemOut, **WRITE_ERRORS}, auth=TokenAuth(),
             summary="Post a want or an offer (it is matched at once)")  # fmt: skip
def create_item(request, payload: ItemIn):
    from django.core.exceptions import ValidationError

    values = [*payload.terms, *([payload.term] if payload.term else [])]
    skills, resources, unknown = split_terms(values)
    if unknown:
        raise ValidationError({"terms": [f"Unknown skill or resource: {', '.join(v[:12] for v in unknown[:5])}."]})
    if len(skills) + len(resources) > MAX_TERMS:
        raise ValidationError({"terms": [f"At most {MAX_TERMS} skills and resources."]})
    where = Where.ANYWHERE if payload.where == "anywhere" else Where.POINT
    if where == Where.POINT and (payload.lat is None or payload.lng is None):
        raise ValidationError({"lat": ["Give lat and lng, or where=anywhere."]})
    fields = {
        "side": payload.side, "kind": payload.kind, "title": payload.title, "details": payload.details,
        "when_note": payload.when, "where": where, "lat": payload.lat, "lng": payload.lng,
        "radius_m": payload.radius_m, "ongoing": payload.ongoing, "visibility": payload.visibility,
        "skills": skills, "resources": resources,
    }  # fmt: skip
    item = services.item_create(by=request.auth, fields=fields)
    return Status(201, selectors.with_related(Item.objects.all()).get(pk=item.pk))
