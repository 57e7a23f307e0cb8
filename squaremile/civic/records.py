"""Civic records as cards and link targets (core/records.py), and the boxes civic puts on other
records' pages: "Raise this with…" on a map threat or cut, "Who serves this area" on an area."""

from __future__ import annotations

from squaremile.civic.models import Body, ProblemCategory, Report, RepQuestion, Representative
from squaremile.core.records import Panel, PanelItems, RecordKind, register_kind, register_panel
from squaremile.core.text import plain_text
from squaremile.moderation.models import ModerationState


def _question_visible(user, q) -> bool:
    return q.status == ModerationState.PUBLISHED or (q.owner_id is not None and q.owner_id == getattr(user, "pk", None))


def _report_visible(user, r) -> bool:
    from squaremile.civic.selectors import may_see_report

    return may_see_report(user, r)


def _threat_panel(entry, user):
    category = getattr(entry, "category", None)
    if category is None or not getattr(category, "is_threat", False) or entry.status != "published":
        return None
    from squaremile.civic import routing, selectors

    threat = ProblemCategory.objects.filter(is_threat=True).order_by("pk").first()
    bodies = routing.route(lat=entry.lat, lng=entry.lng, category=threat).choices if threat else []
    reps = selectors.representatives_for_point(lat=entry.lat, lng=entry.lng)
    raised = list(
        Report.objects.filter(
            from_ref=f"mapping.entry:{entry.pk}", moderation=ModerationState.PUBLISHED
        ).select_related("body")[:5]
    )
    items = [{"bodies": bodies, "reps": reps, "category": threat, "raised": raised}]
    return PanelItems(items=items, total=len(bodies) + len(reps) + len(raised))


def _area_panel(area, user):
    from squaremile.civic.models import Representative

    bodies = list(Body.objects.filter(areas=area).order_by("name")[:10])
    reps = list(Representative.objects.filter(area=area).select_related("body").order_by("name")[:20])
    if not bodies and not reps:
        return None
    return PanelItems(items=[{"bodies": bodies, "reps": reps}], total=len(bodies) + len(reps))


def register() -> None:
    register_kind(
        RecordKind(
            model=Report, label="Problem report", visible=_report_visible, title=lambda r: r.title,
            summary=lambda r: plain_text(r.description or "", 160),
            meta=lambda r: f"{r.get_status_display()} · {r.category.name}",
            url_names={"civic:report_detail": "pk"},
        )
    )  # fmt: skip
    register_kind(
        RecordKind(
            model=Body, label="Public body", visible=lambda user, b: True, title=lambda b: b.name,
            meta=lambda b: b.get_kind_display(), url_names={"civic:body_detail": "slug"}, url_field="slug",
        )
    )  # fmt: skip
    register_kind(
        RecordKind(
            model=Representative, label="Representative", visible=lambda user, r: True, title=lambda r: r.name,
            meta=lambda r: f"{r.role} · {r.party_label}", url_names={"civic:representative_detail": "pk"},
        )
    )  # fmt: skip
    register_kind(
        RecordKind(
            model=RepQuestion, label="Question to representatives", visible=_question_visible,
            title=lambda q: q.title, summary=lambda q: plain_text(q.text or "", 160),
            url_names={"civic:question_detail": "pk"},
        )
    )  # fmt: skip
    register_panel(
        Panel(
            key="civic-raise", title="Raise this with the people responsible", items=_threat_panel,
            applies_to=("mapping.entry",), template="civic/includes/_raise_panel.html", order=20,
        )
    )  # fmt: skip
    register_panel(
        Panel(
            key="civic-serving", title="Who serves this area", items=_area_panel, applies_to=("places.area",),
            template="civic/includes/_area_panel.html", order=30,
        )
    )  # fmt: skip


def data_of(user) -> dict:
    """What civic holds about a person, for their data download."""
    from squaremile.civic.models import MeToo, ReportSupport, ReportUpdate

    return {
        "reports": [
            {"id": r.pk, "title": r.title, "description": r.description, "category": r.category.name,
             "lat": r.lat, "lng": r.lng, "status": r.status, "name_hidden": r.hide_name,
             "created_at": r.created_at.isoformat()}
            for r in Report.objects.filter(owner=user).select_related("category")
        ],
        "reports_supported": list(ReportSupport.objects.filter(user=user).values_list("report_id", flat=True)),
        "report_updates": [
            {"report": u.report_id, "text": u.text, "created_at": u.created_at.isoformat()}
            for u in ReportUpdate.objects.filter(author=user)
        ],
        "questions": [
            {"id": q.pk, "title": q.title, "text": q.text, "status": q.status, "created_at": q.created_at.isoformat()}
            for q in RepQuestion.objects.filter(owner=user)
        ],
        "me_too": list(MeToo.objects.filter(user=user).values_list("question_id", flat=True)),
    }  # fmt: skip
