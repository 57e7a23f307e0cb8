import factory

from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic.models import (
    Body,
    Delivery,
    ProblemCategory,
    QuestionRecipient,
    Report,
    RepQuestion,
    Representative,
)
from squaremile.moderation.models import ModerationState
from squaremile.places.tests.factories import AreaFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemCategory

    name = factory.Sequence(lambda n: f"Problem {n}")
    slug = factory.Sequence(lambda n: f"problem-{n}")
    service_code = factory.Sequence(lambda n: f"P{n:03d}")


class BodyFactory(factory.django.DjangoModelFactory):
    """A body; pass `areas=[...]` and `categories=[...]` to say where and what it looks after."""

    class Meta:
        model = Body
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Body {n}")
    slug = factory.Sequence(lambda n: f"body-{n}")
    delivery = Delivery.EMAIL
    email = factory.Sequence(lambda n: f"reports{n}@council.example.org")

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Report {n}")
    category = factory.SubFactory(CategoryFactory)
    lat = 53.8
    lng = -1.55


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    name = factory.Sequence(lambda n: f"Councillor {n}")
    email = factory.Sequence(lambda n: f"cllr{n}@council.example.org")
    area = factory.SubFactory(AreaFactory)


class RepQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepQuestion

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Question {n}")
    text = "When will it be mended?"
    status = ModerationState.PENDING


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionRecipient

    question = factory.SubFactory(RepQuestionFactory)
    representative = factory.SubFactory(RepresentativeFactory)
