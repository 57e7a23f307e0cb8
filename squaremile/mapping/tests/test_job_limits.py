"""The per-person limit on background jobs, as people meet it: the export page and the import
wizard say why nothing started (429), the API answers a 429 JSON."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Job, JobStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory
from squaremile.mapping.tests.test_imports import GOOD_CSV, columns_post, upload

pytestmark = pytest.mark.django_db
BUSY = "You already have 2 exports or imports under way."


@pytest.fixture
def entries(settings):
    settings.MAP_EXPORT_INLINE_MAX = 1  # two entries: every export is a background job
    halls = CategoryFactory(name="Halls", slug="halls")
    CategoryFactory(name="Food help", slug="food-help")
    EntryFactory(category=halls, lat=53.8, lng=-1.55)
    EntryFactory(category=halls, lat=53.81, lng=-1.56)


def test_third_export_in_a_row_refused_on_the_page(client, entries):
    client.force_login(UserFactory())
    prepare = reverse("mapping:export_prepare", args=["csv"])
    for _ in range(2):
        assert client.post(prepare).status_code == 302  # queued (the worker has not run: on commit)
    response = client.post(prepare)
    assert response.status_code == 429
    html = response.content.decode()
    assert BUSY in html and "Export" in html
    assert Job.objects.count() == 2


def test_third_export_in_a_row_refused_by_the_api_with_429_json(client, entries):
    person = UserFactory()
    headers = {"Authorization": f"Bearer {api_token_create(user=person, by=person, name='t')[1]}"}
    for _ in range(2):
        assert client.get("/api/v1/map/export?format=csv", headers=headers).status_code == 202
    response = client.get("/api/v1/map/export?format=csv", headers=headers)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert response.json()["message"].startswith(BUSY) and response.json()["errors"] == {}
    assert Job.objects.count() == 2
    schema = client.get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/map/export"]["get"]["responses"]


def test_import_wizard_waits_for_room(client, entries):
    moderator = UserFactory(role=Role.MODERATOR)
    client.force_login(moderator)
    upload(client, GOOD_CSV.encode())
    job = Job.objects.get(kind="mapping.import")
    for _ in range(2):
        client.post(reverse("mapping:export_prepare", args=["csv"]))
    response = client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    assert response.status_code == 429 and BUSY in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING and job.params["stage"] == "mapping"  # nothing changed

    Job.objects.filter(kind="mapping.export").update(status=JobStatus.DONE)  # the exports finish
    response = client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    assert response["Location"] == reverse("mapping:import_preview", args=[job.pk])  # checked at once

    for _ in range(2):
        client.post(reverse("mapping:export_prepare", args=["csv"]))
    response = client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert response["Location"] == reverse("mapping:import_preview", args=[job.pk])
    assert BUSY in client.get(response["Location"]).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING and job.params["stage"] == "preview"
