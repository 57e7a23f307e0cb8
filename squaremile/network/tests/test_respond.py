"""The phone questionnaire, the private link, invitations and privacy between respondents."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.models import Skill
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.models import Audience, Consent, Response, Tie
from squaremile.network.surveys import services
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def form_data(name="Alice Able", consent="named", ties=(), **extra):
    data = {"display_name": name, "consent": consent, "stream": "community", "role": "Volunteer"}
    for i, tie in enumerate(ties):
        data[f"tie-{i}-name"] = tie[0]
        data[f"tie-{i}-strength"] = str(tie[1]) if len(tie) > 1 else "2"
        data[f"tie-{i}-sharing"] = str(tie[2]) if len(tie) > 2 else ""
    data.update(extra)
    return data


def respond_url(survey):
    return reverse("network:respond", args=[survey.slug])


def submit(client, survey, **kw):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the private link mail is queued on commit
        response = client.post(respond_url(survey), form_data(**kw))
    assert response.status_code == 302, response.content.decode()[:3000]
    thanks = client.get(response["Location"])
    return thanks, client.session["network_thanks"]["link"]


def test_form_renders_every_section(client):
    survey = SurveyFactory(introduction="Welcome **all**")
    page = client.get(respond_url(survey))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>all</strong>" in html
    for text in ("About you", "Who do you work with", "What are your skills", "willing", "What do you need",
                 'name="consent"', 'name="tie-7-name"', "details", 'id="tie-row-template"'):  # fmt: skip
        assert text in html
    # no consent is ticked beforehand
    assert 'name="consent" value="named" required id="id_consent_0" checked' not in html
    assert " checked" not in html.split('id="consent-section"')[1].split("</fieldset>")[0]


def test_submit_shows_the_private_link_and_saves(client, mailoutbox):
    survey = SurveyFactory()
    skill = Skill.objects.first()
    thanks, link = submit(
        client, survey, ties=[("Bob Baker", 3, 2)], email="alice@example.org",
        **{f"skill_{skill.pk}": "strong", "willingness": "3", "needed_skills": [str(skill.pk)]},
    )  # fmt: skip
    assert thanks.status_code == 200 and link in thanks.content.decode()
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = Response.objects.get()
    assert response.token_hash == services.hash_token(token) and token not in response.token_hash
    assert response.willingness == 3 and response.skills.get().skill == skill
    assert Tie.objects.get().target.label == "Bob Baker"
    assert len(mailoutbox) == 1 and link in mailoutbox[0].body


def test_errors_keep_everything_typed(client):
    survey = SurveyFactory()
    page = client.post(respond_url(survey), form_data(consent="", ties=[("Bob Baker", 3)], role="Gardener"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "Please choose one" in html and 'value="Bob Baker"' in html and 'value="Gardener"' in html
    assert not Response.objects.exists()


def test_tie_to_oneself_and_duplicates_are_refused_with_a_message(client):
    survey = SurveyFactory()
    page = client.post(respond_url(survey), form_data(ties=[("alice able", 2), ("Bob", 2), ("bob", 3)]))
    html = page.content.decode()
    assert page.status_code == 400
    assert "your own name" in html and "already in your list" in html
    assert not Response.objects.exists()


def test_private_link_opens_the_same_form_prefilled_and_updates(client):
    survey = SurveyFactory()
    _, link = submit(client, survey, ties=[("Bob Baker", 3)])
    path = link.split("testserver", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and 'value="Bob Baker"' in page.content.decode()
    again = client.post(path, form_data(consent="hidden", ties=[("Carol", 1)]))
    assert again.status_code == 302
    assert Response.objects.count() == 1 and Response.objects.get().consent == Consent.HIDDEN
    assert list(Tie.objects.values_list("target__label", flat=True)) == ["Carol"]


def test_forged_private_link_is_a_kind_404(client):
    survey = SurveyFactory()
    page = client.get(reverse("network:response_edit", args=[survey.slug, "forged-token"]))
    assert page.status_code == 404 and "could not find these answers" in page.content.decode()
    assert client.post(reverse("network:response_edit", args=[survey.slug, "x"]), form_data()).status_code == 404


def test_respondent_never_sees_another_respondents_answers(client):
    survey = SurveyFactory()
    _, link_a = submit(client, survey, name="Alice Able", ties=[("Secret Friend", 3)], role="Alice's role")
    other = type(client)()
    _, link_b = submit(other, survey, name="Bob Baker", ties=[("Hidden Helper", 2)], role="Bob's role")
    page_a = client.get(link_a.split("testserver", 1)[1]).content.decode()
    page_b = other.get(link_b.split("testserver", 1)[1]).content.decode()
    assert "Secret Friend" in page_a and "Hidden Helper" not in page_a and "Bob&#x27;s role" not in page_a
    assert "Hidden Helper" in page_b and "Secret Friend" not in page_b
    # nor through the name suggestions (typed names are never offered; respondents only when named)
    names = client.get(reverse("network:name_suggest", args=[survey.slug]), {"tie-0-name": "Hidden"})
    assert "Hidden Helper" not in names.content.decode()
    # nor through the organiser pages
    for name in ("survey_detail", "response_list", "names"):
        page = client.get(reverse(f"network:{name}", args=[survey.slug]))
        assert page.status_code == 302 and page["Location"].startswith(reverse("account_login")), name


def test_name_suggestions_offer_directory_and_named_respondents():
    survey = SurveyFactory()
    OrganisationFactory(name="Kettleby Food Bank")
    named = ResponseFactory(round=survey.rounds.get(), display_name="Kettleby Kate", consent=Consent.NAMED)
    ResponseFactory(round=survey.rounds.get(), display_name="Kettleby Ken", consent=Consent.HIDDEN)
    NodeFactory(survey=survey, label="Kettleby Typed Name")
    from django.test import Client

    html = Client().get(reverse("network:name_suggest", args=[survey.slug]), {"tie-3-name": "kettleby"}).content
    html = html.decode()
    assert "Kettleby Food Bank" in html and named.display_name in html
    assert "Kettleby Ken" not in html and "Typed Name" not in html


def test_closed_and_not_yet_open(client):
    closed = SurveyFactory(closes_at=timezone.now() - timedelta(days=1))
    page = client.get(respond_url(closed))
    assert page.status_code == 200 and "closed" in page.content.decode()
    assert client.post(respond_url(closed), form_data()).status_code == 403
    later = SurveyFactory(opens_at=timezone.now() + timedelta(days=1))
    assert "not open yet" in client.get(respond_url(later)).content.decode()
    assert not Response.objects.exists()


def test_private_link_after_close_is_read_only(client):
    survey = SurveyFactory()
    _, link = submit(client, survey, ties=[("Bob Baker", 3)])
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    path = link.split("testserver", 1)[1]
    page = client.get(path)
    html = page.content.decode()
    assert (
        page.status_code == 200
        and "no longer changed" in html
        and "Bob Baker" in html
        and "<form" not in html.split("<main")[1].split("</main>")[0]
    )
    assert client.post(path, form_data(consent="hidden")).status_code == 403
    assert Response.objects.get().consent == Consent.NAMED


def test_members_audience_needs_sign_in_and_member_returns_to_their_answers(client):
    survey = SurveyFactory(audience=Audience.MEMBERS)
    page = client.get(respond_url(survey))
    assert page.status_code == 302 and "login" in page["Location"]
    member = UserFactory()
    client.force_login(member)
    submit(client, survey, ties=[("Bob", 2)])
    page = client.get(respond_url(survey))
    assert "answered already" in page.content.decode() and 'value="Bob"' in page.content.decode()
    client.post(respond_url(survey), form_data(consent="anonymous"))
    assert Response.objects.count() == 1 and Response.objects.get().consent == Consent.ANONYMOUS


def test_invited_audience(client, django_capture_on_commit_callbacks):
    survey = SurveyFactory(audience=Audience.INVITED)
    assert client.get(respond_url(survey)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.invitations_send(survey=survey, by=survey.owner, people=[("zed@example.org", "Zed")],
                                         link_for=str)  # fmt: skip
    url = reverse("network:respond_invited", args=[survey.slug, sent[0].token])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Zed"' in page.content.decode()
    assert client.post(url, form_data(name="Zed")).status_code == 302
    used = client.get(url)
    assert used.status_code == 410 and "already been used" in used.content.decode()
    forged = client.get(reverse("network:respond_invited", args=[survey.slug, "forged"]))
    assert forged.status_code == 404 and "not valid" in forged.content.decode()
    assert Response.objects.count() == 1


def test_thanks_page_without_a_submission_goes_back_to_the_form(client):
    survey = SurveyFactory()
    page = client.get(reverse("network:respond_thanks", args=[survey.slug]))
    assert page.status_code == 302


def test_custom_questions_are_asked_and_required(client):
    survey = SurveyFactory()
    services.survey_update(
        survey=survey, by=survey.owner, data={},
        questions=[{"label": "Your ward?", "kind": "text", "required": True},
                   {"label": "Happy?", "kind": "yesno"}],
    )  # fmt: skip
    ward, happy = survey.questions.all()
    page = client.post(respond_url(survey), form_data())
    assert page.status_code == 400 and "Your ward?" in page.content.decode()
    submit(client, survey, **{f"q_{ward.pk}": "North", f"q_{happy.pk}": "yes"})
    # yes/no is stored as true/false, as on the map (squaremile.questions)
    assert Response.objects.get().answers == {str(ward.pk): "North", str(happy.pk): True}
    # the respondent's private link shows their answers again; the organisers read them in words
    _, link = submit(client, survey, **{f"q_{ward.pk}": "South", f"q_{happy.pk}": "no"})
    response = Response.objects.order_by("pk").last()
    assert response.answers == {str(ward.pk): "South", str(happy.pk): False}
    page = client.get(link.split("testserver", 1)[1]).content.decode()
    radio = re.search(rf'<input type="radio" name="q_{happy.pk}" value="no"[^>]*>', page).group(0)
    assert 'value="South"' in page and "checked" in radio
    client.force_login(survey.owner)
    detail = client.get(reverse("network:response_detail", args=[survey.slug, response.pk])).content.decode()
    assert "<dt>Happy?</dt><dd>No</dd>" in detail and "<dt>Your ward?</dt><dd>South</dd>" in detail


def test_new_round_and_private_link_from_the_earlier_round(client):
    survey = SurveyFactory()
    _, link = submit(client, survey, ties=[("Bob", 2)])
    services.round_create(survey=survey, by=survey.owner)
    path = link.split("testserver", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and 'value="Bob"' in page.content.decode()
    assert client.post(path, form_data(ties=[("Bob", 3), ("Dee", 1)])).status_code == 302
    assert Response.objects.count() == 2
    assert Response.objects.order_by("id").last().round.number == 2
