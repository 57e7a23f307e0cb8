"""The maps API: the published payload (404 unless published), the organiser's analysis and its
recompute (token, permission), JSON errors, the OpenAPI schema."""

import pytest
from django.test import Client

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.computing import runner, tasks
from squaremile.network.models import Analysis, AnalysisStatus, Consent
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/network/surveys"


def token_for(user) -> str:
    return api_token_create(user=user, by=user, name="test")[1]


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["message"] and isinstance(body["errors"], dict)


@pytest.fixture
def survey():
    owner = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=owner, slug="calder", anonymity_threshold=5)
    round = survey.rounds.get(number=1)
    shown = ResponseFactory(round=round, display_name="Shown Sam", consent=Consent.NAMED, email="sam@example.org")
    hidden = ResponseFactory(round=round, display_name="Hidden Hana", consent=Consent.HIDDEN)
    TieFactory(round=round, source=shown.node, target=hidden.node)
    runner.run_analysis(round)
    return survey


def test_published_payload_only_once_published(survey):
    client = Client()
    assert_error(client.get(f"{API}/calder/published"), 404)
    assert_error(client.get(f"{API}/nope/published"), 404)
    survey.is_published = True
    survey.save()
    response = client.get(f"{API}/calder/published")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Shown Sam" in text and "Hidden Hana" not in text and "sam@example.org" not in text
    assert response.json()["view"] == "published"
    assert_error(client.get(f"{API}/calder/published?round=5"), 404)
    assert_error(client.get(f"{API}/calder/published?round=zero"), 400)


def test_analysis_needs_a_token_and_the_organiser(survey):
    client = Client()
    assert_error(client.get(f"{API}/calder/analysis"), 401)
    assert_error(client.get(f"{API}/calder/analysis", headers=auth("sqm_forged")), 401)
    member = UserFactory(role=Role.MEMBER)
    assert_error(client.get(f"{API}/calder/analysis", headers=auth(token_for(member))), 403)
    other = UserFactory(role=Role.ORGANISER)
    assert_error(client.get(f"{API}/calder/analysis", headers=auth(token_for(other))), 403)
    response = client.get(f"{API}/calder/analysis", headers=auth(token_for(survey.owner)))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "fresh" and body["up_to_date"] is True
    assert body["graph"]["nodes"] == 2 and len(body["nodes"]) == 2
    admin = UserFactory(role=Role.ADMIN)
    assert client.get(f"{API}/calder/analysis", headers=auth(token_for(admin))).status_code == 200
    assert_error(client.get(f"{API}/nope/analysis", headers=auth(token_for(admin))), 404)


def test_run_recomputes_now_or_queues(survey, settings, monkeypatch, django_capture_on_commit_callbacks):
    client = Client()
    token = token_for(survey.owner)
    round = survey.rounds.get()
    with django_capture_on_commit_callbacks(execute=False):
        tasks.data_changed(round)
    assert Analysis.objects.get(round=round).status == AnalysisStatus.STALE
    response = client.post(f"{API}/calder/analysis/run", headers=auth(token))
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["analysis"]["up_to_date"] is True

    queued = []

    class Recorder:
        def enqueue(self, round_id):
            queued.append(round_id)

    monkeypatch.setattr(tasks, "analyse_round", Recorder())
    settings.NETWORK_SYNC_ANALYSIS_MAX_NODES = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/calder/analysis/run", headers=auth(token))
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert queued == [round.pk]
    member = UserFactory(role=Role.MEMBER)
    assert_error(client.post(f"{API}/calder/analysis/run", headers=auth(token_for(member))), 403)


def test_openapi_lists_the_map_endpoints():
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("published", "analysis", "analysis/run"):
        assert f"/api/v1/network/surveys/{{slug}}/{path}" in schema["paths"]
