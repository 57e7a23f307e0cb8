from django.utils.functional import SimpleLazyObject

from squaremile.notifications.selectors import unread_count


def unread(request):
    """``NOTIFICATIONS_UNREAD``: the signed-in person's unread count, one query, only when a template
    uses it, at most once per request."""

    def count():
        if not hasattr(request, "_notifications_unread"):
            request._notifications_unread = unread_count(getattr(request, "user", None))
        return request._notifications_unread

    return {"NOTIFICATIONS_UNREAD": SimpleLazyObject(count)}
