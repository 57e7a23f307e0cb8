"""Reads of the method library: what a person may see, filtered, with what the pages need joined."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from squaremile.core import search
from squaremile.core.permissions import can
from squaremile.methods.models import Collection, Method, MethodRevision, Purpose, Setting, UsageReport
from squaremile.moderation.models import ModerationState as S

SEARCH_KIND = "method"


@dataclass
class MethodFilters:
    q: str = ""
    purpose: str = ""
    people: int | None = None
    minutes: int | None = None  # at most this long
    setting: str = ""
    sort: str = "name"  # "name" or "used"


def visible_methods(user):
    """Published methods for everyone; moderators see every state (the queue links here)."""
    if can(user, "method.moderate"):
        return Method.objects.all()
    mine = Q(owner_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
    return Method.objects.filter(Q(status=S.PUBLISHED) | mine)


LIST_FIELDS = (
    "slug", "name", "summary", "purposes", "min_people", "max_people", "minutes", "setting", "difficulty",
    "use_count", "licence",
)  # fmt: skip


def method_list(user, filters: MethodFilters):
    qs = Method.objects.filter(status=S.PUBLISHED).only(*LIST_FIELDS)
    if filters.purpose in Purpose.values:
        qs = qs.filter(purposes__contains=f",{filters.purpose},")
    if filters.people:
        qs = qs.filter(min_people__lte=filters.people, max_people__gte=filters.people)
    if filters.minutes:
        qs = qs.filter(minutes__lte=filters.minutes)
    if filters.setting in (Setting.FACE, Setting.ONLINE):
        qs = qs.filter(setting__in=[filters.setting, Setting.BOTH])
    if filters.q.strip():
        ids = search.ranked_ids(filters.q, kind=SEARCH_KIND)
        qs = qs.filter(pk__in=ids)
        if filters.sort != "used":
            order = {pk: i for i, pk in enumerate(ids)}
            return sorted(qs, key=lambda m: order.get(m.pk, 0))
    return qs.order_by("-use_count", "name", "id") if filters.sort == "used" else qs.order_by("name", "id")


def methods_in_order(ids: list[int]) -> list[Method]:
    """The list's rows for a page of ids (read off the list's index first: a deep page then skips
    index entries, not table rows), in the ids' order."""
    found = Method.objects.only(*LIST_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def method_detail(user, slug: str) -> Method | None:
    return (
        visible_methods(user).select_related("owner").prefetch_related("steps", "attachments").filter(slug=slug).first()
    )


def reports_of(method: Method, *, limit: int = 10):
    return list(
        UsageReport.objects.filter(method=method, status=S.PUBLISHED)
        .select_related("owner")
        .prefetch_related("attachments")
        .order_by("-used_on", "-id")[:limit]
    )


def report_totals(method: Method) -> dict:
    return UsageReport.objects.filter(method=method, status=S.PUBLISHED).aggregate(
        reports=Count("id"), people=Sum("people")
    )


def pending_revisions(method: Method):
    return list(MethodRevision.objects.filter(method=method, status=S.PENDING).select_related("owner"))


def collections():
    return Collection.objects.annotate(size=Count("items")).order_by("title")


def collection_methods(collection: Collection):
    return list(
        Method.objects.filter(collection_items__collection=collection, status=S.PUBLISHED)
        .prefetch_related("steps")
        .order_by("collection_items__position")
    )
