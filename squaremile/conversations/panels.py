"""The "Groups" box on the pages of organisations and areas (core/records.py panels). A group's own
page shows the panels the apps above register for `conversations.group` (stories, events)."""

from __future__ import annotations

from django.urls import reverse

from squaremile.conversations import selectors
from squaremile.core.records import Panel, PanelItems, register_panel

SHOWN = 5


def _groups(obj, user):
    label = obj._meta.label_lower
    qs = selectors.groups_visible_to(user)
    if label == "directory.organisation":
        qs = qs.filter(organisation=obj)
        more = ""
    elif label == "places.area":
        qs = qs.filter(area=obj)
        more = reverse("conversations:group_list") + f"?area={obj.pk}"
    else:
        return None
    total = qs.count()
    if not total:
        return None
    return PanelItems(items=list(qs.order_by("name")[:SHOWN]), total=total, more_url=more)


def register() -> None:
    register_panel(Panel(key="conversations.groups", title="Groups", items=_groups,
                         applies_to=("directory.organisation", "places.area"), order=60))  # fmt: skip
