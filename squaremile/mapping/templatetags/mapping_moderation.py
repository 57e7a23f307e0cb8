"""What the moderation panel and the history on an entry's page need, computed from the entry and
the person looking, so that the page including them passes nothing but `entry` and `request`."""

from django import template

from squaremile.core.permissions import can
from squaremile.mapping.entries import services
from squaremile.mapping.models import EntryStatus

register = template.Library()


@register.simple_tag
def moderation_for(entry, user) -> dict:
    """Which actions this person may take on this entry, and which apply to it now."""
    moderator = services.is_moderator(user)
    allowed = {}
    if moderator:
        for action in ("publish", "reject", "verify", "unverify", "archive", "hide", "restore", "merge"):
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
def history_visible(entry, user) -> bool:
    """An entry's history is for its moderators and its owner (nobody else sees it)."""
    return services.is_moderator(user) or (user.is_authenticated and entry.owner_id == user.pk)
