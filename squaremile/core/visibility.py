"""Who may see a record, or a part of one: one rule per visibility level.

The levels are the values of `core.models.Visibility` (public, members, nobody) and, for records
that live in a space, `core.models.SpaceVisibility` (the same plus "organisers"):

* public      everyone;
* members     anyone signed in (with an active account);
* organisers  the organisers of the record's space: its owner and holders of an organiser or
              facilitator role there (`core.permissions.runs_space`);
* nobody      (private) nobody else.

At every level, the people who hold the record's "see everything" action also see it: `action`
names a row of `core/permissions.py` (e.g. `profile.see_hidden`: the person themself and
moderators), so the owner rule, the least role and any space roles come from the one table.

Two forms of the same rule:
* `may_see(user, level, obj=..., action=...)` for one record in hand;
* `visible_q(user, action=..., ...)` / `VisibleQuerySet.visible_to(user)` for a queryset, in SQL.
"""

from django.db import models
from django.db.models import Q

from squaremile.core.models import SpaceVisibility
from squaremile.core.permissions import (
    RULES,
    SPACE_RUNNERS,
    can,
    owner_may_q,
    runs_space,
    signed_in,
    space_ids_q,
    space_of,
)

PUBLIC, MEMBERS, ORGANISERS, NOBODY = (
    SpaceVisibility.PUBLIC.value,
    SpaceVisibility.MEMBERS.value,
    SpaceVisibility.ORGANISERS.value,
    SpaceVisibility.NOBODY.value,
)


def may_see(user, level: str, *, obj, action: str) -> bool:
    """Whether `user` may see `obj` (or the part of it) marked `level`."""
    if level == PUBLIC:
        return True
    if not signed_in(user):
        return False
    if level == MEMBERS:
        return True
    if level == ORGANISERS and runs_space(user, space_of(obj)):
        return True
    return can(user, action, obj)


def visible_q(
    user,
    *,
    action: str,
    visibility_field: str = "visibility",
    owner_field: str | None = "owner",
    space_field: str | None = None,
    space_model=None,
) -> Q:
    """The records `user` may see, as a filter: the same rule as `may_see`, in SQL.

    `owner_field` names the record's owner (for the action's owner rule). `space_field` names the
    foreign key to the record's space (`"pk"` when the record is the space itself) and `space_model`
    the space's model. Without a space, the "organisers" level is seen only by those the action
    admits."""
    if can(user, action):  # the action's least role sees everything
        return Q()
    q = Q(**{visibility_field: PUBLIC})
    if not signed_in(user):
        return q
    q |= Q(**{visibility_field: MEMBERS})
    rule = RULES[action]
    if owner_field:
        q |= owner_may_q(user, action, owner_field)
    if space_field:
        if space_model is None:
            raise ValueError("visible_q needs space_model with space_field")
        runners = Q(**{visibility_field: ORGANISERS}) & space_ids_q(user, space_model, SPACE_RUNNERS, space_field)
        q |= runners
        space_owner = owner_field if space_field == "pk" else f"{space_field}__owner"
        if space_owner and _has_owner(space_model):
            q |= Q(**{visibility_field: ORGANISERS, space_owner: user.pk})
        if rule.space_roles:
            q |= space_ids_q(user, space_model, rule.space_roles, space_field)
    return q


def _has_owner(model) -> bool:
    return any(f.name == "owner" for f in model._meta.get_fields())


class VisibleQuerySet(models.QuerySet):
    """A queryset whose records carry a visibility: `Model.objects.visible_to(user)`.

    Use it as the model's manager (`objects = VisibleQuerySet.as_manager()`, or a subclass) and
    name on the model: `visibility_action` (required: the row of core/permissions.py whose holders
    see everything), and where they differ from the defaults `visibility_field` ("visibility"),
    `visibility_owner_field` ("owner"), `visibility_space_field` (None; "pk" when the record is a
    space itself, else the foreign key to its space)."""

    def visible_to(self, user):
        model = self.model
        space_field = getattr(model, "visibility_space_field", None)
        space_model = None
        if space_field == "pk":
            space_model = model
        elif space_field:
            space_model = model._meta.get_field(space_field).related_model
        return self.filter(
            visible_q(
                user,
                action=model.visibility_action,
                visibility_field=getattr(model, "visibility_field", "visibility"),
                owner_field=getattr(model, "visibility_owner_field", "owner"),
                space_field=space_field,
                space_model=space_model,
            )
        )
