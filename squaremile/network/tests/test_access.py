"""Who may open a survey's questionnaire, and with it the name suggester (issue 14, item 3): the
suggester applies the questionnaire's own rule, and never offers someone who chose, in the round
they last answered, not to be named."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network import access
from squaremile.network.models import Audience, Consent, NodeKind
from squaremile.network.surveys import services
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

HEADER = "HTTP_" + access.GRANT_HEADER.upper().replace("-", "_")


def suggest(client, survey, q="Ze", **headers):
    return client.get(reverse("network:name_suggest", args=[survey.slug]), {"tie-0-name": q}, **headers)


def offered(page) -> str:
    assert page.status_code == 200, page.status_code
    return page.content.decode()


def named_respondent(survey, name="Zed Zebra", consent=Consent.NAMED, round_=None):
    return ResponseFactory(round=round_ or survey.rounds.get(number=1), display_name=name, consent=consent)


def member():
    client = Client()
    client.force_login(UserFactory(role=Role.MEMBER))
    return client


def invite(survey, django_capture_on_commit_callbacks, email="yan@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.invitations_send(survey=survey, by=survey.owner, people=[(email, "Yan")], link_for=str)
    return sent[0].token


def grant_of(page) -> str:
    """The questionnaire's grant for the suggester, as the page hands it to htmx."""
    html = page.content.decode()
    found = re.search(r"hx-headers='([^']*)'", html.split("<form", 1)[1])
    assert found, "the questionnaire form carries no grant"
    header = unescape(found.group(1))
    pattern = re.escape(f'"{access.GRANT_HEADER}": "') + r'([^"]+)"'
    return re.search(pattern, header).group(1)


# ---- who may ask ---------------------------------------------------------------------------------


def test_invite_only_survey_suggests_nothing_to_anonymous_visitors_or_other_members():
    survey = SurveyFactory(audience=Audience.INVITED)
    named_respondent(survey)
    for client in (Client(), member()):
        page = suggest(client, survey)
        assert page.status_code == 403
        assert "Zed" not in page.content.decode()


@pytest.mark.parametrize(
    "dates",
    [{"opens_at": timezone.now() + timedelta(days=3)}, {"closes_at": timezone.now() - timedelta(days=1)}],
    ids=["not-yet-open", "closed"],
)
def test_survey_not_open_suggests_nothing_but_organisers_still_type_in_paper_answers(dates):
    survey = SurveyFactory(**dates)
    named_respondent(survey)
    for client in (Client(), member()):
        page = suggest(client, survey)
        assert page.status_code == 403 and "Zed" not in page.content.decode()
    organiser = Client()
    organiser.force_login(survey.owner)
    assert "Zed Zebra" in offered(suggest(organiser, survey))


def test_members_survey_suggests_to_signed_in_members_only():
    survey = SurveyFactory(audience=Audience.MEMBERS)
    named_respondent(survey)
    assert suggest(Client(), survey).status_code == 403
    assert "Zed Zebra" in offered(suggest(member(), survey))


def test_unknown_survey_is_a_404():
    assert Client().get(reverse("network:name_suggest", args=["no-such-survey"]), {"q": "Ze"}).status_code == 404


def test_invited_person_gets_suggestions_through_the_questionnaire_grant(client, django_capture_on_commit_callbacks):
    survey = SurveyFactory(audience=Audience.INVITED)
    named_respondent(survey)
    token = invite(survey, django_capture_on_commit_callbacks)
    page = client.get(reverse("network:respond_invited", args=[survey.slug, token]))
    grant = grant_of(page)
    assert token not in grant  # the grant names the invitation, it does not carry its secret
    assert "Zed Zebra" in offered(suggest(client, survey, **{HEADER: grant}))
    # the grant is no pass anywhere else, and cannot be forged
    other = SurveyFactory(audience=Audience.INVITED)
    named_respondent(other, "Zelda Other")
    assert suggest(client, other, **{HEADER: grant}).status_code == 403
    assert suggest(client, survey, **{HEADER: grant[:-2] + "xx"}).status_code == 403
    assert suggest(client, survey, **{HEADER: "garbage"}).status_code == 403
    # a new link for the invitation (sent again) revokes the old page's grant
    invitation = services.invitation_for(survey, token)
    services.invitation_resend(invitation=invitation, by=survey.owner, link_for=str)
    assert suggest(client, survey, **{HEADER: grant}).status_code == 403


def test_invited_person_keeps_suggestions_on_their_private_link(client, django_capture_on_commit_callbacks):
    survey = SurveyFactory(audience=Audience.INVITED)
    named_respondent(survey)
    token = invite(survey, django_capture_on_commit_callbacks)
    url = reverse("network:respond_invited", args=[survey.slug, token])
    sent = client.post(url, {"display_name": "Yan", "consent": "named", "stream": "community"})
    assert sent.status_code == 302
    client.get(sent["Location"])
    link = client.session["network_thanks"]["link"].split("testserver", 1)[1]
    # the invitation is used up: its old grant no longer opens anything
    stale = access.questionnaire_grant(survey, invitation=services.invitation_for(survey, token))
    assert suggest(Client(), survey, **{HEADER: stale}).status_code == 403
    grant = grant_of(client.get(link))
    assert "Zed Zebra" in offered(suggest(Client(), survey, **{HEADER: grant}))
    # and once the survey closes, nor does the private link's
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    assert suggest(Client(), survey, **{HEADER: grant}).status_code == 403


# ---- whom it offers ------------------------------------------------------------------------------


@pytest.mark.parametrize("consent", [Consent.ANONYMOUS, Consent.HIDDEN])
def test_named_in_round_one_but_not_in_round_two_is_not_suggested_in_round_two(consent):
    survey = SurveyFactory()
    first = named_respondent(survey)
    keeps = named_respondent(survey, "Zoe Zeller")
    assert "Zed Zebra" in offered(suggest(Client(), survey))
    round2 = services.round_create(survey=survey, by=survey.owner)
    # not answered round 2 yet: their latest word (named) holds
    assert "Zed Zebra" in offered(suggest(Client(), survey))
    ResponseFactory(round=round2, node=first.node, display_name="Zed Zebra", consent=consent)
    ResponseFactory(round=round2, node=keeps.node, display_name="Zoe Zeller", consent=Consent.NAMED)
    html = offered(suggest(Client(), survey))
    assert "Zed Zebra" not in html and "Zoe Zeller" in html


def test_anonymous_in_an_earlier_round_then_named_is_suggested():
    survey = SurveyFactory()
    first = named_respondent(survey, consent=Consent.ANONYMOUS)
    assert "Zed" not in offered(suggest(Client(), survey))
    round2 = services.round_create(survey=survey, by=survey.owner)
    ResponseFactory(round=round2, node=first.node, display_name="Zed Zebra", consent=Consent.NAMED)
    assert "Zed Zebra" in offered(suggest(Client(), survey))


def test_the_most_careful_consent_of_merged_names_wins():
    survey = SurveyFactory()
    kept = named_respondent(survey)
    duplicate = NodeFactory(survey=survey, kind=NodeKind.RESPONDENT, label="Zed Zebra.", merged_into=kept.node)
    ResponseFactory(round=survey.rounds.get(), node=duplicate, display_name="Zed Zebra.", consent=Consent.HIDDEN)
    assert "Zed" not in offered(suggest(Client(), survey))


# ---- one rule for views and API ------------------------------------------------------------------


def test_api_and_views_agree_on_who_may_answer(django_capture_on_commit_callbacks):
    """The JSON API refuses exactly whom the questionnaire refuses."""
    closed = SurveyFactory(closes_at=timezone.now() - timedelta(days=1))
    invited = SurveyFactory(audience=Audience.INVITED)
    body = {"display_name": "Mallory", "consent": "named"}
    for survey in (closed, invited):
        assert not access.questionnaire_admission(survey, None).admitted
        api = Client().post(f"/api/v1/network/surveys/{survey.slug}/responses", body, content_type="application/json")
        assert api.status_code == 403, api.content
        assert suggest(Client(), survey).status_code == 403


def test_published_map_rule_is_the_same_for_pages_and_api():
    from squaremile.accounts.services import api_token_create

    survey = SurveyFactory(is_published=False)
    named_respondent(survey)
    api = f"/api/v1/network/surveys/{survey.slug}/published"
    page = reverse("network:published_data", args=[survey.slug])
    assert Client().get(api).status_code == 404 and Client().get(page).status_code == 404
    assert member().get(page).status_code == 404
    # the organiser previews it on both
    organiser = Client()
    organiser.force_login(survey.owner)
    token = api_token_create(user=survey.owner, by=survey.owner, name="t")[1]
    assert organiser.get(page).status_code == 200
    assert Client().get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    survey.is_published = True
    survey.save()
    assert Client().get(api).status_code == 200 and Client().get(page).status_code == 200


# ---- published maps: the latest word binds earlier rounds too ------------------------------------


@pytest.mark.parametrize("consent", [Consent.ANONYMOUS, Consent.HIDDEN])
def test_named_in_round_one_then_not_is_no_longer_named_on_round_ones_published_map(consent):
    from squaremile.network.tests.factories import TieFactory

    survey = SurveyFactory(is_published=True, anonymity_threshold=1)
    zed = named_respondent(survey)
    ann = named_respondent(survey, "Ann Able")
    TieFactory(round=survey.rounds.get(number=1), source=ann.node, target=zed.node)
    page = reverse("network:published_data", args=[survey.slug])
    api = f"/api/v1/network/surveys/{survey.slug}/published"
    svg = reverse("network:export_file", args=[survey.slug, "map.svg"])
    round2 = services.round_create(survey=survey, by=survey.owner)
    again = ResponseFactory(round=round2, node=zed.node, display_name="Zed Zebra", consent=Consent.NAMED)
    assert "Zed Zebra" in Client().get(page, {"round": 1}).content.decode()  # cached now
    again.consent = consent  # they change their mind in round 2 (every write tells the runner)
    again.save()
    services.data_changed(round2)
    for url in (page, api, svg):
        body = Client().get(url, {"round": 1}).content.decode()
        assert "Zed Zebra" not in body and "Ann Able" in body, url
    # a later change of heart back to "named" shows the name again
    services.round_create(survey=survey, by=survey.owner)
    ResponseFactory(round=survey.rounds.get(number=3), node=zed.node, display_name="Zed Zebra")
    assert "Zed Zebra" in Client().get(page, {"round": 1}).content.decode()


def test_suggestions_cost_two_queries_whatever_the_number_of_people(django_assert_num_queries):
    from squaremile.network.surveys import selectors

    survey = SurveyFactory()
    round2 = services.round_create(survey=survey, by=survey.owner)
    for i in range(30):
        first = named_respondent(survey, f"Zed {i}")
        ResponseFactory(
            round=round2, node=first.node, display_name=f"Zed {i}", consent=[Consent.NAMED, Consent.HIDDEN][i % 2]
        )
    with django_assert_num_queries(2):  # the answers of the matching names, the directory's organisations
        found = selectors.name_suggestions(survey, "Zed", limit=50)
    assert found == sorted((f"Zed {i}" for i in range(0, 30, 2)), key=str.lower)
