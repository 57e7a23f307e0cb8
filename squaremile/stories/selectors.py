"""Reads of stories: what a person may see, the lists with their filters, the page of one story."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet

from squaremile.core.geo import bbox_around
from squaremile.core.permissions import can, signed_in
from squaremile.core.records import resolve
from squaremile.moderation.models import ModerationState as S
from squaremile.stories.models import Story, StoryComment, StoryFeed, StoryHelped, StoryKind, StoryLink, StoryTag

LIST_SIZE = 20
MAX_PAGE = 500  # deeper pages are not served (nobody reads them; huge offsets cost)


def can_view(user, story: Story) -> bool:
    """Published stories are for everyone; a draft, a story waiting for review or taken down is
    seen by its author and the moderators."""
    return story.status == S.PUBLISHED or can(user, "story.change", story)


def published() -> QuerySet[Story]:
    return Story.objects.filter(status=S.PUBLISHED)


def for_cards(qs: QuerySet[Story]) -> QuerySet[Story]:
    """What a list of stories shows per row: author, organisation, area, first photo, tags."""
    return qs.select_related("owner__profile", "organisation", "area", "feed").prefetch_related("tags", "attachments")


# What a row of a list never shows: the text (rows show `summary`), an area's boundary (it can be
# megabytes), an organisation's long fields.
LIST_DEFERRED = (
    "body",
    "media_links",
    "rejection_reason",
    "guid",
    "area__boundary",
    "area__description",
    "organisation__description",
    "organisation__address",
)


def for_list(qs: QuerySet[Story]) -> QuerySet[Story]:
    """`for_cards` without what a row never shows (the lists, the panels)."""
    return for_cards(qs).defer(*LIST_DEFERRED)


@dataclass
class StoryFilters:
    area: object = None
    tag: StoryTag | None = None
    organisation: object = None
    kind: str = ""
    near: tuple[float, float, float] | None = None  # lat, lng, radius in metres
    q: str = ""

    def words(self) -> str:
        parts = []
        if self.kind == StoryKind.LINKED:
            parts.append("from local sites")
        elif self.kind == StoryKind.OWN:
            parts.append("told here")
        if self.tag is not None:
            parts.append(f"tagged “{self.tag.name}”")
        if self.area is not None:
            parts.append(f"in {self.area.name}")
        if self.organisation is not None:
            parts.append(f"by {self.organisation.name}")
        if self.near is not None:
            parts.append("near my square mile")
        if self.q:
            parts.append(f"matching “{self.q}”")
        return ", ".join(parts)


FILTER_CHOICES_KEY = "stories:filter-choices"
FILTER_CHOICES_SECONDS = 300


def filter_choices() -> dict:
    """The tags and top-level areas the list's filters offer: the same for everyone, so kept in the
    cache (a new tag forgets them at once; a new area shows within FILTER_CHOICES_SECONDS)."""
    from django.core.cache import cache

    from squaremile.places.models import Area

    found = cache.get(FILTER_CHOICES_KEY)
    if found is None:
        found = {
            "tags": [{"pk": t.pk, "slug": t.slug, "name": t.name} for t in StoryTag.objects.order_by("name")[:40]],
            "areas": list(Area.objects.filter(parent__isnull=True).order_by("name").values("pk", "slug", "name")[:30]),
        }
        cache.set(FILTER_CHOICES_KEY, found, FILTER_CHOICES_SECONDS)
    return found


def forget_filter_choices() -> None:
    from django.core.cache import cache

    cache.delete(FILTER_CHOICES_KEY)


def filtered(filters: StoryFilters) -> QuerySet[Story]:
    """Published stories matching the filters, newest first."""
    qs = published()
    if filters.kind in StoryKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.area is not None:
        area_ct = ContentType.objects.get_for_model(type(filters.area))
        qs = qs.filter(
            Q(area=filters.area)
            | Q(pk__in=StoryLink.objects.filter(content_type=area_ct, object_id=filters.area.pk).values("story_id"))
        )
    if filters.tag is not None:
        qs = qs.filter(tags=filters.tag)
    if filters.organisation is not None:
        org_ct = ContentType.objects.get_for_model(type(filters.organisation))
        qs = qs.filter(
            Q(organisation=filters.organisation)
            | Q(
                pk__in=StoryLink.objects.filter(content_type=org_ct, object_id=filters.organisation.pk).values(
                    "story_id"
                )
            )
        )
    if filters.near is not None:
        lat, lng, radius = filters.near
        south, west, north, east = bbox_around(lat, lng, radius)  # min_lat, min_lng, max_lat, max_lng
        qs = qs.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    if filters.q:
        from squaremile.core.search import ranked_ids

        qs = qs.filter(pk__in=ranked_ids(filters.q, kind="story"))
    return qs.order_by("-published_at", "-id")


def page_of(qs: QuerySet[Story], page: int, size: int = LIST_SIZE) -> tuple[list[Story], bool]:
    """One page of a list without counting the whole list: the rows, and whether more follow."""
    page = max(1, min(page, MAX_PAGE))
    rows = list(for_list(qs)[(page - 1) * size : page * size + 1])
    return rows[:size], len(rows) > size


def story_for_page(pk: int, user) -> Story | None:
    story = (
        Story.objects.select_related("owner__profile", "organisation", "area", "feed")
        .defer("area__boundary", "organisation__description")  # the page shows their names only
        .prefetch_related(
            "tags",
            "attachments",
            Prefetch(
                "comments",
                queryset=StoryComment.objects.filter(status=S.PUBLISHED).select_related("owner__profile"),
                to_attr="shown_comments",
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if story is None or not can_view(user, story):
        return None
    return story


def linked_records(story: Story, user) -> list:
    """The records the story is about that this person may see, in the order they were linked."""
    by_ct: dict[int, list[int]] = {}
    links = list(story.links.all())
    for link in links:
        by_ct.setdefault(link.content_type_id, []).append(link.object_id)
    found = {}
    for ct_id, ids in by_ct.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if any(f.name == "boundary" for f in model._meta.concrete_fields):
            qs = qs.defer("boundary")  # an area's outline: megabytes a card never shows
        for obj in qs:
            found[(ct_id, obj.pk)] = obj
    from squaremile.core.records import may_see

    return [
        found[(link.content_type_id, link.object_id)]
        for link in links
        if (link.content_type_id, link.object_id) in found
        and may_see(user, found[(link.content_type_id, link.object_id)])
    ]


def about(obj) -> QuerySet[Story]:
    """Published stories about a record: linked to it, and for an area or an organisation, also
    those that happened there or were told on its behalf."""
    ct = ContentType.objects.get_for_model(type(obj))
    q = Q(pk__in=StoryLink.objects.filter(content_type=ct, object_id=obj.pk).values("story_id"))
    label = obj._meta.label_lower
    if label == "places.area":
        q |= Q(area_id=obj.pk)
    elif label == "directory.organisation":
        q |= Q(organisation_id=obj.pk)
    return published().filter(q).order_by("-published_at", "-id")


def has_helped(story: Story, user) -> bool:
    return signed_in(user) and StoryHelped.objects.filter(story=story, user=user).exists()


def draft_of(user, pk) -> Story | None:
    """A person's own draft (the form saves as they type)."""
    if not signed_in(user):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Story.objects.filter(pk=pk, owner=user, status=S.DRAFT, kind=StoryKind.OWN).first()


def my_drafts(user) -> QuerySet[Story]:
    if not signed_in(user):
        return Story.objects.none()
    return Story.objects.filter(owner=user, status=S.DRAFT, kind=StoryKind.OWN).order_by("-updated_at")


def my_stories(user) -> QuerySet[Story]:
    if not signed_in(user):
        return Story.objects.none()
    return Story.objects.filter(owner=user, kind=StoryKind.OWN).exclude(status=S.DRAFT).order_by("-created_at")


def feeds() -> QuerySet[StoryFeed]:
    return StoryFeed.objects.select_related("area").order_by("title", "id")


def resolve_refs(refs: list[str], user) -> tuple[list, list[str]]:
    """The records these references or page addresses name that `user` may see, and the ones that
    could not be used (missing, hidden or not a record)."""
    from squaremile.core.records import resolve_url

    found, bad = [], []
    seen = set()
    for raw in refs:
        raw = (raw or "").strip()
        if not raw:
            continue
        obj = resolve(raw, user=user) if "://" not in raw and not raw.startswith("/") else resolve_url(raw, user=user)
        if obj is None:
            bad.append(raw)
            continue
        key = (obj._meta.label_lower, obj.pk)
        if key not in seen:
            seen.add(key)
            found.append(obj)
    return found, bad


def in_bbox(*, west: float, south: float, east: float, north: float, limit: int = 500) -> list[Story]:
    return list(
        published()
        .filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
        .only("id", "title", "lat", "lng", "kind")
        .order_by("-published_at", "-id")[:limit]
    )


def booklet_stories(*, ids=None, tag=None, area=None, date_from=None, date_to=None, limit: int = 200) -> list[Story]:
    qs = published().filter(kind=StoryKind.OWN)
    if ids:
        qs = qs.filter(pk__in=ids)
    if tag is not None:
        qs = qs.filter(tags=tag)
    if area is not None:
        qs = qs.filter(area=area)
    if date_from:
        qs = qs.filter(Q(happened_on__gte=date_from) | Q(happened_on__isnull=True, published_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(happened_on__lte=date_to) | Q(happened_on__isnull=True, published_at__date__lte=date_to))
    return list(for_cards(qs.order_by("-published_at", "-id"))[:limit])


def data_export(user) -> dict:
    """A person's stories for their data download (`accounts.data_export`): every story they told,
    drafts and those waiting or taken down included, with what each is about and its photos'
    details (the files themselves are at the addresses given), and the replies they wrote."""
    stories = (
        Story.objects.filter(owner=user, kind=StoryKind.OWN)
        .select_related("organisation", "area")
        .prefetch_related("tags", "links", "attachments")
        .order_by("created_at", "id")
    )
    return {
        "stories": [
            {
                "id": s.pk,
                "status": s.status,
                "title": s.title,
                "text": s.body,
                "on_behalf_of": s.organisation.name if s.organisation_id else None,
                "area": s.area.name if s.area_id else None,
                "lat": s.lat,
                "lng": s.lng,
                "happened_on": s.happened_on.isoformat() if s.happened_on else None,
                "tags": [t.name for t in s.tags.all()],
                "media_links": [line for line in s.media_links.splitlines() if line.strip()],
                "about": [link.ref for link in s.links.all()],
                "photos": [
                    {
                        "file": a.file.url,
                        "alt": a.alt,
                        "content_type": a.mime,
                        "size": a.size,
                        "width": a.width,
                        "height": a.height,
                        "added_at": a.created_at.isoformat(),
                    }
                    for a in s.attachments.all()
                ],  # fmt: skip
                "helped_count": s.helped_count,
                "created_at": s.created_at.isoformat(),
                "published_at": s.published_at.isoformat() if s.published_at else None,
            }
            for s in stories
        ],
        "replies": [
            {"story": c.story_id, "text": c.body, "status": c.status, "created_at": c.created_at.isoformat()}
            for c in StoryComment.objects.filter(owner=user).order_by("created_at", "id")
        ],
        "helped": list(StoryHelped.objects.filter(user=user).order_by("story_id").values_list("story_id", flat=True)),
    }
