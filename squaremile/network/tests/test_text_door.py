"""Survey text is cleaned at the door (core.text.clean_text): the questionnaire, including the tie
rows the form reads itself, the API, and the ties-table import (issue 14, item 5)."""

import json

import pytest

from squaremile.network.analysis import parse_ties_table
from squaremile.network.models import Response, Tie
from squaremile.network.tests.factories import SurveyFactory
from squaremile.network.tests.test_respond import form_data, respond_url

pytestmark = pytest.mark.django_db


def test_questionnaire_stores_cleaned_names_and_ties(client):
    survey = SurveyFactory()
    data = form_data(name="Al\u202eice\u0001 Able", ties=[("Bo\u200bb\u202e Baker\r\n", 3)], role="Gar\x7fdener")
    response = client.post(respond_url(survey), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Response.objects.get()
    assert saved.display_name == "Alice Able" and saved.role == "Gardener"
    assert Tie.objects.get().target.label == "Bob Baker"


def test_api_response_stores_cleaned_text(client):
    survey = SurveyFactory()
    body = {"display_name": "Api\u202e Per\u0001son", "consent": "anonymous", "stream": "community",
            "role": "Cook\u2066", "works_with": [{"name": "Zed\u200b Zeta\u202e"}]}  # fmt: skip
    response = client.post(f"/api/v1/network/surveys/{survey.slug}/responses", json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    saved = Response.objects.get()
    assert saved.display_name == "Api Person" and saved.role == "Cook"
    assert Tie.objects.get().target.label == "Zed Zeta"


def test_ties_import_cleans_every_cell():
    parsed = parse_ties_table("Fr\u202eom,To,Strength\nAsha\u0001 Patel,Ben\u200b\u2028Okafor,3\u202e\n", "t.csv")
    assert parsed.ok, parsed.errors
    row = parsed.rows[0]
    assert (row.source, row.target, row.strength) == ("Asha Patel", "Ben Okafor", 3)


def test_paper_import_cleans_every_cell():
    from squaremile.network.surveys import paper

    text = "Na\u202eme;Consent;Works_with;Role\nAna\u0001 Lima\u202e;named;Be\u200bn:3;Co\u2066ok\n"
    preview = paper.parse_csv(SurveyFactory(), text)
    assert preview.ok, preview.errors
    data = preview.rows[0].data
    assert (data.display_name, data.role, data.ties[0].name) == ("Ana Lima", "Cook", "Ben")
