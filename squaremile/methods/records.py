"""Methods as records other apps link to and show as cards (`core.records`), and the box on an
area's page listing the skills a skills game found nobody there has. Registered from `ready()`."""

from __future__ import annotations

from squaremile.core import records
from squaremile.methods.models import Collection, Method, SkillGap
from squaremile.moderation.models import ModerationState as S


def _method_visible(user, method) -> bool:
    from squaremile.core.permissions import can

    return (
        method.status == S.PUBLISHED
        or can(user, "method.moderate", method)
        or (getattr(user, "pk", None) is not None and method.owner_id == user.pk)
    )


def _method_meta(method) -> str:
    uses = f" · used {method.use_count} time{'s' if method.use_count != 1 else ''}" if method.use_count else ""
    return f"{method.min_people}–{method.max_people} people · {method.minutes} min{uses}"


records.register_kind(
    records.RecordKind(
        model=Method,
        label="Method",
        visible=_method_visible,
        title=lambda m: m.name,
        summary=lambda m: m.summary,
        meta=_method_meta,
        url_names={"methods:detail": "slug", "methods:print": "slug"},
        url_field="slug",
    )
)

records.register_kind(
    records.RecordKind(
        model=Collection,
        label="Collection of methods",
        visible=lambda user, c: True,
        title=lambda c: c.title,
        summary=lambda c: c.description[:200],
        url_names={"methods:collection": "slug"},
        url_field="slug",
    )
)


def _area_gaps(area, user):
    qs = SkillGap.objects.filter(area=area).select_related("skill").order_by("skill__name")
    skills = list({g.skill_id: g.skill for g in qs[:200]}.values())
    if not skills:
        return None
    return records.PanelItems(items=skills[:30], total=len(skills))


records.register_panel(
    records.Panel(
        key="skill-gaps",
        title="Skills nobody we know has (from the skills game)",
        items=_area_gaps,
        applies_to=("places.area",),
        template="methods/includes/_gaps_panel.html",
        order=60,
    )
)
