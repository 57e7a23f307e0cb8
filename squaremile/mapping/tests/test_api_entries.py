"""The map's write API: create/change/delete with a token, moderation for moderators, JSON errors."""

import json

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.mapping.models import Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.questions.models import Kind as QuestionKind

pytestmark = pytest.mark.django_db
API = "/api/v1"


def token_for(user) -> str:
    return api_token_create(user=user, by=user, name="test")[1]


def call(client, method, path, body=None, *, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"data": data, "content_type": "application/json"} if data is not None else {}
    return getattr(client, method)(API + path, headers=headers, **kwargs)


def assert_error(response, status, *fields):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"] and isinstance(body["errors"], dict)
    for field in fields:
        assert any(k == field or k.startswith(field + ".") for k in body["errors"]), (field, body["errors"])
    return body


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def owner_token(owner):
    return token_for(owner)


@pytest.fixture
def moderator_token():
    return token_for(UserFactory(role=Role.MODERATOR))


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


def body(**extra):
    return {"title": "Friday pantry", "category": "community-asset", "lat": 53.8, "lng": -1.55, **extra}


def test_create_needs_a_token(client, category):
    assert_error(call(client, "post", "/map/entries", body()), 401)
    assert_error(call(client, "post", "/map/entries", body(), token="sqm_wrong"), 401)
    assert not Entry.objects.exists()


def test_create_with_answers_and_links(client, owner, owner_token, category):
    question = CategoryQuestionFactory(category=category, label="Places", kind=QuestionKind.NUMBER, required=True)
    org = OrganisationFactory(slug="pantry-org")
    response = call(client, "post", "/map/entries", body(answers={str(question.pk): "12"}, organisation="pantry-org",
                                                         start_date="2026-01-05"), token=owner_token)  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["answers"] == {str(question.pk): 12}
    assert data["organisation"] == "pantry-org" and data["start_date"] == "2026-01-05"
    entry = Entry.objects.get(pk=data["id"])
    assert entry.owner == owner and entry.organisation == org
    assert data["url"] == f"/map/entries/{entry.pk}/"


def test_answers_of_every_kind_through_the_api(client, owner_token, category):
    days = CategoryQuestionFactory(category=category, label="Days", kind=QuestionKind.MULTIPLE, choices="Mon\nTue")
    step = CategoryQuestionFactory(category=category, label="Step-free?", kind=QuestionKind.YESNO)
    since = CategoryQuestionFactory(category=category, label="Since", kind=QuestionKind.DATE)
    answers = {str(days.pk): ["tue", "Mon"], str(step.pk): "Y", str(since.pk): "31/03/2026"}
    response = call(client, "post", "/map/entries", body(answers=answers), token=owner_token)
    assert response.status_code == 201, response.content
    assert response.json()["answers"] == {str(days.pk): ["Mon", "Tue"], str(step.pk): True,
                                          str(since.pk): "2026-03-31"}  # fmt: skip
    body_ = assert_error(
        call(client, "post", "/map/entries", body(answers={str(days.pk): ["Sun"]}), token=owner_token), 400
    )
    assert body_["errors"][f"answers.{days.pk}"] == ["Days: Choose any of: Mon, Tue."]


def test_create_errors_are_400_with_fields(client, owner_token, category):
    question = CategoryQuestionFactory(category=category, label="Places", kind=QuestionKind.NUMBER, required=True)
    assert_error(call(client, "post", "/map/entries", {"title": ""}, token=owner_token), 400, "category", "lat")
    assert_error(call(client, "post", "/map/entries", body(lat=91), token=owner_token), 400, "lat")
    assert_error(call(client, "post", "/map/entries", body(category="nope"), token=owner_token), 400, "category")
    assert_error(
        call(client, "post", "/map/entries", body(organisation="nope"), token=owner_token), 400, "organisation"
    )
    assert_error(call(client, "post", "/map/entries", body(), token=owner_token), 400, f"answers.{question.pk}")
    assert_error(call(client, "post", "/map/entries", body(answers={str(question.pk): "many"}), token=owner_token),
                 400, f"answers.{question.pk}")  # fmt: skip
    assert_error(call(client, "post", "/map/entries", body(start_date="2026-02-30"), token=owner_token), 400)
    assert_error(call(client, "post", "/map/entries", body(start_date="2026-02-03", end_date="2026-02-01",
                                                           answers={str(question.pk): 1}), token=owner_token),
                 400, "end_date")  # fmt: skip
    assert_error(call(client, "post", "/map/entries", raw="{not json", token=owner_token), 400)
    assert_error(call(client, "post", "/map/entries", body(title="a\x00b"), token=owner_token), 400, "title")
    assert not Entry.objects.exists()


def test_patch_and_delete_by_owner_or_moderator_only(client, owner, owner_token, moderator_token, category):
    entry = EntryFactory(category=category, owner=owner, status=EntryStatus.PENDING)
    other_token = token_for(UserFactory())
    path = f"/map/entries/{entry.pk}"
    assert_error(call(client, "patch", path, {"title": "Mine"}), 401)
    assert_error(call(client, "patch", path, {"title": "Mine"}, token=other_token), 403)
    assert_error(call(client, "patch", "/map/entries/999999", {"title": "x"}, token=owner_token), 404)
    assert_error(call(client, "patch", path, {"lat": 100}, token=owner_token), 400, "lat")
    assert_error(call(client, "patch", path, {"title": None}, token=owner_token), 400, "title")
    response = call(client, "patch", path, {"title": "Renamed", "description": "More"}, token=owner_token)
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    assert entry.events.get(action="entry.edited").changes["title"] == [entry.title, "Renamed"]
    response = call(client, "patch", path, {"title": "By the moderator"}, token=moderator_token)
    assert response.status_code == 200
    assert_error(call(client, "delete", path, token=other_token), 403)
    assert call(client, "delete", path, token=owner_token).status_code == 204
    assert not Entry.objects.exists()


def test_reads_still_work_on_the_shared_paths(client, category):
    entry = EntryFactory(category=category, status=EntryStatus.PUBLISHED)
    assert client.get(f"{API}/map/entries/{entry.pk}").status_code == 200
    assert client.get(f"{API}/map/entries").status_code == 200


def test_moderation_actions(client, owner_token, moderator_token, category, mailoutbox,
                            django_capture_on_commit_callbacks):  # fmt: skip
    entry = EntryFactory(category=category, status=EntryStatus.PENDING, submitter_email="ann@example.org")
    base = f"/map/entries/{entry.pk}"
    assert_error(call(client, "post", base + "/publish"), 401)
    assert_error(call(client, "post", base + "/publish", token=owner_token), 403)
    assert_error(call(client, "post", "/map/entries/999999/publish", token=moderator_token), 404)
    response = call(client, "post", base + "/publish", {"note": "Checked by phone"}, token=moderator_token)
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert entry.events.get(action="entry.published").note == "Checked by phone"
    assert_error(call(client, "post", base + "/publish", token=moderator_token), 400, "status")
    assert_error(call(client, "post", base + "/verify", raw="{bad", token=moderator_token), 400)
    assert_error(call(client, "post", base + "/verify", {"note": "x" * 2001}, token=moderator_token), 400, "note")
    assert call(client, "post", base + "/verify", token=moderator_token).json()["verified"] is True
    assert_error(call(client, "post", base + "/reject", {}, token=moderator_token), 400, "reason")
    assert_error(call(client, "post", base + "/reject", {"reason": ""}, token=moderator_token), 400, "reason")
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", base + "/reject", {"reason": "Closed"}, token=moderator_token)
    assert response.status_code == 200 and response.json()["rejection_reason"] == "Closed"
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    assert call(client, "post", base + "/archive", token=moderator_token).json()["status"] == "archived"


def test_merge_action(client, moderator_token, category):
    keep = EntryFactory(category=category, status=EntryStatus.PUBLISHED)
    dupe = EntryFactory(category=category, status=EntryStatus.PENDING)
    base = f"/map/entries/{dupe.pk}/merge"
    assert_error(call(client, "post", base, {}, token=moderator_token), 400, "into")
    assert_error(call(client, "post", base, {"into": 999999}, token=moderator_token), 400, "into")
    assert_error(call(client, "post", base, {"into": dupe.pk}, token=moderator_token), 400, "status")
    response = call(client, "post", base, {"into": keep.pk}, token=moderator_token)
    assert response.status_code == 200 and response.json()["merged_into"] == keep.pk
    assert response.json()["status"] == "merged"


def test_openapi_lists_the_write_paths(client):
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/map/entries"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/map/entries/{entry_id}"])
    for action in ("publish", "reject", "verify", "unverify", "archive", "restore", "merge"):
        assert "post" in paths[f"/api/v1/map/entries/{{entry_id}}/{action}"], action


@pytest.mark.parametrize("entry_id", ["0", "-1", str(2**63), "99999999999999999999999"])
def test_impossible_ids_are_404_never_500(client, owner_token, moderator_token, entry_id):
    calls = [("patch", "", owner_token), ("delete", "", owner_token), ("post", "/publish", moderator_token),
             ("post", "/merge", moderator_token)]  # fmt: skip
    for method, path, token in calls:
        response = call(client, method, f"/map/entries/{entry_id}{path}", {"title": "x", "into": 1}, token=token)
        assert response.status_code == 404, (method, path, response.status_code)
    response = call(client, "post", "/map/entries/1/merge", {"into": 2**64}, token=moderator_token)
    assert_error(response, 400, "into")
