import datetime as dt

import factory
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.conversations import services
from squaremile.conversations.models import Access


class PersonFactory(UserFactory):
    """A verified person whose account is a month old (new accounts have stricter rate limits)."""

    date_joined = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))


def group(*, owner=None, access=Access.OPEN, name="Allotment neighbours", **data):
    owner = owner or PersonFactory()
    return services.group_create(by=owner, data={"name": name, "purpose": "Growing together.", "access": access,
                                                 **data})  # fmt: skip


def member(group, person=None, mode="daily"):
    person = person or PersonFactory()
    from squaremile.conversations.models import Membership, MemberStatus

    if group.access == Access.OPEN:
        services.group_join(group=group, by=person)
    else:
        Membership.objects.update_or_create(group=group, user=person, defaults={"status": MemberStatus.INVITED})
        services.group_join(group=group, by=person)
    services.email_mode_set(group=group, by=person, mode=mode)
    return person


def thread(group, by=None, title="Water butts", body="Shall we buy water butts together?"):
    by = by or group.owner
    return services.thread_start(group=group, by=by, title=title, body=body)
