"""The conversations rows of `core/tests/test_permissions.py` (EXPECTED), enforced by the services:
for each action, each kind of person, on their own record and someone else's."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.conversations import services
from squaremile.conversations.tests import factories
from squaremile.core.tests.test_permissions import EXPECTED, ROLES

pytestmark = pytest.mark.django_db

PEOPLE = [r for r in ROLES if r != "co-organiser"]


def _person(role):
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser":
        return factories.PersonFactory(role=Role.MEMBER, is_superuser=True, is_staff=True)
    if role == "inactive":
        return factories.PersonFactory(role=Role.ADMIN, is_active=False)
    return factories.PersonFactory(role=role)


def _group_of(owner):
    return factories.group(owner=owner if owner is not None and owner.is_active else None)


CALLS = {
    "group.change": lambda by, g: services.group_update(group=g, by=by, data={"name": "Changed"}),
    "group.roles": lambda by, g: services.group_invite(group=g, by=by, person=UserFactory()),
    "group.facilitate": lambda by, g: services.thread_pin(thread=factories.thread(g), by=by),
}


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", PEOPLE)
@pytest.mark.parametrize("action", sorted(CALLS))
def test_services_follow_the_table(action, role, whose):
    actor = _person(role)
    owner = actor if whose == "own" and role not in ("anonymous", "inactive") else None
    group = _group_of(owner)
    allowed = EXPECTED[action][ROLES.index(role)][0 if whose == "own" else 1] == "Y"
    if role == "inactive" and whose == "own":
        allowed = False
    if allowed:
        CALLS[action](actor, group)
    else:
        with pytest.raises(PermissionDenied):
            CALLS[action](actor, group)


def test_members_post_and_facilitators_facilitate_by_their_space_roles():
    group = factories.group()
    member = factories.member(group)
    outsider = factories.PersonFactory()
    thread = services.thread_start(group=group, by=member, title="Mine", body="Words")
    with pytest.raises(PermissionDenied):
        services.thread_start(group=group, by=outsider, title="Not a member", body="x")
    with pytest.raises(PermissionDenied):
        services.thread_lock(thread=thread, by=member)
    services.facilitator_add(group=group, by=group.owner, person=member)
    services.thread_lock(thread=thread, by=member)
    moderator = factories.PersonFactory(role=Role.MODERATOR)
    services.thread_lock(thread=thread, by=moderator, locked=False)
