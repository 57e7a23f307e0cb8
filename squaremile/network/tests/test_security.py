"""The two live holes of issue 14: organiser-written help text ran as script on the questionnaire
pages, and the JSON API took the session cookie for a write without a CSRF token."""

import json

import pytest
from django.test import Client

from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.models import Consent, Response
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory
from squaremile.questions.models import Kind as QuestionKind
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def assert_inert(html: str):
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as the words that were typed


@pytest.fixture
def survey():
    survey = SurveyFactory()
    for kind in (QuestionKind.TEXT, QuestionKind.CHOICE, QuestionKind.YESNO, QuestionKind.LONGTEXT):
        Question.objects.create(
            owner=survey, label=f"Q {kind} {HOSTILE}", help_text=HOSTILE, kind=kind, choices=f"a\n{HOSTILE}"
        )
    return survey


def test_question_help_text_is_inert_on_the_questionnaire_private_link_and_paper_pages(client, survey):
    assert_inert(client.get(f"/network/{survey.slug}/respond/").content.decode())
    ResponseFactory(round=survey.rounds.get(), token="private-token")
    assert_inert(client.get(f"/network/{survey.slug}/r/private-token/").content.decode())
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    client.force_login(admin)
    for path in ("paper/enter/", "paper/"):
        response = client.get(f"/network/{survey.slug}/{path}")
        assert response.status_code == 200
        assert_inert(response.content.decode())


def test_every_page_carries_a_policy_that_forbids_inline_script(client, survey):
    policy = client.get(f"/network/{survey.slug}/respond/")["Content-Security-Policy"]
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'none'" in policy


# ---- CSRF ----------------------------------------------------------------------------------------
def _member_with_response(survey):
    member = UserFactory()
    response = ResponseFactory(round=survey.rounds.get(), user=member, display_name="Member", consent=Consent.HIDDEN)
    return member, response


def test_a_cross_site_text_plain_post_cannot_change_a_signed_in_members_response(survey):
    member, response = _member_with_response(survey)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    attack = {"display_name": "Member", "consent": "named", "works_with": [{"name": "Attacker's pick"}]}
    sent = browser.post(f"/api/v1/network/surveys/{survey.slug}/responses", data=json.dumps(attack),
                        content_type="text/plain")  # fmt: skip
    assert sent.status_code == 403
    assert "CSRF" in sent.json()["message"]
    response.refresh_from_db()
    assert response.consent == Consent.HIDDEN and not response.ties.exists()


def test_the_same_post_with_the_csrf_token_or_a_personal_token_goes_through(survey):
    from squaremile.accounts.services import api_token_create

    member, response = _member_with_response(survey)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    browser.get(f"/network/{survey.slug}/respond/")
    body = json.dumps({"display_name": "Member", "consent": "named"})
    csrf = {"X-CSRFToken": browser.cookies["csrftoken"].value}
    sent = browser.post(f"/api/v1/network/surveys/{survey.slug}/responses", data=body,
                        content_type="application/json", headers=csrf)  # fmt: skip
    assert sent.status_code == 200, sent.content
    response.refresh_from_db()
    assert response.consent == Consent.NAMED
    token = api_token_create(user=member, by=member, name="t")[1]
    plain = Client(enforce_csrf_checks=True)
    body = json.dumps({"display_name": "Member", "consent": "anonymous"})
    sent = plain.post(f"/api/v1/network/surveys/{survey.slug}/responses", data=body,
                      content_type="application/json", headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert sent.status_code == 200, sent.content
    assert Response.objects.get(pk=response.pk).consent == Consent.ANONYMOUS
