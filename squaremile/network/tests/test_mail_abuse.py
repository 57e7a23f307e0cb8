"""Nobody can use a questionnaire to send mail anywhere, with their words in it (issue 14, item 4):
answers that send a private link are limited per address and per e-mail address, in the shared
cache; the mail greets generically, its subject is fixed, and the survey title it quotes has its links
broken. Organisers' invitations are limited per organiser."""

import json

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.models import Response
from squaremile.network.tests.factories import SurveyFactory
from squaremile.network.tests.test_respond import form_data, respond_url

pytestmark = pytest.mark.django_db
HOSTILE = "URGENT: verify your bank at https://evil.example/login"
VICTIM = "victim@example.org"


@pytest.fixture
def survey():
    return SurveyFactory(title="Who we work with (see www.evil.example)")


def test_the_private_link_mail_holds_no_word_the_visitor_typed(client, survey, mailoutbox,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(respond_url(survey), form_data(name=HOSTILE, email=VICTIM))
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [VICTIM]
    assert mail.subject == "[Square Mile] The private link to your answers"
    assert mail.body.startswith("Hello,\n")
    assert "URGENT" not in mail.body and "evil.example/login" not in mail.body
    # the organiser's title is quoted, marked, with its link broken (no mail client makes it clickable)
    assert "www[.]evil[.]example" in mail.body and "www.evil.example" not in mail.body
    assert f"/network/{survey.slug}/r/" in mail.body
    # text and HTML from the one path, with a way to stop such mails to this address
    assert (
        mail.alternatives[0][1] == "text/html"
        and "/notifications/unsubscribe/" in mail.extra_headers["List-Unsubscribe"]
    )


def test_mail_to_one_address_is_limited_from_anywhere(client, survey, mailoutbox, django_capture_on_commit_callbacks):
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                respond_url(survey), form_data(name=f"Person {n}", email=VICTIM), REMOTE_ADDR=f"10.0.0.{n}"
            )
        assert response.status_code == 302
    response = client.post(respond_url(survey), form_data(name="Typed Name", email=VICTIM), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Please wait" in html and "send your answers again" in html
    assert 'value="Typed Name"' in html  # what was typed stays
    assert len(mailoutbox) == 3 and Response.objects.count() == 3
    # someone else, from the same address, still answers
    response = client.post(
        respond_url(survey), form_data(name="Other", email="other@example.org"), REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


def test_answers_from_one_address_are_limited(client, survey, settings):
    settings.RATE_LIMITS = "survey-response=2/h/ip"
    for n in range(2):
        assert client.post(respond_url(survey), form_data(name=f"Person {n}")).status_code == 302
    assert client.post(respond_url(survey), form_data(name="Third")).status_code == 429
    assert client.post(respond_url(survey), form_data(name="Elsewhere"), REMOTE_ADDR="10.1.1.1").status_code == 302


def test_a_refused_form_does_not_count(client, survey, settings):
    settings.RATE_LIMITS = "survey-response=1/h/ip"
    assert client.post(respond_url(survey), form_data(consent="")).status_code == 400
    assert client.post(respond_url(survey), form_data()).status_code == 302


def test_the_api_answers_429_json_with_retry_after(client, survey, mailoutbox, django_capture_on_commit_callbacks):
    url = f"/api/v1/network/surveys/{survey.slug}/responses"
    body = {"display_name": HOSTILE, "consent": "named", "email": VICTIM, "stream": "community"}
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, json.dumps(body), content_type="application/json").status_code == 201
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    out = response.json()
    assert out["message"] and out["errors"] == {}
    assert len(mailoutbox) == 3 and all("URGENT" not in m.body and "URGENT" not in m.subject for m in mailoutbox)


def test_invitations_greet_generically_and_are_limited_per_organiser(client, mailoutbox, settings,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    settings.RATE_LIMITS = "invitations=3/d/user"
    organiser = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=organiser, title="Ties")
    client.force_login(organiser)
    url = reverse("network:invitations", args=[survey.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"people": f"a@example.org, {HOSTILE}\nb@example.org"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == "[Square Mile] You are invited to answer a questionnaire"
    assert mailoutbox[0].body.startswith("Hello,\n") and "URGENT" not in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"people": "c@example.org\nd@example.org"})
    assert response.status_code == 429 and "many invitations" in response.content.decode()
    assert len(mailoutbox) == 2
