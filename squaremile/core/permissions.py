"""Who may do what: one table, checked by every service that writes and every page that shows.

Each action maps to a rule. A rule names
* the least site-wide role (`User.role`) that may do it for any record;
* whether the record's owner (or, for profiles, the person themself) may do it too, provided they
  hold at least `owner_min_role`;
* which roles in the record's *space* grant it (`space_roles`): a space is a record people run
  together (a survey; later an event or a group), and a person holds a role there through a
  `core.models.SpaceRole` row (`core/spaces.py` grants and revokes them). The space of a record is
  the record itself, or what its `permission_space()` method returns (a survey's round -> the survey).

This module is the only place that compares roles: templates ask through `{% can %}`
(`core/templatetags/squaremile.py`), querysets of "who may" come from `holders_of()`, the
"is staff" flag from `staff_flag_for()`, and "may see" rules per visibility level live in
`core/visibility.py` on top of `can()`. Later capabilities add their rows here and to the matrix in
`core/tests/test_permissions.py`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

MEMBER, ORGANISER, MODERATOR, ADMIN = "member", "organiser", "moderator", "admin"
RANK = {MEMBER: 1, ORGANISER: 2, MODERATOR: 3, ADMIN: 4}

# Roles in a space (the values of core.models.SpaceRoleKind).
SPACE_ORGANISER, SPACE_FACILITATOR, SPACE_MEMBER = "organiser", "facilitator", "member"
# Who counts as "the organisers of a space" (the ORGANISERS visibility level), besides its owner.
SPACE_RUNNERS = (SPACE_ORGANISER, SPACE_FACILITATOR)
RUNS_SURVEY = (SPACE_ORGANISER,)


@dataclass(frozen=True)
class Rule:
    min_role: str  # the least role that may act on any record
    owner_may: bool = False  # the record's owner may act on their own record
    owner_min_role: str = MEMBER  # ...provided they hold at least this role
    space_roles: tuple[str, ...] = ()  # roles in the record's space that may act on it too


RULES: dict[str, Rule] = {
    # the site itself
    "site.administer": Rule(min_role=ADMIN),  # the admin site, the development mailbox
    "job.view": Rule(min_role=ADMIN, owner_may=True),  # a background job's page and its files
    # directory. An organisation is a space: besides its owner, its organisers (SpaceRole "organiser")
    # edit it and choose its people; its members (SpaceRole "member") speak for it (a story, a want
    # or an offer posted on its behalf).
    "organisation.add": Rule(min_role=MEMBER),
    "organisation.change": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER,)),
    "organisation.delete": Rule(min_role=MODERATOR, owner_may=True),
    "organisation.see_hidden": Rule(  # contact details, whatever their visibility
        min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER, SPACE_MEMBER)
    ),
    "organisation.roles": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER,)),
    "organisation.speak_for": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER, SPACE_MEMBER)),
    "project.add": Rule(min_role=MEMBER),
    "project.change": Rule(min_role=MODERATOR, owner_may=True),
    "project.delete": Rule(min_role=MODERATOR, owner_may=True),
    "taxonomy.change": Rule(min_role=ADMIN),
    "organisation.import": Rule(min_role=MODERATOR),
    # places
    "area.add": Rule(min_role=ADMIN),
    "area.change": Rule(min_role=ADMIN),
    "area.delete": Rule(min_role=ADMIN),
    "place.import": Rule(min_role=ADMIN),  # the gazetteer: place names people type (places.importers)
    # mapping (the community map). Anonymous submission is a setting (MAP_ANONYMOUS_SUBMISSIONS), not a role.
    "entry.add": Rule(min_role=MEMBER),
    "entry.change": Rule(min_role=MODERATOR, owner_may=True),
    "entry.delete": Rule(min_role=MODERATOR, owner_may=True),
    "entry.moderate": Rule(min_role=MODERATOR),
    # trusted contributors: their entries in categories that allow it are published without review
    # (members become trusted by having an entry published: mapping.entries.services.is_trusted)
    "entry.publish_trusted": Rule(min_role=ORGANISER),
    "category.change": Rule(min_role=ADMIN),
    "entry.import": Rule(min_role=MODERATOR),
    # network (questionnaires, ties, analysis, weaving). A survey is a space: its owner and the
    # co-organisers they add (SpaceRole "organiser") run it.
    "survey.add": Rule(min_role=ORGANISER),
    "survey.change": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER, space_roles=RUNS_SURVEY),
    "survey.delete": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
    "survey.view_responses": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER, space_roles=RUNS_SURVEY),
    "survey.roles": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),  # add/remove co-organisers
    # moderation (squaremile.moderation): each moderated kind adds "<kind>.moderate" above
    "moderation.report": Rule(min_role=MEMBER),
    # notifications: following records and choosing one's own e-mails
    "follow.add": Rule(min_role=MEMBER),
    # accounts
    "profile.change": Rule(min_role=ADMIN, owner_may=True),
    "profile.see_hidden": Rule(min_role=MODERATOR, owner_may=True),  # every part, whatever its visibility
    "role.change": Rule(min_role=ADMIN),
    "apitoken.add": Rule(min_role=ADMIN, owner_may=True),
    "apitoken.delete": Rule(min_role=ADMIN, owner_may=True),
    # exchange (wants and offers): an item's owner changes it; organisers post for people not online
    "exchange.add": Rule(min_role=MEMBER),
    "exchange.change": Rule(min_role=MODERATOR, owner_may=True),
    "exchange.see_hidden": Rule(min_role=MODERATOR, owner_may=True),
    "exchange.moderate": Rule(min_role=MODERATOR),
    "exchange.post_for_others": Rule(min_role=ORGANISER),
    "exchangealert.change": Rule(min_role=ADMIN, owner_may=True),
    # civic (bodies, representatives, problem reports, questions to representatives). A body is a
    # space: its staff hold the "organiser" role in it and update the reports sent to it.
    "body.change": Rule(min_role=ADMIN, space_roles=(SPACE_ORGANISER,)),
    "body.roles": Rule(min_role=ADMIN, space_roles=(SPACE_ORGANISER,)),  # invite/remove a body's staff
    "representative.import": Rule(min_role=ADMIN),
    "report.add": Rule(min_role=MEMBER),
    "report.change": Rule(min_role=MODERATOR, owner_may=True),  # its photos; hiding one's name
    "report.comment": Rule(min_role=ADMIN, owner_may=True, space_roles=SPACE_RUNNERS),  # an update on the page
    "report.status": Rule(min_role=ADMIN, space_roles=SPACE_RUNNERS),  # the body's staff set its status
    "repquestion.add": Rule(min_role=MEMBER),
    "repquestion.moderate": Rule(min_role=MODERATOR),
    "report.moderate": Rule(min_role=MODERATOR),  # problem reports in the shared moderation
    # conversations (groups, threads, private conversations). A group is a space: its facilitators
    # run it, its members (SpaceRole "member") read a private group and post in any group.
    "group.add": Rule(min_role=MEMBER),
    "group.change": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_FACILITATOR,)),
    "group.roles": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_FACILITATOR,)),
    "group.facilitate": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_FACILITATOR,)),
    "group.see_hidden": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_FACILITATOR, SPACE_MEMBER)),
    "group.post": Rule(min_role=ADMIN, owner_may=True, space_roles=(SPACE_FACILITATOR, SPACE_MEMBER)),
    "thread.moderate": Rule(min_role=MODERATOR, space_roles=(SPACE_FACILITATOR,)),
    "post.change": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_FACILITATOR,)),
    "post.moderate": Rule(min_role=MODERATOR, space_roles=(SPACE_FACILITATOR,)),
    "message.moderate": Rule(min_role=MODERATOR),
    # stories (squaremile.stories): residents' stories, linked stories from local feeds
    "story.add": Rule(min_role=MEMBER),
    "story.change": Rule(min_role=MODERATOR, owner_may=True),
    "story.delete": Rule(min_role=MODERATOR, owner_may=True),
    "story.moderate": Rule(min_role=MODERATOR),
    # a first story of a new member waits for review (setting STORIES_REVIEW_FIRST); these never wait
    "story.publish_trusted": Rule(min_role=ORGANISER),
    "story.respond": Rule(min_role=MEMBER),  # reply to a story, say "this helped me"
    "story.tag": Rule(min_role=MEMBER),  # file a linked story under an area or link it to a record
    "story.booklet": Rule(min_role=ORGANISER),  # the printable booklet
    "storycomment.moderate": Rule(min_role=MODERATOR),
    "storyfeed.add": Rule(min_role=ORGANISER),
    "storyfeed.change": Rule(min_role=MODERATOR, owner_may=True, owner_min_role=ORGANISER),
    # events (squaremile.events). An event is a space: its owner and the organisers and
    # facilitators they add run it; organisers (not facilitators) see registrations' answers.
    "event.add": Rule(min_role=ORGANISER),
    "event.change": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER,)),
    "event.roles": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER,)),
    "event.see_answers": Rule(min_role=MODERATOR, owner_may=True, space_roles=(SPACE_ORGANISER,)),
    "event.import": Rule(min_role=ORGANISER),
    # the open space: the grid, paper pitches, "no report", closing and proceedings
    "event.facilitate": Rule(min_role=MODERATOR, owner_may=True, space_roles=SPACE_RUNNERS),
    "event.register": Rule(min_role=MEMBER),  # guests without an account register by e-mail instead
    "event.pitch": Rule(min_role=MEMBER),  # and the service asks that they registered
    "session.report": Rule(min_role=MEMBER),  # and the service asks that they registered
    # an action agreed at an event: its owner marks it done or stuck; the event's runners too
    "action.change": Rule(min_role=MODERATOR, owner_may=True, space_roles=SPACE_RUNNERS),
    # methods (the method library and the skills game). Anyone signed in proposes a method or an
    # edit (a pending revision) and says "we used this"; moderators publish; organisers make
    # collections, decks and games and run their own.
    "method.add": Rule(min_role=MEMBER),
    "method.change": Rule(min_role=MODERATOR),  # direct edits and printable sheets; others propose edits
    "method.moderate": Rule(min_role=MODERATOR),
    "method.import": Rule(min_role=MODERATOR),
    "methodrevision.add": Rule(min_role=MEMBER),
    "methodrevision.moderate": Rule(min_role=MODERATOR),
    "collection.add": Rule(min_role=ORGANISER),
    "collection.change": Rule(min_role=MODERATOR, owner_may=True, owner_min_role=ORGANISER),
    "usagereport.add": Rule(min_role=MEMBER),
    "usagereport.delete": Rule(min_role=MODERATOR, owner_may=True),
    "deck.add": Rule(min_role=ORGANISER),
    "deck.change": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
    "game.add": Rule(min_role=ORGANISER),
    "game.change": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
}


def signed_in(user) -> bool:
    """A person who is logged in with an active account (a deactivated account counts as nobody)."""
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def role_rank(user) -> int:
    if not signed_in(user):
        return 0
    if user.is_superuser:
        return RANK[ADMIN]
    return RANK.get(getattr(user, "role", ""), 0)


def roles_from(role: str) -> list[str]:
    """This site role and every role above it."""
    return [name for name, rank in RANK.items() if rank >= RANK[role]]


def staff_flag_for(role: str, superuser: bool) -> bool:
    """Django's `is_staff` (entry to the admin site) follows the role: administrators and
    superusers have it, nobody else."""
    return bool(superuser) or role == ADMIN


def owner_of(obj):
    """The id of the user who owns a record: `owner_id` on records, `user_id` on personal ones."""
    if obj is None:
        return None
    for attr in ("owner_id", "user_id"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return None


# ---- space roles ---------------------------------------------------------------------------------
def space_of(obj):
    """The space a record belongs to: what its `permission_space()` returns, else the record itself."""
    if obj is None:
        return None
    hook = getattr(obj, "permission_space", None)
    return hook() if callable(hook) else obj


def _space_key(space):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(space).pk, space.pk


_CACHE = "_squaremile_space_roles"


def space_roles_of(user, space) -> frozenset[str]:
    """The roles `user` holds in `space` (none for anonymous people and unsaved records).

    Loaded once per person object and kind of space (one query), so a list page that asks `can()`
    for each row costs one query, not one per row. `core.spaces.grant`/`revoke` clear it."""
    if space is None or space.pk is None or not signed_in(user) or user.pk is None:
        return frozenset()
    ct_id, space_id = _space_key(space)
    cache = user.__dict__.setdefault(_CACHE, {})
    if ct_id not in cache:
        from squaremile.core.models import SpaceRole

        held: dict[int, set[str]] = {}
        for object_id, role in SpaceRole.objects.filter(user_id=user.pk, content_type_id=ct_id).values_list(
            "object_id", "role"
        ):
            held.setdefault(object_id, set()).add(role)
        cache[ct_id] = {k: frozenset(v) for k, v in held.items()}
    return cache[ct_id].get(space_id, frozenset())


def forget_space_roles(user) -> None:
    """Drop the roles remembered on this person object (after a grant or a revoke)."""
    if user is not None:
        user.__dict__.pop(_CACHE, None)


def runs_space(user, space) -> bool:
    """Whether `user` is one of the organisers of `space`: its owner, or a holder of an organiser
    or facilitator role there."""
    if space is None or not signed_in(user):
        return False
    owner_id = owner_of(space)
    if owner_id is not None and owner_id == user.pk:
        return True
    return bool(space_roles_of(user, space) & set(SPACE_RUNNERS))


def owner_may_q(user, action: str, owner_field: str = "owner") -> Q:
    """A filter for the records whose owner rule lets `user` do `action` (theirs, when the action
    lets owners act and they hold the least role it asks of owners); matches nothing otherwise."""
    rule = RULES[action]
    if not rule.owner_may or not owner_field or role_rank(user) < RANK[rule.owner_min_role]:
        return Q(pk__in=[])
    return Q(**{owner_field: user.pk})


def space_ids_q(user, model, roles, field: str = "pk") -> Q:
    """A filter for records of `model` (through `field`) in whose space `user` holds one of `roles`."""
    from django.contrib.contenttypes.models import ContentType

    from squaremile.core.models import SpaceRole

    if not signed_in(user) or not roles:
        return Q(pk__in=[])
    held = SpaceRole.objects.filter(
        user_id=user.pk, content_type=ContentType.objects.get_for_model(model), role__in=list(roles)
    ).values("object_id")
    return Q(**{f"{field}__in": held})


# ---- the decision -------------------------------------------------------------------------------
def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a "no"
    rank = role_rank(user)
    if rank == 0:
        return False
    if rank >= RANK[rule.min_role]:
        return True
    if obj is None:
        return False
    if rule.owner_may and rank >= RANK[rule.owner_min_role]:
        owner_id = owner_of(obj)
        if owner_id is not None and owner_id == user.pk:
            return True
    if rule.space_roles:
        return bool(space_roles_of(user, space_of(obj)) & set(rule.space_roles))
    return False


def holders_of(action: str, obj=None):
    """The active people who may do `action` (to `obj`, when given): a queryset of users, for
    "tell every moderator" and the like."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    rule = RULES[action]
    may = Q(role__in=roles_from(rule.min_role)) | Q(is_superuser=True)
    if obj is not None:
        owner_id = owner_of(obj) if rule.owner_may else None
        if owner_id is not None:
            may |= Q(pk=owner_id, role__in=roles_from(rule.owner_min_role))
        space = space_of(obj)
        if rule.space_roles and space is not None and space.pk is not None:
            from squaremile.core.models import SpaceRole

            ct_id, space_id = _space_key(space)
            may |= Q(
                pk__in=SpaceRole.objects.filter(
                    content_type_id=ct_id, object_id=space_id, role__in=list(rule.space_roles)
                ).values("user_id")
            )
    return User.objects.filter(is_active=True).filter(may)


users_who_may = holders_of


PLURAL = {MEMBER: "signed-in members", ORGANISER: "organisers", MODERATOR: "moderators", ADMIN: "administrators"}
SPACE_PLURAL = {SPACE_ORGANISER: "organisers", SPACE_FACILITATOR: "facilitators", SPACE_MEMBER: "members"}


def refusal(user, action: str) -> str:
    """Who may do it, in plain words: what a refused person is told."""
    rule = RULES[action]
    if role_rank(user) == 0:
        return "Please log in first."
    who = PLURAL[rule.min_role]
    if rule.space_roles:
        runners = " and ".join(SPACE_PLURAL[r] for r in rule.space_roles)
        if rule.owner_may:
            return f"Only the person who added this, its {runners}, or {who}, can do this."
        return f"Only its {runners}, or {who}, can do this."
    if rule.owner_may:
        return f"Only the person who added this, or {who}, can do this."
    return f"Only {who} can do this."


def require(user, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(refusal(user, action))
