from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.models import Skill, SkillFamily
from squaremile.network.models import (
    Audience,
    Consent,
    Invitation,
    MergeSuggestion,
    Node,
    NodeKind,
    Response,
    ResponseSource,
    Round,
    Survey,
    Tie,
)
from squaremile.network.surveys import services
from squaremile.network.surveys.services import ResponseData, SurveyNotOpen, TieData
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return UserFactory(role=Role.ORGANISER)


@pytest.fixture
def skill():
    family = SkillFamily.objects.create(name="Making", slug="making")
    return Skill.objects.create(family=family, name="Cooking", slug="cooking")


def answers(name="Alice Able", consent=Consent.NAMED, ties=(), **extra):
    return ResponseData(display_name=name, consent=consent, ties=[TieData(*t) for t in ties], **extra)


def test_survey_create_makes_round_one_and_default_consent(organiser):
    survey = services.survey_create(by=organiser, data={"title": "Kettleby map", "anonymity_threshold": 5})
    assert survey.slug == "kettleby-map" and survey.owner == organiser
    assert list(survey.rounds.values_list("number", flat=True)) == [1]
    assert "at least 5 people" in survey.consent_text
    again = services.survey_create(by=organiser, data={"title": "Kettleby map"})
    assert again.slug == "kettleby-map-2"


def test_survey_create_checks(organiser):
    with pytest.raises(PermissionDenied):
        services.survey_create(by=UserFactory(), data={"title": "Mine"})
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.survey_create(
            by=organiser,
            data={"title": "x", "opens_at": now, "closes_at": now - timedelta(days=1), "anonymity_threshold": 1},
        )
    assert {"closes_at", "anonymity_threshold"} <= set(exc.value.message_dict)
    assert not Survey.objects.exists()


def test_custom_questions_add_edit_remove_reorder(organiser):
    survey = services.survey_create(
        by=organiser,
        data={"title": "Q"},
        questions=[
            {"label": "Your ward?", "kind": "text"},
            {"label": "Colour", "kind": "choice", "choices": "Red\nBlue"},
        ],
    )
    first, second = survey.questions.all()
    services.survey_update(
        survey=survey, by=organiser, data={},
        questions=[{"id": second.pk, "label": "Colour", "kind": "choice", "choices": "Red\nBlue\nGreen"},
                   {"label": "Age", "kind": "number"}],
    )  # fmt: skip
    assert [(q.label, q.position) for q in survey.questions.all()] == [("Colour", 0), ("Age", 1)]
    assert survey.questions.get(label="Colour").pk == second.pk
    assert not Question.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError):
        services.survey_update(survey=survey, by=organiser, data={}, questions=[{"label": "C", "kind": "choice"}])


def test_update_and_delete_are_the_owners(organiser):
    survey = SurveyFactory(owner=organiser)
    ResponseFactory(round=survey.rounds.get())
    other = UserFactory(role=Role.ORGANISER)
    with pytest.raises(PermissionDenied):
        services.survey_update(survey=survey, by=other, data={"title": "Taken"})
    with pytest.raises(PermissionDenied):
        services.survey_delete(survey=survey, by=other)
    services.survey_delete(survey=survey, by=organiser)
    assert not Survey.objects.exists() and not Response.objects.exists() and not Node.objects.exists()


def test_submit_creates_response_node_ties_and_private_link(skill):
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    version = round_.data_version
    result = services.response_submit(
        survey=survey,
        data=answers(
            ties=[("Kettleby Food Bank", 3, 2), ("Bob Baker", 1)], skills={skill: "strong"}, needed_skills=[skill],
            willingness=3, email="alice@example.org",
        ),
    )  # fmt: skip
    response = result.response
    assert result.created and result.token
    assert response.token_hash == services.hash_token(result.token) and result.token not in response.token_hash
    assert response.node.kind == NodeKind.RESPONDENT and response.node.label == "Alice Able"
    assert sorted(Tie.objects.values_list("target__label", "strength")) == [("Bob Baker", 1), ("Kettleby Food Bank", 3)]
    assert response.skills.get().level == "strong" and list(response.needed_skills.all()) == [skill]
    round_.refresh_from_db()
    assert round_.data_version > version


def test_submitting_again_with_the_private_link_updates_never_duplicates():
    survey = SurveyFactory()
    first = services.response_submit(survey=survey, data=answers(ties=[("Bob", 2)]))
    again = services.response_submit(
        survey=survey, token=first.token, data=answers(consent=Consent.HIDDEN, ties=[("Carol", 3)])
    )
    assert not again.created and again.response.pk == first.response.pk and again.token is None
    assert Response.objects.count() == 1
    assert Response.objects.get().consent == Consent.HIDDEN
    assert list(Tie.objects.values_list("target__label", flat=True)) == ["Carol"]


def test_forged_token_is_refused():
    survey = SurveyFactory()
    services.response_submit(survey=survey, data=answers())
    with pytest.raises(PermissionDenied):
        services.response_submit(survey=survey, token="forged-token", data=answers(name="Mallory"))
    assert Response.objects.count() == 1


def test_a_token_of_another_survey_does_not_open_this_one():
    one, two = SurveyFactory(), SurveyFactory()
    first = services.response_submit(survey=one, data=answers())
    assert services.response_for_token(two, first.token) is None
    assert services.response_for_token(one, first.token) == first.response


def test_consent_required_and_everything_kept_on_error():
    survey = SurveyFactory()
    with pytest.raises(ValidationError) as exc:
        services.response_submit(survey=survey, data=answers(consent="", ties=[("Bob", 2)]))
    assert "consent" in exc.value.message_dict
    assert not Response.objects.exists() and not Node.objects.exists() and not Tie.objects.exists()


def test_tie_to_oneself_is_refused_and_nothing_saved():
    survey = SurveyFactory()
    with pytest.raises(ValidationError) as exc:
        services.response_submit(survey=survey, data=answers(ties=[("Bob", 2), ("alice  ABLE", 3)]))
    assert "ties" in exc.value.message_dict
    assert not Response.objects.exists() and not Node.objects.exists()


def test_duplicate_names_in_the_list_become_one_tie():
    survey = SurveyFactory()
    services.response_submit(survey=survey, data=answers(ties=[("Bob Baker", 1), ("bob baker", 3)]))
    tie = Tie.objects.get()
    assert tie.strength == 3


def test_closed_or_not_yet_open_survey_refused():
    now = timezone.now()
    closed = SurveyFactory(closes_at=now - timedelta(hours=1))
    with pytest.raises(SurveyNotOpen) as exc:
        services.response_submit(survey=closed, data=answers())
    assert exc.value.code == "closed"
    later = SurveyFactory(opens_at=now + timedelta(days=1))
    with pytest.raises(SurveyNotOpen) as exc:
        services.response_submit(survey=later, data=answers())
    assert exc.value.code == "not_yet"
    assert not Response.objects.exists()


def test_private_link_after_close_cannot_change():
    survey = SurveyFactory()
    first = services.response_submit(survey=survey, data=answers())
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    with pytest.raises(SurveyNotOpen):
        services.response_submit(survey=survey, token=first.token, data=answers(consent=Consent.HIDDEN))
    assert Response.objects.get().consent == Consent.NAMED


def test_audience_members_and_invited():
    members = SurveyFactory(audience=Audience.MEMBERS)
    with pytest.raises(PermissionDenied):
        services.response_submit(survey=members, data=answers())
    member = UserFactory()
    result = services.response_submit(survey=members, user=member, data=answers())
    # a member answering again is taken to their own response
    again = services.response_submit(survey=members, user=member, data=answers(willingness=4))
    assert again.response.pk == result.response.pk and Response.objects.count() == 1
    assert result.response.node.user == member

    invited = SurveyFactory(audience=Audience.INVITED)
    with pytest.raises(PermissionDenied):
        services.response_submit(survey=invited, data=answers(name="Nobody"))
    sent = services.invitations_send(
        survey=invited, by=invited.owner, people=[("Zed@Example.org", "Zed")], link_for=lambda t: f"https://x/{t}"
    )
    invitation = services.invitation_for(invited, sent[0].token)
    assert invitation.email == "zed@example.org" and services.invitation_for(invited, "forged") is None
    services.response_submit(survey=invited, invitation=invitation, data=answers(name="Zed"))
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    with pytest.raises(PermissionDenied):
        services.response_submit(survey=invited, invitation=invitation, data=answers(name="Zed again"))


def test_invitations_email_and_resend(mailoutbox, django_capture_on_commit_callbacks):
    survey = SurveyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.invitations_send(
            survey=survey, by=survey.owner, people=[("a@example.org", "A"), ("b@example.org", "")],
            link_for=lambda t: f"https://example.org/i/{t}",
        )  # fmt: skip
    assert len(mailoutbox) == 2 and sent[0].token in mailoutbox[0].body
    assert sent[0].token not in Invitation.objects.get(email="a@example.org").token_hash
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invitation_resend(invitation=sent[0].invitation, by=survey.owner, link_for=lambda t: t)
    assert len(mailoutbox) == 3 and again.token in mailoutbox[2].body
    assert services.invitation_for(survey, sent[0].token) is None
    assert services.invitation_for(survey, again.token) == sent[0].invitation
    with pytest.raises(PermissionDenied):
        services.invitations_send(survey=survey, by=UserFactory(), people=[("c@example.org", "")], link_for=str)


def test_respondent_becomes_the_node_others_typed():
    survey = SurveyFactory()
    services.response_submit(survey=survey, data=answers(ties=[("Bob Baker", 2)]))
    bob_node = Node.objects.get(label="Bob Baker")
    bob = services.response_submit(survey=survey, data=answers(name="bob baker", ties=[("Alice Able", 3)]))
    assert bob.response.node == bob_node
    bob_node.refresh_from_db()
    assert bob_node.kind == NodeKind.RESPONDENT
    # two ties between the same two people, one in each direction
    assert Tie.objects.count() == 2 and Node.objects.count() == 2


def test_same_name_answering_twice_is_a_separate_node_for_review():
    survey = SurveyFactory()
    one = services.response_submit(survey=survey, data=answers(name="Sam"))
    two = services.response_submit(survey=survey, data=answers(name="Sam"))
    assert one.response.node != two.response.node
    assert MergeSuggestion.objects.filter(survey=survey).exists()


def test_new_round_keeps_people_as_the_same_nodes():
    survey = SurveyFactory()
    first = services.response_submit(survey=survey, data=answers(ties=[("Bob", 2)]))
    round2 = services.round_create(survey=survey, by=survey.owner)
    assert round2.number == 2 and services.current_round(survey) == round2
    first.response.round.refresh_from_db()
    assert first.response.round.closes_at is not None
    again = services.response_submit(survey=survey, token=first.token, data=answers(ties=[("Bob", 3), ("Dee", 1)]))
    assert again.created and again.response.round == round2 and again.token
    assert again.response.node == first.response.node
    assert Response.objects.count() == 2
    assert Tie.objects.filter(round=round2).count() == 2 and Tie.objects.filter(round=first.response.round).count() == 1
    with pytest.raises(PermissionDenied):
        services.round_create(survey=survey, by=UserFactory(role=Role.ORGANISER))


def test_paper_entry_by_the_organiser(skill):
    survey = SurveyFactory()
    with pytest.raises(PermissionDenied):
        services.response_enter_paper(survey=survey, by=UserFactory(), data=answers())
    response = services.response_enter_paper(survey=survey, by=survey.owner, data=answers(consent=Consent.ANONYMOUS))
    assert response.source == ResponseSource.PAPER and response.consent == Consent.ANONYMOUS
    services.response_enter_paper(survey=survey, by=survey.owner, data=answers(name="Alice B"), response=response)
    response.refresh_from_db()
    assert response.display_name == "Alice B"


def test_response_delete_removes_ties_and_lonely_nodes():
    survey = SurveyFactory()
    first = services.response_submit(survey=survey, data=answers(ties=[("Bob", 2)]))
    services.response_delete(response=first.response, by=survey.owner)
    assert not Tie.objects.exists() and not Response.objects.exists()
    assert list(Node.objects.values_list("label", flat=True)) == ["Bob"]


def test_private_link_email(mailoutbox, django_capture_on_commit_callbacks):
    survey = SurveyFactory()
    result = services.response_submit(survey=survey, data=answers(email="a@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        services.email_private_link(response=result.response, link=f"https://example.org/r/{result.token}/")
    assert len(mailoutbox) == 1 and result.token in mailoutbox[0].body


def test_round_state():
    survey = SurveyFactory()
    round_ = survey.rounds.get()
    assert services.round_state(round_) == "open"
    round_.closes_at = timezone.now()
    assert services.round_state(round_) == "closed"
    assert Round.objects.count() == 1


def test_resolution_by_node_factory_key():
    survey = SurveyFactory()
    node = NodeFactory(survey=survey, label="The Bakery Ltd")
    services.response_submit(survey=survey, data=answers(ties=[("bakery", 2)]))
    assert Tie.objects.get().target == node


def test_a_failure_half_way_saves_nothing(monkeypatch):
    from squaremile.network.surveys.names import NameResolver

    survey = SurveyFactory()
    first = services.response_submit(survey=survey, data=answers(ties=[("Bob", 2)]))
    original = NameResolver.resolve
    calls = {"n": 0}

    def failing(self, typed, organisation=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(self, typed, organisation=organisation)

    monkeypatch.setattr(NameResolver, "resolve", failing)
    with pytest.raises(RuntimeError):
        services.response_submit(survey=survey, data=answers(name="Cara", ties=[("Dee", 1), ("Eve", 2)]))
    calls["n"] = 0
    with pytest.raises(RuntimeError):  # an update fails half way: the earlier answers stay as they were
        services.response_submit(
            survey=survey, token=first.token, data=answers(consent=Consent.HIDDEN, ties=[("Fay", 1), ("Gus", 2)])
        )
    assert Response.objects.count() == 1 and Response.objects.get().consent == Consent.NAMED
    assert list(Tie.objects.values_list("target__label", flat=True)) == ["Bob"]
    assert sorted(Node.objects.values_list("label", flat=True)) == ["Alice Able", "Bob"]


def test_publishing_a_survey_is_recorded_in_the_audit_log(organiser):
    from squaremile.audit.selectors import history_for

    survey = SurveyFactory(owner=organiser, is_published=False)
    services.survey_update(survey=survey, by=organiser, data={"is_published": True})
    services.survey_update(survey=survey, by=organiser, data={"title": "Renamed"})
    assert [e.action for e in history_for(survey)] == ["survey.published"]
    assert history_for(survey).get().actor == organiser
