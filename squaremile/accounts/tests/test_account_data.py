import json

import pytest

from squaremile.accounts.models import User
from squaremile.accounts.tests.factories import PASSWORD, UserFactory
from squaremile.directory.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_download_my_data(client):
    user = UserFactory()
    OrganisationFactory(owner=user, slug="my-group")
    client.force_login(user)
    response = client.get("/people/me/data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["organisations_added"] == ["my-group"]


def test_delete_account_needs_password_and_keeps_directory_records(client):
    user = UserFactory()
    org = OrganisationFactory(owner=user)
    client.force_login(user)
    response = client.post("/people/me/delete/", {"password": "wrong"})
    assert response.status_code == 400
    assert b"That is not your password" in response.content
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post("/people/me/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    org.refresh_from_db()
    assert org.owner_id is None


def test_data_pages_need_login(client):
    assert client.get("/people/me/data.json").status_code == 302
    assert client.get("/people/me/delete/").status_code == 302
