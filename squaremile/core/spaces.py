"""Roles in a space: writes (`grant`, `revoke`) and reads (`holders`, `spaces_of`).

A space is any record people run together (a survey now; an event or a group later). Managing its
people needs the action `"<model name>.roles"` in `core/permissions.py` (`survey.roles`): a feature
app that makes a model a space adds that row, and rows whose `space_roles` say what each role may do.
The page on which people are added by e-mail, removed, or leave is `core/space_people.py`.
Nothing here names a feature app.
"""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from squaremile.core.models import SpaceRole, SpaceRoleKind
from squaremile.core.permissions import forget_space_roles, require


def roles_action(space) -> str:
    """The action that lets someone manage the roles of this space: `<model name>.roles`."""
    return f"{space._meta.model_name}.roles"


def _where(space) -> dict:
    if space.pk is None:
        raise ValueError("A space must be saved before anyone can hold a role in it.")
    return {"content_type": ContentType.objects.get_for_model(space), "object_id": space.pk}


@transaction.atomic
def grant(*, space, user, role: str = SpaceRoleKind.ORGANISER, by, checked_by_caller: bool = False) -> SpaceRole:
    """Give `user` a role in `space` (idempotent: granting it twice keeps one row).
    `checked_by_caller`: a service that has already decided (a person joining an open group
    themselves) says so; nobody else's word is taken."""
    if not checked_by_caller:
        require(by, roles_action(space), space)
    if role not in SpaceRoleKind.values:
        raise ValueError(f"Unknown role {role!r}")
    if not user.is_active:
        raise ValueError("This account is closed: it cannot be given a role.")
    held, _ = SpaceRole.objects.get_or_create(
        **_where(space), user=user, role=role, defaults={"granted_by": by if getattr(by, "pk", None) else None}
    )
    forget_space_roles(user)
    return held


@transaction.atomic
def revoke(*, space, user, role: str = SpaceRoleKind.ORGANISER, by, checked_by_caller: bool = False) -> bool:
    """Take a role in `space` away from `user`; True when they held it (`checked_by_caller`: a
    person leaving a group themselves)."""
    if not checked_by_caller:
        require(by, roles_action(space), space)
    deleted, _ = SpaceRole.objects.filter(**_where(space), user=user, role=role).delete()
    forget_space_roles(user)
    return bool(deleted)


def holders(space, role: str | Sequence[str] | None = None) -> QuerySet[SpaceRole]:
    """The roles held in `space` (of one kind, or of some kinds, when `role` is given), with their people."""
    if space.pk is None:
        return SpaceRole.objects.none()
    qs = SpaceRole.objects.filter(**_where(space)).select_related("user")
    if isinstance(role, str):
        qs = qs.filter(role=role)
    elif role is not None:
        qs = qs.filter(role__in=list(role))
    return qs.order_by("role", "created_at", "id")


def spaces_of(user, model, role: str | None = None) -> QuerySet:
    """The records of `model` in which `user` holds a role (of one kind when `role` is given)."""
    from squaremile.core.permissions import space_ids_q

    roles = [role] if role else SpaceRoleKind.values
    return model._default_manager.filter(space_ids_q(user, model, roles))


def roles_of(user, model) -> QuerySet[SpaceRole]:
    """The roles `user` holds in records of `model` (`object_id`, `role`), oldest first."""
    if not getattr(user, "pk", None):
        return SpaceRole.objects.none()
    return SpaceRole.objects.filter(user=user, content_type=ContentType.objects.get_for_model(model)).order_by("id")


def drop_space(space) -> int:
    """Remove every role held in a space (call when the space itself is deleted: a generic relation
    has no cascade)."""
    if space.pk is None:
        return 0
    return SpaceRole.objects.filter(**_where(space)).delete()[0]
