"""The surveys API: organisers' reads (403 for anyone else), and submitting a response."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.models import Audience, Response, Tie
from squaremile.network.surveys import services
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client, method, path, body=None, *, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {}
    if raw is not None:
        kwargs = {"data": raw, "content_type": "application/json"}
    elif body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(API + path, headers=headers, **kwargs)


def token_for(user):
    return api_token_create(user=user, by=user, name="test")[1]


def assert_error(response, status, *fields):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["message"] and isinstance(body["errors"], dict)
    for field in fields:
        assert any(k == field or k.startswith(field + ".") for k in body["errors"]), body["errors"]
    return body


@pytest.fixture
def owner():
    return UserFactory(role=Role.ORGANISER)


@pytest.fixture
def survey(owner):
    survey = SurveyFactory(owner=owner, title="Kettleby")
    r = ResponseFactory(round=survey.rounds.get(), display_name="Secret Sam")
    TieFactory(round=survey.rounds.get(), source=r.node, response=r)
    return survey


def test_openapi_lists_the_survey_paths(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    for path in ("/api/v1/network/surveys", "/api/v1/network/surveys/{slug}",
                 "/api/v1/network/surveys/{slug}/responses"):  # fmt: skip
        assert path in paths


def test_my_surveys(client, survey, owner):
    SurveyFactory(title="Someone else's")
    body = call(client, "get", "/network/surveys", token=token_for(owner)).json()
    assert [s["slug"] for s in body["items"]] == [survey.slug] and body["count"] == 1
    assert_error(call(client, "get", "/network/surveys"), 401)


def test_survey_detail_counts(client, survey, owner):
    body = call(client, "get", f"/network/surveys/{survey.slug}", token=token_for(owner)).json()
    assert body["rounds"][0]["counts"]["responses"] == 1 and body["rounds"][0]["counts"]["ties"] == 1
    assert body["rounds"][0]["state"] == "open"
    assert_error(call(client, "get", "/network/surveys/nope", token=token_for(owner)), 404)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORGANISER])
def test_others_get_403_and_no_answers(client, survey, role):
    token = token_for(UserFactory(role=role))
    for path in (f"/network/surveys/{survey.slug}", f"/network/surveys/{survey.slug}/responses"):
        response = call(client, "get", path, token=token)
        assert_error(response, 403)
        assert b"Secret Sam" not in response.content


def test_responses_list_and_query_count(client, survey, owner, django_assert_num_queries):
    token = token_for(owner)
    body = call(client, "get", f"/network/surveys/{survey.slug}/responses", token=token).json()
    assert body["items"][0]["display_name"] == "Secret Sam" and body["items"][0]["ties"] == 1
    with django_assert_num_queries(4) as first:  # token, survey, round, page
        call(client, "get", f"/network/surveys/{survey.slug}/responses?limit=2", token=token)
    for _ in range(5):
        ResponseFactory(round=survey.rounds.get())
    with django_assert_num_queries(len(first.captured_queries) + 1):  # a full page: the count is asked
        body = call(client, "get", f"/network/surveys/{survey.slug}/responses?limit=2", token=token).json()
    assert body["count"] == 6 and len(body["items"]) == 2
    assert_error(call(client, "get", f"/network/surveys/{survey.slug}/responses?round=9", token=token), 404)
    assert_error(call(client, "get", f"/network/surveys/{survey.slug}/responses?limit=0", token=token), 400)


def test_submit_creates_then_updates_with_the_token(client, survey, mailoutbox, django_capture_on_commit_callbacks):
    OrganisationFactory(name="Food Bank", slug="food-bank")
    body = {
        "display_name": "Api Person", "consent": "anonymous", "email": "api@example.org", "stream": "business",
        "organisation": "food-bank", "willingness": 2,
        "works_with": [{"name": "Secret Sam", "strength": 3, "sharing": 1}, {"name": "Food Bank"}],
        "skills": {"first-aid": "strong"}, "resources": {"minibus": "some"}, "needs": ["bid-writing", "meeting-room"],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"/network/surveys/{survey.slug}/responses", body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["created"] and out["token"] and out["token"] in out["private_link"]
    saved = Response.objects.get(pk=out["id"])
    assert saved.consent == "anonymous" and saved.organisation.slug == "food-bank"
    assert Tie.objects.filter(response=saved).count() == 2 and len(mailoutbox) == 1
    again = call(client, "post", f"/network/surveys/{survey.slug}/responses",
                 {**body, "consent": "hidden", "works_with": [], "token": out["token"]})  # fmt: skip
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["token"] is None
    saved.refresh_from_db()
    assert saved.consent == "hidden" and not Tie.objects.filter(response=saved).exists()
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"display_name": "A"}, ["consent"]),
        ({"display_name": "A", "consent": "maybe"}, ["consent"]),
        ({"display_name": "A", "consent": "named", "skills": {"juggling": "strong"}}, ["skills"]),
        ({"display_name": "A", "consent": "named", "skills": {"first-aid": "expert"}}, ["skills"]),
        ({"display_name": "A", "consent": "named", "works_with": [{"name": "B", "strength": 5}]}, ["works_with"]),
        ({"display_name": "A", "consent": "named", "works_with": [{"name": "a"}]}, ["ties"]),
        ({"display_name": "A", "consent": "named", "works_with": [{"name": "B"}, {"name": "b"}]}, ["works_with"]),
        ({"display_name": "A", "consent": "named", "needs": ["nothing-like-it"]}, ["needs"]),
        ({"display_name": "A", "consent": "named", "willingness": 9}, ["willingness"]),
        ({"display_name": "A", "consent": "named", "email": "nope"}, ["email"]),
        ({"display_name": "A\x00", "consent": "named"}, ["display_name"]),
        ({"display_name": "A", "consent": "named", "organisation": "no-such-org"}, ["organisation"]),
        ({"display_name": "A", "consent": "named", "answers": {"999": "x"}}, ["answers"]),
    ],
)
def test_submit_bad_input_is_400_with_field_errors(client, survey, body, fields):
    response = call(client, "post", f"/network/surveys/{survey.slug}/responses", body)
    assert_error(response, 400, *fields)
    assert Response.objects.count() == 1


def test_submit_malformed_json_and_refusals(client, survey):
    assert_error(call(client, "post", f"/network/surveys/{survey.slug}/responses", raw="{nope"), 400)
    ok = {"display_name": "A", "consent": "named"}
    assert_error(call(client, "post", "/network/surveys/missing/responses", ok), 404)
    assert_error(call(client, "post", f"/network/surveys/{survey.slug}/responses", {**ok, "token": "forged"}), 403)
    survey.closes_at = timezone.now() - timedelta(hours=1)
    survey.save()
    assert_error(call(client, "post", f"/network/surveys/{survey.slug}/responses", ok), 403)
    members = SurveyFactory(audience=Audience.MEMBERS)
    assert_error(call(client, "post", f"/network/surveys/{members.slug}/responses", ok), 403)
    member = UserFactory()
    response = call(client, "post", f"/network/surveys/{members.slug}/responses", ok, token=token_for(member))
    assert response.status_code == 201
    invited = SurveyFactory(audience=Audience.INVITED)
    assert_error(call(client, "post", f"/network/surveys/{invited.slug}/responses", ok), 403)
    assert_error(call(client, "post", f"/network/surveys/{invited.slug}/responses", {**ok, "invitation": "x"}), 403)
    sent = services.invitations_send(survey=invited, by=invited.owner, people=[("i@example.org", "")], link_for=str)
    response = call(client, "post", f"/network/surveys/{invited.slug}/responses", {**ok, "invitation": sent[0].token})
    assert response.status_code == 201
    assert Response.objects.count() == 3
