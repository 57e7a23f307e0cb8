"""The survey form's questions formset is bounded: a request claiming 100,000 questions builds at
most 40 forms, so the page (and its error summary) stays small and quick."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.models import Survey

pytestmark = pytest.mark.django_db


def test_a_flood_of_bad_questions_gives_a_small_page(client):
    client.force_login(UserFactory(role=Role.ORGANISER))
    data = {"title": "Flood", "audience": "link", "anonymity_threshold": "4",
            "q-TOTAL_FORMS": "100000", "q-INITIAL_FORMS": "0"}  # fmt: skip
    for i in range(480):  # as many as the request's field limit lets through, each one wrong
        data[f"q-{i}-label"] = "x"
        data[f"q-{i}-kind"] = "nonsense"
    page = client.post(reverse("network:survey_create"), data)
    html = page.content.decode()
    assert page.status_code == 400 and "Please submit at most 40 forms." in html
    assert len(page.content) < 200_000, f"a {len(page.content):,}-byte page (it was 1.8 MB)"
    assert html.count('<a href="#id_q-') <= 40
    assert not Survey.objects.exists()
