"""Exports read back with networkx's GEXF and GraphML readers (the organiser's full graph and the
published one, which holds only what consent allows); CSV and SVG; the tie import: preview (names
matched, names new, every bad line) and all-or-nothing apply."""

import csv
import io

import defusedxml.ElementTree as ET
import networkx as nx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.computing import runner
from squaremile.network.models import Analysis, AnalysisStatus, Consent, Node, Tie, TieOrigin
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    owner = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=owner, slug="calder", anonymity_threshold=5)
    round = survey.rounds.get(number=1)
    asha = ResponseFactory(round=round, display_name="Asha Patel", consent=Consent.NAMED, email="asha@example.org")
    ben = ResponseFactory(round=round, display_name="Ben Okafor", consent=Consent.NAMED)
    hidden = ResponseFactory(round=round, display_name="Hidden Hana", consent=Consent.HIDDEN)
    TieFactory(round=round, source=asha.node, target=ben.node, strength=3)
    TieFactory(round=round, source=ben.node, target=hidden.node)
    TieFactory(round=round, source=asha.node, target=hidden.node, strength=1)
    runner.run_analysis(round)
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return {"survey": survey, "round": round, "owner": owner, "client": client, "asha": asha, "ben": ben}


def get(client, name, view, **params):
    query = "&".join(f"{k}={v}" for k, v in {"view": view, **params}.items())
    response = client.get(reverse("network:export_file", args=["calder", name]) + "?" + query)
    assert response.status_code == 200, response.content[:300]
    return response


def test_organiser_gexf_and_graphml_read_back_to_the_same_graph(net):
    for name, reader in (("network.gexf", nx.read_gexf), ("network.graphml", nx.read_graphml)):
        response = get(net["client"], name, "organiser")
        assert "attachment" in response["Content-Disposition"]
        graph = reader(io.BytesIO(response.content))
        labels = sorted(graph.nodes[n].get("label", n) for n in graph.nodes)
        assert labels == ["Asha Patel", "Ben Okafor", "Hidden Hana"]
        assert graph.number_of_edges() == 3
        weights = sorted(int(d["weight"]) for _, _, d in graph.edges(data=True))
        assert weights == [1, 2, 3]


def test_published_exports_hold_only_what_consent_allows(net):
    for name, reader in (("network.gexf", nx.read_gexf), ("network.graphml", nx.read_graphml)):
        graph = reader(io.BytesIO(get(net["client"], name, "published").content))
        labels = sorted(graph.nodes[n]["label"] for n in graph.nodes)
        assert labels == ["Asha Patel", "Ben Okafor"]
        assert graph.number_of_edges() == 1
        assert not any(n.startswith("n") and n[1:].isdigit() for n in graph.nodes)  # no database ids
    for name in ("nodes.csv", "ties.csv", "map.svg"):
        text = get(net["client"], name, "published").content.decode()
        assert "Hidden Hana" not in text and "asha@example.org" not in text


def test_csv_exports(net):
    rows = list(csv.DictReader(io.StringIO(get(net["client"], "nodes.csv", "organiser").content.decode())))
    assert sorted(r["label"] for r in rows) == ["Asha Patel", "Ben Okafor", "Hidden Hana"]
    assert all(r["betweenness"] != "" for r in rows)
    ties = list(csv.DictReader(io.StringIO(get(net["client"], "ties.csv", "organiser").content.decode())))
    assert {(t["From"], t["To"]) for t in ties} >= {("Asha Patel", "Ben Okafor")}
    published = list(csv.DictReader(io.StringIO(get(net["client"], "ties.csv", "published").content.decode())))
    assert [(t["From"], t["To"], t["Strength"]) for t in published] in (
        [("Asha Patel", "Ben Okafor", "3")],
        [("Ben Okafor", "Asha Patel", "3")],
    )


def test_svg_draws_every_node_and_tie(net):
    svg = get(net["client"], "map.svg", "organiser", colour="community").content.decode()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}circle")) == 3 and len(root.findall(f".//{ns}line")) == 3
    assert "Hidden Hana" in svg  # the organiser's picture has every name (as titles)


# ---- tie import ----------------------------------------------------------------------------------


def upload(client, text, *, apply=False, name="ties.csv"):
    url = reverse("network:import_ties", args=["calder"])
    if apply:
        return client.post(url, {"round": 1, "text": text, "apply": "1"})
    return client.post(url, {"round": 1, "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_import_preview_shows_matches_new_names_and_writes_nothing(net):
    before = (Node.objects.count(), Tie.objects.count())
    response = upload(net["client"], "From,To,Strength\nAsha Patel,Zed New,3\nben okafor,Asha Patel,weak\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check before importing" in html and "Zed New" in html and "New:" in html
    assert "1 new to this survey" in html
    assert (Node.objects.count(), Tie.objects.count()) == before  # a preview keeps nothing


def test_import_with_bad_lines_reports_every_one_and_applies_nothing(net):
    before = (Node.objects.count(), Tie.objects.count())
    text = "From,To,Strength\nAsha Patel,Zed New,3\n,Ben Okafor,2\nBen Okafor,Ben Okafor,1\nAsha Patel,Cy,9\n"
    response = upload(net["client"], text)
    assert response.status_code == 400
    html = response.content.decode()
    for line in (3, 4, 5):
        assert f"Line {line}:" in html
    assert "nothing was imported" in html
    response = upload(net["client"], text, apply=True)  # even when forced, all or nothing
    assert response.status_code == 400
    assert (Node.objects.count(), Tie.objects.count()) == before


def test_import_apply_adds_ties_and_marks_the_analysis_stale(net, django_capture_on_commit_callbacks):
    text = "Source,Target,Weight\nAsha Patel,Zed New,3\nBen Okafor,Asha Patel,weak\n"
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(net["client"], text, apply=True)
    assert response.status_code == 302
    zed = Node.objects.get(survey=net["survey"], label="Zed New")
    tie = Tie.objects.get(round=net["round"], target=zed)
    assert tie.origin == TieOrigin.IMPORT and tie.strength == 3 and tie.source == net["asha"].node
    assert Tie.objects.filter(round=net["round"]).count() == 4  # Ben-Asha was already there (kept)
    assert Analysis.objects.get(round=net["round"]).status == AnalysisStatus.STALE


def test_import_refuses_non_csv_and_empty_uploads(net):
    response = upload(net["client"], "PK\x03\x04 not really", name="ties.xlsx")
    assert response.status_code == 400 and "spreadsheet" in response.content.decode()
    response = net["client"].post(reverse("network:import_ties", args=["calder"]), {"round": 1})
    assert response.status_code == 400 and "Choose a CSV file" in response.content.decode()
    other = Client()
    other.force_login(UserFactory(role=Role.ORGANISER), backend="django.contrib.auth.backends.ModelBackend")
    assert upload(other, "From,To\nA,B\n").status_code == 403


def test_import_handles_long_names_and_binary_junk(net):
    long_name = "Z" * 500
    response = upload(net["client"], f"From,To\nAsha Patel,{long_name}\n", apply=True)
    assert response.status_code == 302
    assert Node.objects.filter(survey=net["survey"], label__startswith="ZZZ").get().label == "Z" * 200
    junk = "From,To\n" + "Asha Patel,Ben Okafor\n" * 600 + "Asha Patel,Bad\x00Name\n"
    response = upload(net["client"], junk)
    assert response.status_code == 400 and "binary data" in response.content.decode()
    response = upload(net["client"], junk, apply=True)
    assert response.status_code == 400
