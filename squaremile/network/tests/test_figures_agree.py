"""The dashboard's figures are the map's, the export's and the analysis's (issue 13, point 11): merged
names count once, a tie named from both ends counts once, and a tie that a merge turned into a loop
does not count."""

import pytest

from squaremile.network.computing.runner import run_analysis
from squaremile.network.surveys import selectors
from squaremile.network.tests.factories import NodeFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_ties_and_people_as_the_map_does():
    survey = SurveyFactory()
    round_ = survey.rounds.get(number=1)
    asha, ben, cara = (NodeFactory(survey=survey, label=name) for name in ("Asha", "Ben", "Cara"))
    asha_again = NodeFactory(survey=survey, label="Asha P.", merged_into=asha)  # merged into Asha
    TieFactory(round=round_, source=asha, target=ben)
    TieFactory(round=round_, source=ben, target=asha)  # the same tie, named from the other end
    TieFactory(round=round_, source=asha_again, target=ben)  # the same again, through the merged name
    TieFactory(round=round_, source=asha_again, target=asha)  # becomes a loop once merged
    TieFactory(round=round_, source=ben, target=cara)
    counted = selectors.dashboard_counts(round_)  # no analysis yet: counted now
    assert (counted["nodes"], counted["ties"]) == (3, 2)
    analysis = run_analysis(round_, force=True)
    round_.refresh_from_db()
    graph = analysis.result["graph"]
    assert (graph["nodes"], graph["ties"]) == (3, 2)
    stored = selectors.dashboard_counts(round_)  # the analysis is up to date: its figures
    assert (stored["nodes"], stored["ties"]) == (counted["nodes"], counted["ties"])


def test_the_introductions_page_says_how_many_are_on_the_edge_and_why_few_are_suggested(client):
    from django.urls import reverse

    survey = SurveyFactory()
    round_ = survey.rounds.get(number=1)
    hub = NodeFactory(survey=survey, label="Hub")
    for i in range(6):  # six people each tied only to the hub: all on the edge, no skills to match
        TieFactory(round=round_, source=hub, target=NodeFactory(survey=survey, label=f"Edge {i}"))
    run_analysis(round_, force=True)
    client.force_login(survey.owner)
    page = client.get(reverse("network:suggestions", args=[survey.slug]), {"round": 1})
    assert page.status_code == 200
    html = page.content.decode()
    assert "6 people are on the edge of this network" in html
    assert "For none of them yet a well-connected person shares a skill or a need" in html
