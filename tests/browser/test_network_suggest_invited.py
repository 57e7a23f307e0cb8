"""The name suggester in a real browser for an invite-only survey (issue 14, item 3): the invited
person's questionnaire sends its grant with htmx's requests and gets names; a stranger gets none."""

import pytest
from playwright.sync_api import expect

from squaremile.network.models import Audience, Consent
from squaremile.network.surveys import services
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_person_gets_name_suggestions_and_a_stranger_none(page, new_context, live_server, taxonomy):
    survey = SurveyFactory(audience=Audience.INVITED, title="Invited map")
    ResponseFactory(round=survey.rounds.get(), display_name="Zed Zebra", consent=Consent.NAMED)
    sent = services.invitations_send(survey=survey, by=survey.owner, people=[("yan@example.org", "Yan")], link_for=str)
    page.goto(f"/network/{survey.slug}/i/{sent[0].token}/")
    with page.expect_response(lambda r: "/respond/names/" in r.url) as answer:
        page.locator("#tie-0-name").fill("Ze")
    assert answer.value.status == 200
    expect(page.locator("#name-suggestions option[value='Zed Zebra']")).to_have_count(1)

    stranger = new_context().new_page()
    reply = stranger.request.get(f"{live_server.url}/network/{survey.slug}/respond/names/?q=Ze")
    assert reply.status == 403 and "Zed" not in reply.text()
