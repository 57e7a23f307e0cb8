"""Who is blocked: a block (made in private conversations, `conversations.Block`) works both ways
here. It stops their messages (conversations does that) and hides their wants and offers from
you and yours from them; neither is matched with, asked about or alerted to the other's items.

As sets of ids, so that the exchange's queries can exclude them in SQL."""

from __future__ import annotations

from django.db.models import Q

from squaremile.conversations.models import Block


def blocked_ids(user) -> set[int]:
    """People `user` blocked or who blocked `user`."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return set()
    ids = set()
    for blocker, blocked in Block.objects.filter(Q(blocker_id=user.pk) | Q(blocked_id=user.pk)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked if blocker == user.pk else blocker)
    return ids
