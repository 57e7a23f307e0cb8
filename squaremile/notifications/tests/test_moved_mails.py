"""The mails that moved onto the one path: network invitations and private links, allauth's."""

import pytest
from django.core import mail
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.surveys import services as network_services
from squaremile.network.tests.factories import SurveyFactory
from squaremile.notifications.models import Suppression

pytestmark = pytest.mark.django_db


def test_the_network_invitation_email_is_html_and_text_from_the_same_path(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://net.example.org"
    organiser = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=organiser, title="Who we work with")
    with django_capture_on_commit_callbacks(execute=True):
        network_services.invitations_send(
            survey=survey, by=organiser, people=[("new.person@example.org", "")],
            link_for=lambda token: f"https://net.example.org/network/i/{token}/",
        )  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]  # no account: invitations are still sent
    assert message.subject == "[Square Mile] You are invited to answer a questionnaire"
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "Who we work with" in html and "Who we work with" in message.body
    assert "https://net.example.org/network/i/" in html and "https://net.example.org/network/i/" in message.body
    assert "example.com" not in html + message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://net.example.org/notifications/unsubscribe/")
    assert "Don't e-mail me invitations again" in html
    # the invited person says "don't e-mail me again": the next invitation is not sent
    client.post(unsubscribe.removeprefix("https://net.example.org"))
    assert Suppression.objects.filter(email="new.person@example.org", kind="network.invitation").exists()
    with django_capture_on_commit_callbacks(execute=True):
        network_services.invitations_send(
            survey=survey, by=organiser, people=[("new.person@example.org", "")], link_for=lambda t: f"/i/{t}/"
        )
    assert len(mail.outbox) == 1


def test_allauth_mails_go_through_the_one_path_at_once(client, settings):
    from squaremile.notifications.adapter import AccountAdapter

    assert f"{AccountAdapter.__module__}.{AccountAdapter.__name__}" == settings.ACCOUNT_ADAPTER
    UserFactory(email="codes@example.org")
    # a log-in code is needed now, not when the worker gets to it: sent at once (no commit to wait for)
    response = client.post(reverse("account_request_login_code"), {"email": "codes@example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["codes@example.org"] and "Square Mile" in message.subject
