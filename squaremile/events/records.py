"""Events as records others can link to and show as cards (core/records.py), and the "Events"
box on the pages of areas, organisations and conversation groups."""

from django.utils import timezone

from squaremile.core.records import Panel, PanelItems, RecordKind, register_kind, register_panel
from squaremile.core.text import plain_text
from squaremile.events.models import Event

PANEL_SIZE = 5


def _meta(event: Event) -> str:
    when = timezone.localtime(event.starts_at).strftime("%-d %b %Y, %H:%M")
    where = event.venue_name or ("Online" if event.is_online else "")
    status = " · cancelled" if event.is_cancelled else ""
    return " · ".join(p for p in (when, where) if p) + status


def _events_of(field: str):
    def items(obj, user):
        from django.urls import reverse

        qs = Event.objects.filter(**{field: obj}, ends_at__gte=timezone.now()).order_by("starts_at", "id")
        first = list(qs[:PANEL_SIZE])
        if not first:
            return None
        total = len(first) if len(first) < PANEL_SIZE else qs.count()
        key = field
        return PanelItems(items=first, total=total, more_url=f"{reverse('events:list')}?{key}={obj.slug}")

    return items


def register() -> None:
    register_kind(
        RecordKind(
            model=Event,
            label="Event",
            visible=lambda user, event: True,  # every event's page is public
            title=lambda event: event.title,
            summary=lambda event: plain_text(event.description or "", 160),
            meta=_meta,
            url_names={"events:detail": "slug"},
            url_field="slug",
        )
    )
    register_panel(
        Panel(
            key="events_area",
            title="Events coming up here",
            items=_events_of("area"),
            applies_to=("places.area",),
            order=60,
        )
    )
    register_panel(
        Panel(
            key="events_group",
            title="Events coming up",
            items=_events_of("group"),
            applies_to=("conversations.group",),
            order=60,
        )
    )
    register_panel(
        Panel(
            key="events_organisation",
            title="Events coming up",
            items=_events_of("organisation"),
            applies_to=("directory.organisation",),
            order=60,
        )
    )
