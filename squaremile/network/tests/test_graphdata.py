import pytest

from squaremile.directory.models import ResourceKind, Skill, SkillFamily
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.analysis.types import NodeIn, TieIn
from squaremile.network.computing.graphdata import round_graph
from squaremile.network.models import Consent, NodeKind, ResponseResource, ResponseSkill
from squaremile.network.tests.factories import (
    NodeFactory,
    ResponseFactory,
    RoundFactory,
    SurveyFactory,
    TieFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy():
    family = SkillFamily.objects.create(name="Making", slug="making")
    return (
        Skill.objects.create(family=family, name="Cooking", slug="cooking"),
        Skill.objects.create(family=family, name="Joinery", slug="joinery"),
        ResourceKind.objects.create(name="Van", slug="van"),
    )


def test_round_graph_nodes_ties_and_people(taxonomy):
    cooking, joinery, van = taxonomy
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    org = OrganisationFactory(name="Food Bank", slug="food-bank", stream="community")
    org_node = NodeFactory(survey=survey, kind=NodeKind.ORGANISATION, label="Food Bank", organisation=org)
    alice = ResponseFactory(round=round_, display_name="Alice", consent=Consent.NAMED, stream="individual",
                            role="Gardener", willingness=3)  # fmt: skip
    bob = ResponseFactory(round=round_, display_name="Bob", consent=Consent.HIDDEN)
    ResponseSkill.objects.create(response=alice, skill=cooking, level="strong")
    ResponseResource.objects.create(response=alice, resource=van, level="some")
    alice.needed_skills.add(joinery)
    typed = NodeFactory(survey=survey, label="Carol")
    TieFactory(round=round_, source=alice.node, target=org_node, strength=3, sharing=2)
    TieFactory(round=round_, source=alice.node, target=typed, strength=1)
    TieFactory(round=round_, source=bob.node, target=alice.node, strength=2)
    NodeFactory(survey=survey, label="Not in this round")

    nodes, ties, people = round_graph(round_)

    assert all(isinstance(n, NodeIn) for n in nodes) and all(isinstance(t, TieIn) for t in ties)
    by_key = {n.key: n for n in nodes}
    a = by_key[f"n{alice.node_id}"]
    assert a.label == "Alice" and a.kind == "respondent" and a.stream == "individual"
    assert a.skills == {"cooking": "strong"} and a.resources == {"van": "some"}
    assert a.needs == ("joinery",) and a.willingness == 3
    assert by_key[f"n{org_node.pk}"].kind == "organisation" and by_key[f"n{org_node.pk}"].stream == "community"
    assert by_key[f"n{typed.pk}"].kind == "named"
    assert len(nodes) == 4  # the node from no tie or answer of this round is not there
    assert {(t.source, t.target, t.strength) for t in ties} == {
        (f"n{alice.node_id}", f"n{org_node.pk}", 3),
        (f"n{alice.node_id}", f"n{typed.pk}", 1),
        (f"n{bob.node_id}", f"n{alice.node_id}", 2),
    }
    assert people[f"n{alice.node_id}"]["consent"] == "named"
    assert people[f"n{alice.node_id}"]["role"] == "Gardener"
    assert people[f"n{bob.node_id}"]["consent"] == "hidden"
    assert people[f"n{typed.pk}"]["consent"] is None and not people[f"n{typed.pk}"]["public_directory"]
    assert people[f"n{org_node.pk}"]["public_directory"] is True
    assert people[f"n{org_node.pk}"]["organisation_slug"] == "food-bank"
    assert set(people) == set(by_key)


def test_merged_nodes_are_folded_and_ties_deduplicated():
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    alice = ResponseFactory(round=round_, display_name="Alice").node
    jane = NodeFactory(survey=survey, label="Jane")
    jayne = NodeFactory(survey=survey, label="Jayne", merged_into=jane)
    twice = NodeFactory(survey=survey, label="Janey", merged_into=jayne)  # a chain folds to its end
    TieFactory(round=round_, source=alice, target=jane, strength=1)
    TieFactory(round=round_, source=alice, target=jayne, strength=3)
    TieFactory(round=round_, source=jane, target=twice)  # becomes a self-tie: dropped

    nodes, ties, people = round_graph(round_)

    assert {n.key for n in nodes} == {f"n{alice.pk}", f"n{jane.pk}"}
    assert [(t.source, t.target, t.strength) for t in ties] == [(f"n{alice.pk}", f"n{jane.pk}", 3)]


def test_two_answers_folded_into_one_node_keep_the_most_careful_consent():
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    a = ResponseFactory(round=round_, display_name="Sam", consent=Consent.NAMED)
    b = ResponseFactory(round=round_, display_name="Sam S", consent=Consent.ANONYMOUS)
    b.node.merged_into = a.node
    b.node.save()
    nodes, ties, people = round_graph(round_)
    assert len(nodes) == 1
    assert people[f"n{a.node_id}"]["consent"] == "anonymous"


def test_rounds_are_separate():
    survey = SurveyFactory()
    one = survey.rounds.get()
    two = RoundFactory(survey=survey)
    alice = ResponseFactory(round=one, display_name="Alice").node
    TieFactory(round=one, source=alice)
    assert len(round_graph(one)[1]) == 1
    assert round_graph(two) == ([], [], {})


def test_fixed_number_of_queries(django_assert_num_queries, taxonomy):
    cooking, joinery, van = taxonomy
    survey = SurveyFactory()
    round_ = survey.rounds.get()

    def grow(n):
        for _ in range(n):
            r = ResponseFactory(round=round_)
            ResponseSkill.objects.create(response=r, skill=cooking, level="some")
            r.needed_resources.add(van)
            TieFactory(round=round_, source=r.node)

    grow(2)
    with django_assert_num_queries(8):
        round_graph(round_)
    grow(20)
    with django_assert_num_queries(8):
        nodes, ties, _ = round_graph(round_)
    assert len(nodes) == 44 and len(ties) == 22
