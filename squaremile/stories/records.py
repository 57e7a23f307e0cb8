"""Stories as records others can link to and show as cards, and the "Stories about this" box on
the pages of what stories are about (core/records.py)."""

from django.urls import reverse

from squaremile.core.records import Panel, PanelItems, RecordKind, register_kind, register_panel
from squaremile.stories import selectors
from squaremile.stories.models import Story

PANEL_SIZE = 5
ABOUT = (
    "mapping.entry",
    "directory.organisation",
    "directory.project",
    "accounts.profile",
    "places.area",
    "network.survey",
    "conversations.group",
)


def _image(story: Story) -> str:
    photos = [a for a in story.attachments.all() if a.kind == "image"]
    return photos[0].thumbnail_url if photos else ""


def _meta(story: Story) -> str:
    parts = []
    if story.is_linked and story.source:
        parts.append(f"From {story.source}")
    elif story.organisation_id:
        parts.append(story.organisation.name)
    if story.published_at:
        parts.append(story.published_at.strftime("%-d %B %Y"))
    return " · ".join(parts)


def _more_url(obj) -> str:
    label = obj._meta.label_lower
    base = reverse("stories:list")
    if label == "places.area":
        return f"{base}?area={obj.slug}"
    if label == "directory.organisation":
        return f"{base}?organisation={obj.slug}"
    return ""


def _about(obj, user):
    qs = selectors.about(obj)
    items = list(selectors.for_list(qs)[: PANEL_SIZE + 1])
    if not items:
        return None
    total = len(items) if len(items) <= PANEL_SIZE else qs.count()
    return PanelItems(items=items[:PANEL_SIZE], total=total, more_url=_more_url(obj))


def register() -> None:
    register_kind(
        RecordKind(
            model=Story,
            label="Story",
            visible=selectors.can_view,
            title=lambda story: story.title,
            summary=lambda story: story.summary[:160],
            meta=_meta,
            image=_image,
            url_names={"stories:detail": "pk"},
        )
    )
    register_panel(Panel(key="stories", title="Stories about this", items=_about, applies_to=ABOUT, order=50))
