"""Wrong passwords slow the one who types them, never lock the account's owner out (issue 14, item 9);
the slowed visitor is offered a way in by e-mail."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from squaremile.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def production_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS_PRODUCTION


def _login(client, email, password, ip):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_for_someone_else_do_not_lock_them_out():
    victim = UserFactory(email="victim@example.org")
    attacker = Client()
    for _ in range(6):
        response = _login(attacker, victim.email, "not-the-password", ATTACKER)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Too many failed attempts to sign in from here" in page
    assert f'href="{reverse("account_request_login_code")}"' in page  # a clickable way in by e-mail
    assert f'href="{reverse("account_reset_password")}"' in page
    # the attacker stays slowed, even with the right password ...
    assert _login(attacker, victim.email, PASSWORD, ATTACKER).status_code == 200
    assert "_auth_user_id" not in attacker.session
    # ... but the owner, elsewhere, signs in at once
    owner = Client()
    response = _login(owner, victim.email, PASSWORD, OWNER)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(victim.pk)


def test_one_address_is_still_slowed_across_accounts():
    people = [UserFactory() for _ in range(11)]
    client = Client()
    responses = [_login(client, person.email, "wrong", ATTACKER) for person in people]
    assert "Too many failed attempts" not in responses[0].content.decode()
    assert "Too many failed attempts" in responses[-1].content.decode()  # 10 a minute per address


def test_owner_can_sign_in_with_a_code_by_email():
    owner = UserFactory(email="owner@example.org")
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": owner.email}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_account_mails_to_one_address_are_capped(settings, caplog):
    settings.RATE_LIMITS = "account-mail=2/h/email"
    UserFactory(email="owner@example.org")
    for n in range(4):  # reset someone else's password, from many places
        Client().post(reverse("account_reset_password"), {"email": "owner@example.org"}, REMOTE_ADDR=f"10.0.0.{n}")
    assert [m.to for m in mail.outbox] == [["owner@example.org"]] * 2
    assert "too many to this address" in caplog.text
