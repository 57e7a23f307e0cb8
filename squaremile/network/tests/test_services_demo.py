"""The demo network: a few hundred answers with community structure, consent mix and names to review."""

import random

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.demo import words
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.computing.graphdata import round_graph
from squaremile.network.demo import SLUG, seed_network
from squaremile.network.models import MergeSuggestion, Node, NodeKind, Response, Survey, Tie

pytestmark = pytest.mark.django_db
WORDS = {"first_names": words.FIRST_NAMES, "surnames": words.SURNAMES, "wards": [w for w, _ in words.WARDS]}


def test_seed_network(django_capture_on_commit_callbacks):
    owner = UserFactory(email="organiser@example.org", role=Role.ORGANISER)
    for i in range(30):
        OrganisationFactory(name=f"Kettleby Group Number {i}", slug=f"kettleby-group-{i}")
    with django_capture_on_commit_callbacks(execute=False):
        result = seed_network(rng=random.Random(7), respondents=120, **WORDS)
    survey = Survey.objects.get(slug=SLUG)
    assert survey.owner == owner and survey.rounds.count() == 2
    counts = result["counts"]
    assert counts["round1"] == 120 and counts["round2"] > 60
    assert Response.objects.filter(round__survey=survey).count() == counts["responses"]
    consent = counts["consent"]
    assert consent["named"] > consent["anonymous"] > consent["hidden"] > 0
    assert Node.objects.filter(survey=survey, kind=NodeKind.ORGANISATION).exists()
    assert MergeSuggestion.objects.filter(survey=survey).count() > 0
    round1, round2 = survey.rounds.order_by("number")
    assert Tie.objects.filter(round=round2).count() > 0
    nodes, ties, people = round_graph(round1)
    assert len(nodes) > 120 and len(ties) > 300
    # the same seed gives the same survey
    with django_capture_on_commit_callbacks(execute=False):
        again = seed_network(rng=random.Random(7), respondents=120, **WORDS)
    assert again["counts"] == counts and Survey.objects.filter(slug=SLUG).count() == 1


@pytest.mark.parametrize("respondents", [0, 10, 25])
def test_seed_network_small_and_without_a_directory(respondents, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = seed_network(rng=random.Random(1), respondents=respondents, **WORDS)
    assert result["counts"]["round1"] == max(10, respondents)
    survey = Survey.objects.get(slug=SLUG)
    assert survey.owner.email == "organiser@example.org"
    assert survey.rounds.get(number=1).analysis.status == "fresh"
