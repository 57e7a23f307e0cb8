"""API error bodies do not grow with the request: a few dozen problems are listed, the rest counted,
and each field name and message is cut short."""

import json

import pytest

from squaremile.core import api as core_api
from squaremile.network.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db
LIMIT = 20_000


def post_response(client, survey, body):
    return client.post(
        f"/api/v1/network/surveys/{survey.slug}/responses", data=json.dumps(body), content_type="application/json"
    )


def check_small(response, *, more: int):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert len(response.content) < LIMIT, f"a {len(response.content):,}-byte error body"
    body = response.json()
    assert body["message"]
    listed = sum(len(messages) for messages in body["errors"].values())
    assert listed == core_api.ERRORS_LISTED + 1
    assert body["errors"]["__all__"][-1] == f"…and {more:,} more not listed."
    return body


def test_fifty_thousand_unknown_keys_give_a_small_400(client):
    survey = SurveyFactory()
    skills = {f"unknown-skill-{i}": "some" for i in range(50_000)}  # a 1.5 MB body
    body = check_small(post_response(client, survey, {"display_name": "A", "consent": "named", "skills": skills}),
                       more=50_000 - core_api.ERRORS_LISTED)  # fmt: skip
    assert body["errors"]["skills"][:2] == ["Unknown skill: unknown-skill-0", "Unknown skill: unknown-skill-1"]


def test_fifty_thousand_schema_errors_give_a_small_400(client):
    survey = SurveyFactory()
    skills = {f"s{i}": "loads" for i in range(50_000)}  # each level is not one of the choices
    body = check_small(post_response(client, survey, {"display_name": "A", "consent": "named", "skills": skills}),
                       more=50_000 - core_api.ERRORS_LISTED)  # fmt: skip
    assert len(body["errors"]) == core_api.ERRORS_LISTED + 1 and "skills.s0" in body["errors"]


def test_a_body_over_the_upload_limit_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_response(client, SurveyFactory(), {"display_name": "A" * 2000, "consent": "named"})
    assert response.status_code == 413 and response.json()["message"].startswith("The request is too large")


def test_capped_errors_cut_names_and_messages():
    pairs = [("f" * 500, "m" * 5000)] + [(f"field{i}", "bad") for i in range(100)]
    errors = core_api._capped_errors(pairs)
    long_name = "f" * (core_api.FIELD_NAME_MAX - 1) + "…"
    assert errors[long_name] == ["m" * (core_api.ERROR_MESSAGE_MAX - 1) + "…"]
    assert len(errors) == core_api.ERRORS_LISTED + 1  # 50 fields and the "…and 51 more" line
    assert errors["__all__"] == ["…and 51 more not listed."]
    assert core_api._capped_errors([("a", "x"), ("a", "y")]) == {"a": ["x", "y"]}
