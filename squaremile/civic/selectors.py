"""Civic reads: bodies, representatives, reports (lists, nearby duplicates, the map), questions, and
"who serves my square mile"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from squaremile.civic import routing
from squaremile.civic.models import (
    Body,
    ProblemCategory,
    QuestionRecipient,
    Report,
    ReportStatus,
    RepQuestion,
    Representative,
)
from squaremile.core.permissions import can
from squaremile.mapping.layers import feature
from squaremile.moderation.models import ModerationState
from squaremile.places.selectors import areas_containing, near

DUPLICATE_RADIUS_M = 50
DUPLICATE_WEEKS = 8
MAP_LIMIT = 500


def categories() -> QuerySet[ProblemCategory]:
    return ProblemCategory.objects.filter(bodies__isnull=False).distinct().order_by("group", "name")


def bodies() -> QuerySet[Body]:
    return Body.objects.prefetch_related("categories", "areas").order_by("name")


def representatives() -> QuerySet[Representative]:
    return Representative.objects.select_related("area", "body").order_by("name")


def report_list(*, body: Body | None = None, category=None, status: str = "") -> QuerySet[Report]:
    qs = Report.objects.filter(moderation=ModerationState.PUBLISHED).select_related(
        "category", "body", "area", "owner__profile"
    )
    if body is not None:
        qs = qs.filter(body=body)
    if category is not None:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def may_see_report(user, report: Report) -> bool:
    """A published report is public; a hidden one is seen by moderators (and its reporter), a draft
    (waiting for its e-mail link) by nobody but moderators."""
    if report.moderation == ModerationState.PUBLISHED:
        return True
    if can(user, "report.moderate"):
        return True
    return (
        report.moderation == ModerationState.HIDDEN
        and report.owner_id is not None
        and (report.owner_id == getattr(user, "pk", None))
    )


def report_detail(pk: int) -> Report | None:
    return (
        Report.objects.select_related("category", "body", "area", "owner__profile")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )


def updates_of(report: Report):
    return report.updates.select_related("author__profile").order_by("created_at", "id")


def nearby_duplicates(*, lat: float, lng: float, category, now=None) -> list[Report]:
    """Open reports of the same category within 50 m made in the last weeks, nearest first."""
    now = now or timezone.now()
    qs = Report.objects.filter(
        category=category,
        is_open=True,
        moderation=ModerationState.PUBLISHED,
        created_at__gte=now - timedelta(weeks=DUPLICATE_WEEKS),
    ).select_related("category", "body")
    found, _ = near(qs, lat=lat, lng=lng, radius_m=DUPLICATE_RADIUS_M, limit=5)
    return found


def map_features(*, west: float, south: float, east: float, north: float, limit: int = MAP_LIMIT) -> list[dict]:
    """At most `limit` reports inside the box, newest first, as GeoJSON features (the map layer)."""
    rows = (
        Report.objects.filter(
            lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east, moderation=ModerationState.PUBLISHED
        )
        .order_by()
        .values_list("pk", "title", "lat", "lng", "status")[:limit]
    )
    labels = dict(ReportStatus.choices)
    return [
        feature(lat=lat, lng=lng, title=title, url=f"/civic/reports/{pk}/", kind=f"Problem report: {labels[status]}")
        for pk, title, lat, lng, status in rows
    ]


# ---- questions ------------------------------------------------------------------------------------
def published_questions() -> QuerySet[RepQuestion]:
    return (
        RepQuestion.objects.filter(status=ModerationState.PUBLISHED)
        .select_related("owner__profile", "area")
        .prefetch_related(Prefetch("recipients", queryset=QuestionRecipient.objects.select_related("representative")))
        .order_by("-published_at", "-id")
    )


def may_see_question(user, q: RepQuestion) -> bool:
    if q.status == ModerationState.PUBLISHED:
        return True
    return (q.owner_id is not None and q.owner_id == getattr(user, "pk", None)) or can(user, "repquestion.moderate")


def question_detail(pk: int) -> RepQuestion | None:
    return (
        RepQuestion.objects.select_related("owner__profile", "area")
        .prefetch_related(Prefetch("recipients", queryset=QuestionRecipient.objects.select_related("representative")))
        .filter(pk=pk)
        .first()
    )


# ---- who serves my square mile --------------------------------------------------------------------
@dataclass
class Serving:
    lat: float
    lng: float
    areas: list = field(default_factory=list)
    bodies: list = field(default_factory=list)
    representatives: list = field(default_factory=list)


def body_figures(bodies: list[Body], *, now=None) -> None:
    """How responsive each body has been over the last 12 months, set on each body: `reports_12m`,
    `fixed_12m` (fixed or closed), `median_fix_days` (from the report to the update that marked it
    fixed; the latest 500 per body). Two queries for any number of bodies."""
    import statistics

    from django.db.models import Count, Q

    from squaremile.civic.models import ReportUpdate

    now = now or timezone.now()
    since = now - timedelta(days=365)
    ids = [b.pk for b in bodies]
    counts = {
        row["body_id"]: row
        for row in Report.objects.filter(body_id__in=ids, created_at__gte=since, moderation=ModerationState.PUBLISHED)
        .values("body_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=("fixed", "closed"))))
    }
    days: dict[int, list[float]] = {}
    fixes = (
        ReportUpdate.objects.filter(report__body_id__in=ids, report__created_at__gte=since, status_after="fixed")
        .order_by("-created_at")
        .values_list("report__body_id", "created_at", "report__created_at")[: 500 * max(len(ids), 1)]
    )
    for body_id, fixed_at, made_at in fixes:
        days.setdefault(body_id, []).append((fixed_at - made_at).total_seconds() / 86400)
    for b in bodies:
        row = counts.get(b.pk, {})
        b.reports_12m, b.fixed_12m = row.get("n", 0), row.get("done", 0)
        b.median_fix_days = round(statistics.median(days[b.pk]), 1) if days.get(b.pk) else None


def who_serves(*, lat: float, lng: float) -> Serving:
    areas = areas_containing(lat=lat, lng=lng)
    reps = list(
        Representative.objects.filter(area__in=[a.pk for a in areas])
        .select_related("area", "body")
        .order_by("area__area_sq_deg", "name")
    )
    found = routing.bodies_for_point(lat=lat, lng=lng)
    body_figures(found)
    return Serving(lat=lat, lng=lng, areas=areas, bodies=found, representatives=reps)


def representatives_for_point(*, lat: float, lng: float) -> list[Representative]:
    return who_serves(lat=lat, lng=lng).representatives
