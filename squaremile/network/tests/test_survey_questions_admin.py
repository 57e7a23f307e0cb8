"""A survey's custom questions are `questions.Question` rows, listed in the survey's admin page."""

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.tests.factories import SurveyFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db


def test_survey_admin_lists_its_questions(client):
    survey = SurveyFactory()
    Question.objects.create(owner=survey, label="Which ward?", kind="text")
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    page = client.get(f"/admin/network/survey/{survey.pk}/change/")
    assert page.status_code == 200 and "Which ward?" in page.content.decode()
