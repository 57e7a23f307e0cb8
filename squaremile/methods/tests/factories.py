import datetime

import factory

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.methods.models import Method, MethodStep, UsageReport
from squaremile.moderation.models import ModerationState as S


def organiser():
    return UserFactory(role=Role.ORGANISER)


def moderator():
    return UserFactory(role=Role.MODERATOR)


class MethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Method

    name = factory.Sequence(lambda n: f"Method {n}")
    slug = factory.Sequence(lambda n: f"method-{n}")
    summary = "A way for a group to do something together."
    purposes = ",ideas,"
    min_people = 4
    max_people = 40
    minutes = 60
    status = S.PUBLISHED


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MethodStep

    method = factory.SubFactory(MethodFactory)
    title = factory.Sequence(lambda n: f"Step {n}")
    minutes = 10


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageReport

    method = factory.SubFactory(MethodFactory)
    used_on = datetime.date(2026, 1, 5)
    people = 12
