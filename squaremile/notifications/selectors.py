"""Reads: a person's notifications and unread count, who follows what, a person's choices."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from squaremile.notifications import kinds
from squaremile.notifications.models import Delivery, Follow, Notification, Preference


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    """Newest first, for the list page (paginate it)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def _target_filter(target) -> dict:
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def followers_of(target):
    """The active people who follow ``target``."""
    from django.contrib.auth import get_user_model

    ids = Follow.objects.filter(**_target_filter(target)).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


def followers_of_any(targets):
    """The active people who follow at least one of ``targets`` (None entries are skipped)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    condition = Q(pk__in=[])
    for target in targets:
        if target is not None and target.pk is not None:
            condition |= Q(**_target_filter(target))
    ids = Follow.objects.filter(condition).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


def is_following(user, target) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(user=user, **_target_filter(target)).exists()


def follows_of(user):
    return Follow.objects.filter(user=user).select_related("target_type").order_by("-created_at")


def delivery_for(user, kind: str) -> str:
    pref = Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return pref or kinds.get(kind).default


def preferences_for(user) -> list[tuple[kinds.Kind, str]]:
    """Each kind this person may choose for, with their choice (or the default)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(k, chosen.get(k.key, k.default)) for k in kinds.all_kinds() if k.offered_to(user)]


__all__ = ["Delivery"]
