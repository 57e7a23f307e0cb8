"""What the moderation panel and the history on an entry's page need, computed from the entry and
the person looking, so that the page including them passes nothing but `entry` and `request`."""

from django import template

from squaremile.core.permissions import can
from squaremile.mapping import services
from squaremile.mapping.models import EntryEvent, EntryStatus

register = template.Library()
HISTORY_LIMIT = 100


@register.simple_tag
def moderation_for(entry, user) -> dict:
    """Which actions this person may take on this entry, and which apply to it now."""
    moderator = services.is_moderator(user)
    allowed = {}
    if moderator:
        for action in ("publish", "reject", "verify", "unverify", "archive", "restore", "merge"):
            allowed[action] = (
                services.transition_error(entry, action, into=entry if action != "merge" else None) is None
            )
        allowed["merge"] = entry.status != EntryStatus.MERGED
    return {
        "moderator": moderator,
        "allowed": allowed,
        "can_edit": user.is_authenticated and can(user, "entry.change", entry) and services.may_edit(entry, user),
        "can_delete": user.is_authenticated and can(user, "entry.delete", entry),
    }


@register.simple_tag
def history_for(entry, user) -> dict:
    """The entry's history for its moderators and its owner (nobody else sees it)."""
    visible = services.is_moderator(user) or (user.is_authenticated and entry.owner_id == user.pk)
    if not visible:
        return {"visible": False, "events": []}
    events = list(
        EntryEvent.objects.filter(entry=entry)
        .select_related("actor__profile")
        .order_by("-created_at", "-id")[: HISTORY_LIMIT + 1]
    )
    return {"visible": True, "events": events[:HISTORY_LIMIT], "more": len(events) > HISTORY_LIMIT}


@register.filter
def change_rows(changes) -> list[tuple[str, str, str]]:
    """EntryEvent.changes as (field, before, after) rows in words."""
    rows = []
    for field, pair in (changes or {}).items():
        try:
            before, after = pair
        except (TypeError, ValueError):
            before, after = "", pair
        rows.append((field.replace("_", " "), _word(before), _word(after)))
    return rows


def _word(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_word(v)}" for k, v in value.items()) or "(none)"
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"
