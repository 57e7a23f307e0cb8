"""Factories for network mapping tests (used by every network helper's tests).

`ResponseFactory` makes a respondent node for itself unless `node=` is given; the private-link token
is random and only its hash is stored (pass `token=` to know it: `ResponseFactory(token="abc")`)."""

import hashlib
import secrets

import factory

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.models import (
    Consent,
    Node,
    NodeKind,
    Response,
    Round,
    Survey,
    Tie,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyFactory(factory.django.DjangoModelFactory):
    """A survey owned by an organiser, with its round 1 (`survey.rounds.get(number=1)`)."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Network survey {n}")
    slug = factory.Sequence(lambda n: f"network-survey-{n}")
    introduction = "Tell us who you work with."
    consent_text = "We show only what you agree to."
    owner = factory.SubFactory(UserFactory, role=Role.ORGANISER)

    @factory.post_generation
    def with_round(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            Round.objects.get_or_create(survey=obj, number=1)


class RoundFactory(factory.django.DjangoModelFactory):
    """A round. Without `survey=` a new survey is made; `number` follows the survey's last round."""

    class Meta:
        model = Round

    survey = factory.SubFactory(SurveyFactory, with_round=False)
    number = factory.LazyAttribute(
        lambda o: (Round.objects.filter(survey=o.survey).order_by("-number").values_list("number", flat=True).first()
                   or 0) + 1
    )  # fmt: skip


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    survey = factory.SubFactory(SurveyFactory)
    kind = NodeKind.NAMED
    label = factory.Sequence(lambda n: f"Person {n}")
    match_key = factory.LazyAttribute(lambda o: _match_key(o.label))


def _match_key(label: str) -> str:
    from squaremile.network.surveys.names import normalise

    return normalise(label)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A response in a round (the survey's round 1 by default) with its own respondent node."""

    class Meta:
        model = Response
        exclude = ("token",)

    round = factory.LazyAttribute(lambda o: Round.objects.get_or_create(survey=SurveyFactory(), number=1)[0])
    display_name = factory.Sequence(lambda n: f"Respondent {n}")
    node = factory.LazyAttribute(
        lambda o: NodeFactory(survey=o.round.survey, kind=NodeKind.RESPONDENT, label=o.display_name)
    )
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    token_hash = factory.LazyAttribute(lambda o: _hash(o.token))
    consent = Consent.NAMED
    willingness = 2
    stream = "community"


class TieFactory(factory.django.DjangoModelFactory):
    """A tie in a round between two nodes of its survey (new named nodes unless given)."""

    class Meta:
        model = Tie

    round = factory.LazyAttribute(lambda o: Round.objects.get_or_create(survey=SurveyFactory(), number=1)[0])
    source = factory.LazyAttribute(lambda o: NodeFactory(survey=o.round.survey, kind=NodeKind.RESPONDENT))
    target = factory.LazyAttribute(lambda o: NodeFactory(survey=o.round.survey))
    strength = 2
    sharing = 2
