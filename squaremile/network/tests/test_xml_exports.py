"""XML exports cannot be malformed (issue 14, item 5): names, organisation names and answers holding
characters XML 1.0 forbids (\\u0001, \\u0008, \\ufffe...) still give GEXF, GraphML and SVG files that
parse, with the forbidden characters dropped and everything else (U+202E included) kept."""

import io

import defusedxml.ElementTree as ET
import networkx as nx
import pytest
from django.test import Client
from django.urls import reverse

from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.analysis.formats import to_gexf, to_graphml
from squaremile.network.analysis.types import NodeIn, TieIn
from squaremile.network.computing import runner
from squaremile.network.models import Consent, NodeKind
from squaremile.network.publishing import exports
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db

BAD = "\u0001\u0008\ufffe"
FILES = ("network.gexf", "network.graphml", "map.svg")
READERS = {"network.gexf": nx.read_gexf, "network.graphml": nx.read_graphml}


@pytest.fixture
def hostile():
    survey = SurveyFactory(slug="hostile", title=f"Map{BAD} of \u202eus", is_published=True, anonymity_threshold=1)
    round_ = survey.rounds.get()
    ann = ResponseFactory(round=round_, display_name=f"Ann{BAD} Able", role=f"Cook{BAD}", consent=Consent.NAMED,
                          needs_text=f"Needs{BAD}", answers={"1": f"Yes{BAD}"})  # fmt: skip
    cy = ResponseFactory(round=round_, display_name="Cy \u202eCole\u0008", role="Driver\u0001", consent=Consent.NAMED)
    anon = ResponseFactory(round=round_, display_name=f"Anon{BAD}", consent=Consent.ANONYMOUS, stream="community")
    org = OrganisationFactory(name=f"Food{BAD} Bank")
    org_node = NodeFactory(survey=survey, kind=NodeKind.ORGANISATION, organisation=org, label=org.name)
    typed = NodeFactory(survey=survey, label=f"Typed{BAD} Name")
    for source, target in ((ann.node, cy.node), (ann.node, org_node), (cy.node, typed), (anon.node, ann.node)):
        TieFactory(round=round_, source=source, target=target)
    runner.run_analysis(round_)
    organiser = Client()
    organiser.force_login(survey.owner)
    return {"survey": survey, "organiser": organiser}


def export(client, name, view):
    response = client.get(reverse("network:export_file", args=["hostile", name]), {"view": view})
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.mark.parametrize("view", ["organiser", "published"])
@pytest.mark.parametrize("name", FILES)
def test_exports_with_control_characters_are_well_formed(hostile, name, view):
    client = hostile["organiser"] if view == "organiser" else Client()
    body = export(client, name, view)
    ET.fromstring(body)  # raises on anything not well-formed
    text = body.decode("utf-8")
    for bad in BAD:
        assert bad not in text
    assert "Ann Able" in text and "Cy \u202eCole" in text and "Food Bank" in text
    if name in READERS:
        graph = READERS[name](io.BytesIO(body))
        labels = {graph.nodes[n].get("label", n) for n in graph.nodes}
        assert {"Ann Able", "Cy \u202eCole", "Food Bank"} <= labels
        if view == "organiser":
            assert "Typed Name" in labels and "Anon" in labels


def test_writers_drop_what_no_database_would_store_either():
    """Lone surrogates, NUL and U+FFFF cannot even be stored, but the writers survive them too."""
    label = "Zed\x00\ud800\uffff\x1f Zebra"
    nodes = [NodeIn(key="a", label=label), NodeIn(key="b\x01", label="Bob", stream="x\x02")]
    ties = [TieIn(source="a", target="b\x01", strength=2)]
    for data, reader in ((to_gexf(nodes, ties), nx.read_gexf), (to_graphml(nodes, ties), nx.read_graphml)):
        ET.fromstring(data)
        graph = reader(io.BytesIO(data))
        assert {graph.nodes[n]["label"] for n in graph.nodes} == {"Zed Zebra", "Bob"}
    payload = {
        "survey": {"title": "T\x01"},
        "nodes": [{"id": "p1", "label": label, "kind": "person", "x": 0.1, "y": 0.2, "degree": 1},
                  {"id": "p2", "label": "<Bob & \"Co\">", "kind": "person", "x": 0.3, "y": 0.4, "degree": 1}],
        "edges": [[0, 1, 2]],
    }  # fmt: skip
    svg = exports.map_svg(payload)
    titles = [t.text for t in ET.fromstring(svg.encode("utf-8")).iter("{http://www.w3.org/2000/svg}title")]
    assert titles[1:] == ["Zed Zebra", '<Bob & "Co">']
    for writer in (exports.payload_gexf, exports.payload_graphml):
        ET.fromstring(writer(payload))
