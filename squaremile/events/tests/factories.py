"""Factories for events tests."""

import datetime as dt

import factory
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.events.models import Action, Answer, Event, Mode, Registration, Report, Room, Session, Slot


def _soon(days=7, hour=18):
    base = timezone.localtime() + dt.timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Community meeting {n}")
    slug = factory.Sequence(lambda n: f"community-meeting-{n}")
    description = "Come and talk about the **square mile**."
    starts_at = factory.LazyFunction(lambda: _soon())
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    mode = Mode.IN_PERSON
    venue_name = "Kettleby Library"
    venue_address = "1 High Street"
    owner = factory.SubFactory(UserFactory, role=Role.ORGANISER)


class OpenSpaceFactory(EventFactory):
    open_space = True
    mode = Mode.HYBRID
    online_url = "https://meet.example.org/kettleby"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    answer = Answer.GOING


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    event = factory.SubFactory(OpenSpaceFactory)
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=45))


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(OpenSpaceFactory)
    name = factory.Sequence(lambda n: f"Table {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(OpenSpaceFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    convener = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    session = factory.SubFactory(SessionFactory)
    summary = "We talked."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    event = factory.SubFactory(OpenSpaceFactory)
    description = factory.Sequence(lambda n: f"Write to the council {n}")
    owner = factory.SubFactory(UserFactory)
    due = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
