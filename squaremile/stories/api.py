"""The stories part of the JSON API (/api/v1/): stories and linked stories (list with filters,
read; create and update with a token) and the feeds' status. Errors are core/api.py's 4xx JSON."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.core.records import card
from squaremile.directory.models import Organisation
from squaremile.places.models import Area
from squaremile.stories import selectors, services
from squaremile.stories.models import Story, StoryFeed, StoryKind, StoryTag

router = Router(tags=["Stories"])
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
KindValue = Literal[tuple(StoryKind.values)]  # type: ignore[valid-type]


class AboutOut(Schema):
    ref: str
    kind: str
    title: str
    url: str


class StoryOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    status: str
    area: str | None = Field(None, alias="area.slug")
    organisation: str | None = Field(None, alias="organisation.slug")
    lat: float | None
    lng: float | None
    happened_on: date | None
    published_at: datetime | None
    source: str
    link: str
    tags: list[str]
    helped_count: int
    url: str = Field(alias="get_absolute_url")

    @staticmethod
    def resolve_tags(obj):
        return [t.slug for t in obj.tags.all()]


class StoryDetailOut(StoryOut):
    body: str
    media_links: list[str]
    photos: list[dict]
    about: list[AboutOut]

    @staticmethod
    def resolve_media_links(obj):
        return [line for line in obj.media_links.splitlines() if line.strip()]

    @staticmethod
    def resolve_photos(obj):
        return [
            {"url": a.file.url, "thumbnail": a.thumbnail_url, "alt": a.alt} for a in obj.attachments.all() if a.is_image
        ]

    @staticmethod
    def resolve_about(obj, context):
        user = getattr(context["request"], "_story_user", None)
        out = []
        for rec in selectors.linked_records(obj, user):
            c = card(rec)
            out.append({"ref": c.ref, "kind": c.kind, "title": c.title, "url": c.url})
        return out


class StoryFilters(Schema):
    area: Text | None = None
    tag: Text | None = None
    organisation: Text | None = None
    kind: KindValue | None = None
    q: Text | None = Field(None, max_length=200)


class StoryIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    body: Text = Field("", max_length=20000)
    area: Text | None = None
    organisation: Text | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    happened_on: date | None = None
    tags: list[Text] = Field(default_factory=list, max_length=10)
    media_links: list[Text] = Field(default_factory=list, max_length=6)
    about: list[Text] = Field(
        default_factory=list,
        max_length=20,
        description="References (“mapping.entry:12”) or addresses of pages on this site",
    )
    publish: bool = Field(True, description="False keeps it as a draft")


class StoryPatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=200)
    body: Text | None = Field(None, max_length=20000)
    area: Text | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    happened_on: date | None = None
    tags: list[Text] | None = Field(None, max_length=10)
    media_links: list[Text] | None = Field(None, max_length=6)
    about: list[Text] | None = Field(None, max_length=20)
    publish: bool = False


class FeedOut(Schema):
    id: int
    title: str
    url: str
    status: str
    status_message: str
    last_polled_at: datetime | None
    last_success_at: datetime | None
    failures: int


def _data(payload: dict, user) -> tuple[dict, list | None]:
    from django.core.exceptions import ValidationError

    errors = {}
    data = {}
    for key in ("title", "body", "lat", "lng", "happened_on"):
        if key in payload and payload[key] is not None:
            data[key] = payload[key]
    if "lat" in payload and "lng" in payload and payload["lat"] is None and payload["lng"] is None:
        data["lat"] = data["lng"] = None
    if payload.get("area"):
        area = Area.objects.defer("boundary").filter(slug=payload["area"]).first()
        if area is None:
            errors["area"] = ["No such area."]
        data["area"] = area
    if payload.get("organisation"):
        org = Organisation.objects.filter(slug=payload["organisation"]).first()
        if org is None:
            errors["organisation"] = ["No such organisation."]
        data["organisation"] = org
    if payload.get("tags") is not None:
        data["tags"] = ", ".join(payload["tags"])
    if payload.get("media_links") is not None:
        data["media_links"] = "\n".join(payload["media_links"])
    about = None
    if payload.get("about") is not None:
        about, bad = selectors.resolve_refs(payload["about"], user)
        if bad:
            errors["about"] = [f"Not found, or not something you can see: {bad[0][:100]}"]
    if errors:
        raise ValidationError(errors)
    return data, about


def _detail(request, pk, user):
    request._story_user = user
    story = selectors.story_for_page(pk, user)
    if story is None:
        raise Http404("No such story")
    return story


@router.get("/stories", response=Page[StoryOut], summary="List published stories (newest first), with filters")
def list_stories(request, filters: Query[StoryFilters], page: Query[PageParams]):
    f = selectors.StoryFilters(kind=filters.kind or "", q=" ".join((filters.q or "").split()))
    if filters.area:
        f.area = get_object_or_404(Area.objects.defer("boundary"), slug=filters.area)
    if filters.tag:
        f.tag = get_object_or_404(StoryTag, slug=filters.tag)
    if filters.organisation:
        f.organisation = get_object_or_404(Organisation, slug=filters.organisation)
    qs = selectors.for_cards(selectors.filtered(f))
    return paginate(qs, page)


@router.get("/stories/{int:story_id}", response=StoryDetailOut, summary="One story (and what it is about)")
def get_story(request, story_id: int):
    return _detail(request, story_id, optional_user(request))


@router.post("/stories", response={201: StoryDetailOut, **WRITE_ERRORS}, auth=TokenAuth(), summary="Tell a story")
def create_story(request, payload: StoryIn):
    raw = payload.dict()
    data, about = _data(raw, request.auth)
    story = services.story_tell(by=request.auth, data=data, about=about or [], publish=raw["publish"])
    return Status(201, _detail(request, story.pk, request.auth))


@router.patch(
    "/stories/{int:story_id}",
    response={200: StoryDetailOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    summary="Change a story (its author or a moderator)",
)
def update_story(request, story_id: int, payload: StoryPatch):
    story = get_object_or_404(Story, pk=story_id, kind=StoryKind.OWN)
    if not selectors.can_view(request.auth, story):
        raise Http404("No such story")
    raw = payload.dict(exclude_unset=True)
    data, about = _data(raw, request.auth)
    services.story_update(story=story, by=request.auth, data=data, about=about, publish=raw.get("publish", False))
    return Status(200, _detail(request, story.pk, request.auth))


@router.get("/story-feeds", response=list[FeedOut], summary="The local sites' feeds and how they are doing")
def list_feeds(request):
    return list(StoryFeed.objects.order_by("title", "id")[:500])
