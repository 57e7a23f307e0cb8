"""Who is blocked: one person's block hides the other's items and stops their messages.

Blocking belongs to `conversations` (below this app); this module only asks it, as sets of ids
that the exchange's queries can exclude in SQL."""

from __future__ import annotations


def blocked_ids(user) -> set[int]:
    """People `user` blocked or who blocked `user` (either way, they do not meet here)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    try:
        from squaremile.conversations import selectors
    except ImportError:  # conversations' blocking not there yet
        return set()
    finder = getattr(selectors, "blocked_user_ids", None)
    return set(finder(user)) if finder else set()


def blocking_ids(user) -> set[int]:
    """The same, seen from the other side (blocking is mutual here)."""
    return blocked_ids(user)
