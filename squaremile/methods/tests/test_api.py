import pytest

from squaremile.accounts import services as accounts
from squaremile.accounts.tests.factories import UserFactory
from squaremile.methods.models import UsageReport
from squaremile.methods.tests.factories import MethodFactory, StepFactory

pytestmark = pytest.mark.django_db


def test_list_filter_and_detail(client, django_assert_max_num_queries):
    for _ in range(12):
        MethodFactory(purposes=",skills,")
    m = MethodFactory(purposes=",decide,", licence="CC0-1.0")
    StepFactory(method=m, title="Vote", minutes=5)
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/methods", {"purpose": "skills", "limit": 5}).json()
    assert body["count"] == 12 and len(body["items"]) == 5
    detail = client.get(f"/api/v1/methods/{m.slug}").json()
    assert detail["licence"] == "CC0-1.0" and detail["steps"] == [{"title": "Vote", "minutes": 5, "text": ""}]
    assert client.get("/api/v1/methods", {"purpose": "nonsense"}).status_code == 400
    assert client.get("/api/v1/methods/nope").status_code == 404


def test_helper_and_reports(client):
    m = MethodFactory(purposes=",skills,", min_people=2, max_people=50, minutes=30)
    found = client.get("/api/v1/methods-helper", {"people": 10, "minutes": 45, "words": "our skills"}).json()
    assert found[0]["method"]["slug"] == m.slug and found[0]["reasons"]
    user = UserFactory()
    _, key = accounts.api_token_create(user=user, by=user, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    made = client.post(
        f"/api/v1/methods/{m.slug}/reports",
        {"used_on": "2026-02-01", "people": 9},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201 and UsageReport.objects.get().people == 9
    bad = client.post(
        f"/api/v1/methods/{m.slug}/reports",
        {"used_on": "2999-02-01", "people": 9},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "used_on" in bad.json()["errors"]
    assert (
        client.post(
            f"/api/v1/methods/{m.slug}/reports", {"used_on": "2026-02-01", "people": 9}, content_type="application/json"
        ).status_code
        == 401
    )
