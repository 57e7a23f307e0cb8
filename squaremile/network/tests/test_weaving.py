"""Weaving: the introductions page, marking one made (adds the tie, marks the analysis stale, never
suggested again) or dismissed, who decided and when, and what organisers alone may do."""

import pytest
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.computing import runner
from squaremile.network.models import (
    Analysis,
    AnalysisStatus,
    Consent,
    Suggestion,
    SuggestionStatus,
    Tie,
    TieOrigin,
)
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory
from squaremile.network.weaving import services as services_maps

pytestmark = pytest.mark.django_db
TWO_GROUPS = [(1, 2), (1, 3), (2, 3), (3, 4), (2, 4), (4, 5), (5, 6), (6, 7), (6, 8), (7, 8), (8, 9), (7, 9), (9, 10)]


@pytest.fixture
def woven():
    owner = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=owner)
    round = survey.rounds.get(number=1)
    people = [ResponseFactory(round=round, display_name=f"P{i}", consent=Consent.NAMED) for i in range(1, 11)]
    for a, b in TWO_GROUPS:
        TieFactory(round=round, source=people[a - 1].node, target=people[b - 1].node)
    runner.run_analysis(round)
    return {"survey": survey, "round": round, "owner": owner, "people": people}


def client_for(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def url(survey):
    return reverse("network:suggestions", args=[survey.slug])


def test_the_page_groups_ranked_suggestions_with_reasons_and_map_links(woven):
    html = client_for(woven["owner"]).get(url(woven["survey"])).content.decode()
    assert "Close a triangle" in html and "Relieve a broker" in html
    close = Suggestion.objects.filter(round=woven["round"], kind="close_triangle").first()
    assert close.reason in html.replace("&#x27;", "'")
    assert f"focus=n{close.a_id},n{close.b_id}" in html
    filtered = client_for(woven["owner"]).get(url(woven["survey"]) + "?kind=relieve_broker").content.decode()
    assert "Relieve a broker</h2>" in filtered and "Close a triangle</h2>" not in filtered


def test_done_creates_the_tie_marks_stale_and_records_who(woven, django_capture_on_commit_callbacks):
    suggestion = Suggestion.objects.filter(round=woven["round"], kind="close_triangle").first()
    client = client_for(woven["owner"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url(woven["survey"]), {"round": 1, "suggestion": suggestion.pk, "decision": "done"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DONE
    assert suggestion.decided_by == woven["owner"] and suggestion.decided_at is not None
    tie = Tie.objects.get(round=woven["round"], source=suggestion.a, target=suggestion.b)
    assert tie.origin == TieOrigin.WEAVING
    assert Analysis.objects.get(round=woven["round"]).status == AnalysisStatus.STALE
    # a second decision on the same suggestion is refused with a message, nothing changes
    response = client.post(
        url(woven["survey"]), {"round": 1, "suggestion": suggestion.pk, "decision": "dismiss"}, follow=True
    )
    assert "already marked" in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.DONE
    # recomputed: the pair is not suggested again
    runner.run_analysis(woven["round"], force=True)
    pair = {suggestion.a_id, suggestion.b_id}
    assert not [
        s
        for s in Suggestion.objects.filter(round=woven["round"], status=SuggestionStatus.OPEN)
        if {s.a_id, s.b_id} == pair
    ]


def test_dismiss_adds_no_tie(woven):
    suggestion = Suggestion.objects.filter(round=woven["round"]).first()
    ties = Tie.objects.count()
    client_for(woven["owner"]).post(
        url(woven["survey"]), {"round": 1, "suggestion": suggestion.pk, "decision": "dismiss"}
    )
    assert Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.DISMISSED
    assert Tie.objects.count() == ties
    html = client_for(woven["owner"]).get(url(woven["survey"]) + "?status=dismissed").content.decode()
    assert "Dismissed by" in html


def test_bad_decisions_and_other_people(woven):
    suggestion = Suggestion.objects.filter(round=woven["round"]).first()
    owner_client = client_for(woven["owner"])
    response = owner_client.post(
        url(woven["survey"]), {"round": 1, "suggestion": suggestion.pk, "decision": "maybe"}, follow=True
    )
    assert "Choose done or dismiss" in response.content.decode()
    assert (
        owner_client.post(url(woven["survey"]), {"round": 1, "suggestion": 999999, "decision": "done"}).status_code
        == 404
    )
    assert (
        owner_client.post(url(woven["survey"]), {"round": 1, "suggestion": "x", "decision": "done"}).status_code == 404
    )
    other = client_for(UserFactory(role=Role.ORGANISER))
    assert (
        other.post(url(woven["survey"]), {"round": 1, "suggestion": suggestion.pk, "decision": "done"}).status_code
        == 403
    )
    with pytest.raises(Exception, match="can do this"):
        services_maps.suggestion_decide(suggestion=suggestion, by=UserFactory(role=Role.MEMBER), decision="done")
    assert Suggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.OPEN


def test_the_page_reads_a_fixed_number_of_queries(woven, django_assert_max_num_queries):
    client = client_for(woven["owner"])
    with django_assert_max_num_queries(20) as first:
        client.get(url(woven["survey"]) + "?status=all")
    assert Suggestion.objects.filter(round=woven["round"]).count() >= 3
    assert len(first.captured_queries) <= 20
