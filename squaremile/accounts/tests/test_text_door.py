"""User text is cleaned at the door (core.text.clean_text), but a password is never touched."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import User
from squaremile.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# Every kind of character the door removes from other text: a password must keep them all.
ODD_PASSWORD = "p\u202ea\u200bs\ufeffs\x01w\to\u0301r\u2028d \U000e0041!"


def test_a_password_with_odd_characters_still_logs_in(client):
    user = UserFactory(email="odd@example.org")
    user.set_password(ODD_PASSWORD)
    user.save()
    response = client.post(reverse("account_login"), {"login": "odd@example.org", "password": ODD_PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_password_with_odd_characters_confirms_a_project_form(client):
    """The delete-account form is the project's (it cleans its text) and asks for the password."""
    user = UserFactory(email="odd@example.org")
    user.set_password(ODD_PASSWORD)
    user.save()
    client.force_login(user)
    client.post(reverse("accounts:account_delete"), {"password": ODD_PASSWORD, "confirm": "on"})
    assert not User.objects.filter(pk=user.pk).exists()


def test_signup_stores_a_cleaned_email_and_the_password_as_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@exa\u200bmple.org", "password1": ODD_PASSWORD, "password2": ODD_PASSWORD},
    )
    assert response.status_code == 302, response.content[:3000]
    user = User.objects.get()
    assert user.email == "new@example.org"
    assert user.emailaddress_set.get().email == "new@example.org"
    assert user.check_password(ODD_PASSWORD)
