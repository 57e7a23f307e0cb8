import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.selectors import history_for as survey_history
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.models import MergeSuggestion, Node, NodeKind, Tie
from squaremile.network.surveys.names import node_merge, normalise, resolve_name, suggestion_dismiss
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("The Kettleby Café Ltd.", "kettleby cafe"),
        ("  JANE   smith ", "jane smith"),
        ("Bread & Roses", "bread roses"),
        ("O'Brien's Garage", "obriens garage"),
        ("Zoë Ångström-Ünal", "zoe angstrom unal"),
        ("The", "the"),  # only filler words: kept rather than empty
        ("", ""),
    ],
)
def test_normalise(typed, key):
    assert normalise(typed) == key


def test_exact_match_is_the_same_node():
    survey = SurveyFactory()
    first = resolve_name(survey, "Kettleby Food Bank")
    assert first.kind == NodeKind.NAMED
    assert resolve_name(survey, "the kettleby food-bank ltd") == first
    assert Node.objects.filter(survey=survey).count() == 1


def test_names_are_per_survey():
    a, b = SurveyFactory(), SurveyFactory()
    assert resolve_name(a, "Jane Smith") != resolve_name(b, "Jane Smith")


def test_directory_organisation_is_matched_by_name():
    org = OrganisationFactory(name="Kettleby Community Café")
    survey = SurveyFactory()
    node = resolve_name(survey, "kettleby community cafe")
    assert node.kind == NodeKind.ORGANISATION and node.organisation == org
    assert node.label == "Kettleby Community Café"
    assert resolve_name(survey, "Kettleby Community Café") == node
    assert resolve_name(survey, "x", organisation=org) == node


def test_fuzzy_near_miss_is_a_suggestion_never_a_merge():
    survey = SurveyFactory()
    a = resolve_name(survey, "Kettleby Food Bank")
    b = resolve_name(survey, "Kettleby Fod Bank")
    assert a != b
    suggestion = MergeSuggestion.objects.get(survey=survey)
    assert {suggestion.a, suggestion.b} == {a, b} and suggestion.score >= 85
    assert suggestion.status == "open"
    resolve_name(survey, "Allotment Society")
    assert MergeSuggestion.objects.count() == 1


def test_empty_name_is_refused():
    with pytest.raises(ValidationError):
        resolve_name(SurveyFactory(), "  ...  ")


def test_merge_moves_ties_and_drops_self_and_duplicate_ties():
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    keep = NodeFactory(survey=survey, label="Jane Smith")
    merge = NodeFactory(survey=survey, label="Jayne Smith")
    alice = ResponseFactory(round=round_, display_name="Alice").node
    bob = ResponseFactory(round=round_, display_name="Bob").node
    TieFactory(round=round_, source=alice, target=keep, strength=1)
    TieFactory(round=round_, source=alice, target=merge, strength=3, sharing=2)  # duplicate: stronger kept
    TieFactory(round=round_, source=bob, target=merge, strength=2)  # moves
    TieFactory(round=round_, source=keep, target=merge)  # would be a self-tie: dropped
    suggestion = MergeSuggestion.objects.create(survey=survey, a=keep, b=merge, score=90)
    other = MergeSuggestion.objects.create(survey=survey, a=merge, b=bob, score=86)
    version = round_.data_version
    organiser = survey.owner

    kept = node_merge(survey=survey, keep=keep, merge=merge, by=organiser, label="Jayne Smith")

    assert kept.pk == keep.pk and kept.label == "Jayne Smith"
    merged = survey_history(survey).get(action="network.merged")  # the audit log: ids, never the names
    assert merged.actor == organiser and merged.changes == {"node": [merge.pk, keep.pk]}
    merge.refresh_from_db()
    assert merge.merged_into_id == keep.pk
    ties = {(t.source_id, t.target_id): t for t in Tie.objects.filter(round=round_)}
    assert set(ties) == {(alice.pk, keep.pk), (bob.pk, keep.pk)}
    assert ties[(alice.pk, keep.pk)].strength == 3
    suggestion.refresh_from_db()
    assert suggestion.status == "merged" and suggestion.decided_by == organiser and suggestion.decided_at
    other.refresh_from_db()
    assert {other.a_id, other.b_id} == {keep.pk, bob.pk}
    round_.refresh_from_db()
    assert round_.data_version > version
    # a later typed name with the merged spelling lands on the kept node
    assert resolve_name(survey, "jayne smith") == keep


def test_merge_needs_permission_and_the_same_survey():
    survey = SurveyFactory()
    a, b = NodeFactory(survey=survey), NodeFactory(survey=survey)
    with pytest.raises(PermissionDenied):
        node_merge(survey=survey, keep=a, merge=b, by=UserFactory(role=Role.ORGANISER))
    with pytest.raises(ValidationError):
        node_merge(survey=survey, keep=a, merge=NodeFactory(), by=survey.owner)
    with pytest.raises(ValidationError):
        node_merge(survey=survey, keep=a, merge=a, by=survey.owner)


def test_dismiss_suggestion():
    survey = SurveyFactory()
    s = MergeSuggestion.objects.create(
        survey=survey, a=NodeFactory(survey=survey), b=NodeFactory(survey=survey), score=88
    )
    with pytest.raises(PermissionDenied):
        suggestion_dismiss(suggestion=s, by=UserFactory())
    suggestion_dismiss(suggestion=s, by=survey.owner)
    s.refresh_from_db()
    assert s.status == "dismissed"
