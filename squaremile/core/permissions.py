"""Who may do what: one table, checked by every service that writes.

Each action maps to a rule. A rule names the least role that may do it for any record, and
whether the record's owner (or, for profiles, the person themself) may do it too. Later
capabilities add their rows here and to the matrix in `core/tests/test_permissions.py`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

MEMBER, ORGANISER, MODERATOR, ADMIN = "member", "organiser", "moderator", "admin"
RANK = {MEMBER: 1, ORGANISER: 2, MODERATOR: 3, ADMIN: 4}


@dataclass(frozen=True)
class Rule:
    min_role: str  # the least role that may act on any record
    owner_may: bool = False  # the record's owner may act on their own record
    owner_min_role: str = MEMBER  # ...provided they hold at least this role


RULES: dict[str, Rule] = {
    # directory
    "organisation.add": Rule(min_role=MEMBER),
    "organisation.change": Rule(min_role=MODERATOR, owner_may=True),
    "organisation.delete": Rule(min_role=MODERATOR, owner_may=True),
    "project.add": Rule(min_role=MEMBER),
    "project.change": Rule(min_role=MODERATOR, owner_may=True),
    "project.delete": Rule(min_role=MODERATOR, owner_may=True),
    "taxonomy.change": Rule(min_role=ADMIN),
    "organisation.import": Rule(min_role=MODERATOR),
    # places
    "area.add": Rule(min_role=ADMIN),
    "area.change": Rule(min_role=ADMIN),
    "area.delete": Rule(min_role=ADMIN),
    # mapping (the community map). Anonymous submission is a setting (MAP_ANONYMOUS_SUBMISSIONS), not a role.
    "entry.add": Rule(min_role=MEMBER),
    "entry.change": Rule(min_role=MODERATOR, owner_may=True),
    "entry.delete": Rule(min_role=MODERATOR, owner_may=True),
    "entry.moderate": Rule(min_role=MODERATOR),
    "category.change": Rule(min_role=ADMIN),
    "entry.import": Rule(min_role=MODERATOR),
    # network (questionnaires, ties, analysis, weaving). A survey's owner is its organiser.
    "survey.add": Rule(min_role=ORGANISER),
    "survey.change": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
    "survey.delete": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
    "survey.view_responses": Rule(min_role=ADMIN, owner_may=True, owner_min_role=ORGANISER),
    # accounts
    "profile.change": Rule(min_role=ADMIN, owner_may=True),
    "role.change": Rule(min_role=ADMIN),
    "apitoken.add": Rule(min_role=ADMIN, owner_may=True),
    "apitoken.delete": Rule(min_role=ADMIN, owner_may=True),
}


def role_rank(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    if user.is_superuser:
        return RANK[ADMIN]
    return RANK.get(getattr(user, "role", ""), 0)


def owner_of(obj):
    """The user who owns a record: `owner_id` on records, `user_id` on personal ones."""
    if obj is None:
        return None
    for attr in ("owner_id", "user_id"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return None


def can(user, action: str, obj=None) -> bool:
    rule = RULES[action]  # an unknown action is a programming error, not a "no"
    rank = role_rank(user)
    if rank == 0:
        return False
    if rank >= RANK[rule.min_role]:
        return True
    if rule.owner_may and obj is not None and rank >= RANK[rule.owner_min_role]:
        owner_id = owner_of(obj)
        return owner_id is not None and owner_id == user.pk
    return False


PLURAL = {MEMBER: "signed-in members", ORGANISER: "organisers", MODERATOR: "moderators", ADMIN: "administrators"}


def refusal(user, action: str) -> str:
    """Who may do it, in plain words: what a refused person is told."""
    rule = RULES[action]
    if role_rank(user) == 0:
        return "Please log in first."
    who = PLURAL[rule.min_role]
    if rule.owner_may:
        return f"Only the person who added this, or {who}, can do this."
    return f"Only {who} can do this."


def require(user, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(refusal(user, action))
