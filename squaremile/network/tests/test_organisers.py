"""A survey's co-organisers: its owner adds them on the organisers page; they run the survey with
the owner (answers, changes) but cannot delete it or choose organisers."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.permissions import can
from squaremile.network.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _page(survey):
    return reverse("network:organisers", args=[survey.slug])


def test_the_owner_adds_a_co_organiser_who_then_runs_the_survey(client):
    survey = SurveyFactory()
    helper = UserFactory(email="helper@example.org", role=Role.MEMBER)
    client.force_login(survey.owner)
    response = client.post(_page(survey), {"email": "Helper@Example.org"})
    assert response.status_code == 302
    assert can(helper, "survey.change", survey)
    page = client.get(_page(survey))
    assert page.status_code == 200
    assert str(helper) in page.content.decode()
    # the helper opens the survey's pages, sees who runs it, and may not choose organisers
    client.force_login(helper)
    assert client.get(reverse("network:survey_detail", args=[survey.slug])).status_code == 200
    page = client.get(_page(survey))
    assert page.status_code == 200
    assert "Add someone to run it with you" not in page.content.decode()
    assert client.post(_page(survey), {"email": "someone@example.org"}).status_code == 403


def test_an_unknown_address_is_explained(client):
    survey = SurveyFactory()
    client.force_login(survey.owner)
    response = client.post(_page(survey), {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert "Nobody has an account with this address yet" in response.content.decode()
    response = client.post(_page(survey), {"email": survey.owner.email})
    assert response.status_code == 400
    assert "already run it" in response.content.decode()


def test_the_owner_removes_a_co_organiser(client):
    survey = SurveyFactory()
    helper = UserFactory()
    client.force_login(survey.owner)
    client.post(_page(survey), {"email": helper.email})
    assert can(helper, "survey.change", survey)
    remove = reverse("network:organiser_remove", args=[survey.slug, helper.pk])
    client.force_login(helper)
    assert client.post(remove).status_code == 403  # not a co-organiser's choice
    client.force_login(survey.owner)
    assert client.post(remove).status_code == 302
    helper = type(helper).objects.get(pk=helper.pk)  # a person object remembers its roles: load again
    assert not can(helper, "survey.change", survey)
    from squaremile.audit.selectors import history_for

    actions = [(e.action, e.actor) for e in history_for(survey).order_by("id") if "person_" in e.action]
    assert actions == [("survey.person_added", survey.owner), ("survey.person_removed", survey.owner)]


def test_strangers_do_not_see_who_runs_a_survey(client):
    survey = SurveyFactory()
    client.force_login(UserFactory(role=Role.ORGANISER))
    assert client.get(_page(survey)).status_code == 403
    client.logout()
    response = client.get(_page(survey))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
