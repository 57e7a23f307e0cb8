"""Weaving suggestions on small hand-built networks where the right answer is known."""

import random

import networkx as nx
import pytest

from squaremile.network.analysis import NodeIn, TieIn, analyse
from squaremile.network.analysis.types import SUGGESTION_KINDS


def people(*names, **extra) -> list[NodeIn]:
    return [NodeIn(key=n.lower(), label=n, **extra.get(n, {})) for n in names]


def ties(*pairs) -> list[TieIn]:
    out = []
    for pair in pairs:
        a, b, *s = pair
        out.append(TieIn(a.lower(), b.lower(), strength=s[0] if s else 2))
    return out


def of_kind(result, kind):
    return [s for s in result.suggestions if s["kind"] == kind]


def tied(tie_list):
    return {frozenset((t.source, t.target)) for t in tie_list}


def test_close_triangle_names_the_common_contact_with_the_strongest_ties():
    nodes = people("Asha", "Ben", "Carol", "Dev", "Eve")
    links = ties(
        ("Asha", "Carol", 3), ("Ben", "Carol", 3), ("Asha", "Dev", 1), ("Ben", "Dev", 2), ("Asha", "Eve", 2),
        ("Eve", "Ben", 1),
    )  # fmt: skip
    r = analyse(nodes, links)
    first = of_kind(r, "close_triangle")[0]
    assert {first["a"], first["b"]} == {"asha", "ben"}
    assert first["via"] == "carol"
    assert first["reason"] == (
        "Asha and Ben both work with Carol, Dev and Eve but not with each other. Carol could introduce them."
    )


def test_close_triangle_needs_two_contacts_in_common():
    nodes = people("Asha", "Ben", "Carol")
    r = analyse(nodes, ties(("Asha", "Carol"), ("Ben", "Carol")))
    assert of_kind(r, "close_triangle") == []


def test_isolate_is_connected_to_a_well_connected_person_who_has_what_they_need():
    extra = {
        "Hana": {"skills": {"cooking": "strong", "first-aid": "some"}},
        "Iris": {"needs": ("cooking",), "skills": {"gardening": "some"}},
        "Jo": {"skills": {"cooking": "some"}},  # has it too, but has only one tie
    }
    nodes = people("Hana", "Iris", "Jo", "P1", "P2", "P3", "P4", "P5", **extra)
    links = ties(("Hana", "P1"), ("Hana", "P2"), ("Hana", "P3"), ("Hana", "P4"), ("P4", "P5"), ("P5", "Jo"))
    r = analyse(nodes, links)
    found = [s for s in of_kind(r, "connect_peripheral") if "iris" in (s["a"], s["b"])]
    assert found, r.suggestions
    best = found[0]
    assert (best["a"], best["b"]) == ("iris", "hana")
    assert best["reason"] == (
        "Iris has no ties in the network yet. Hana is well connected (4 ties) and can offer cooking, which Iris needs."
    )
    assert r.nodes["iris"]["is_isolate"]


def test_peripheral_person_sharing_an_interest_with_a_hub_gets_an_introducer():
    extra = {"Hub": {"resources": {"meeting-room": "strong"}}, "Leaf": {"resources": {"meeting-room": "some"}}}
    nodes = people("Hub", "Leaf", "Mid", "Q1", "Q2", "Q3", **extra)
    links = ties(("Hub", "Q1"), ("Hub", "Q2"), ("Hub", "Q3"), ("Q1", "Q2"), ("Hub", "Mid"), ("Mid", "Leaf"))
    r = analyse(nodes, links)
    assert r.nodes["leaf"]["is_periphery"]
    found = [s for s in of_kind(r, "connect_peripheral") if s["a"] == "leaf"]
    assert found and found[0]["b"] == "hub" and found[0]["via"] == "mid"
    assert "Leaf and Hub both have meeting room" in found[0]["reason"]
    assert "Mid knows both and could introduce them." in found[0]["reason"]


def two_cliques_through(broker: bool):
    left = ["A1", "A2", "A3", "A4", "A5"]
    right = ["B1", "B2", "B3", "B4", "B5"]
    links = [(x, y) for i, x in enumerate(left) for y in left[i + 1 :]]
    links += [(x, y) for i, x in enumerate(right) for y in right[i + 1 :]]
    names = left + right
    if broker:
        names.append("Xavi")
        links += [("A1", "Xavi"), ("Xavi", "B1")]
    return names, links


def test_relieve_the_broker_two_clusters_depend_on():
    names, links = two_cliques_through(broker=True)
    r = analyse(people(*names), ties(*links))
    found = of_kind(r, "relieve_broker")
    assert len(found) == 1
    s = found[0]
    assert s["broker"] == "xavi" and s["via"] == "xavi"
    assert "xavi" not in (s["a"], s["b"])
    sides = {s["a"][0], s["b"][0]}
    assert sides == {"a", "b"}  # the second link joins the two sides directly
    assert "only through Xavi: if Xavi stepped back, 5 people would be cut off." in s["reason"]
    assert r.nodes["xavi"]["is_broker"]


def test_bridge_two_clusters_through_complementary_people():
    names, links = two_cliques_through(broker=False)
    links.append(("A5", "B5"))  # one thin link
    extra = {"A2": {"needs": ("legal-advice",)}, "B3": {"skills": {"legal-advice": "strong"}}}
    r = analyse(people(*names, **extra), ties(*links))
    found = of_kind(r, "bridge_clusters")
    assert found
    assert {found[0]["a"], found[0]["b"]} == {"a2", "b3"}
    assert "B3 can offer legal advice, which A2 needs" in found[0]["reason"]
    assert "only 1 tie between them" in found[0]["reason"]


def test_no_skills_no_interest_based_suggestions():
    names, links = two_cliques_through(broker=False)
    links.append(("A5", "B5"))
    r = analyse(people(*names, "Loner"), ties(*links))
    assert of_kind(r, "bridge_clusters") == [] and of_kind(r, "connect_peripheral") == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_never_an_existing_tie_never_oneself_never_twice_and_ranked(seed):
    rng = random.Random(seed)
    G = nx.relaxed_caveman_graph(8, 7, 0.15, seed=seed)
    G.add_nodes_from(range(56, 62))
    slugs = ["cooking", "driving", "it", "legal", "fundraising", "gardening"]
    nodes = [
        NodeIn(
            key=f"p{n}",
            label=f"Person {n}",
            skills={s: rng.choice(["strong", "some"]) for s in rng.sample(slugs, 2)},
            needs=tuple(rng.sample(slugs, 1)),
        )
        for n in G.nodes
    ]
    links = [TieIn(f"p{a}", f"p{b}", strength=rng.randint(1, 3)) for a, b in G.edges]
    r = analyse(nodes, links, suggestions_per_kind=5)
    assert r.suggestions
    existing = tied(links)
    pairs = [frozenset((s["a"], s["b"])) for s in r.suggestions]
    assert len(set(pairs)) == len(pairs)
    for s in r.suggestions:
        assert s["kind"] in SUGGESTION_KINDS
        assert s["a"] != s["b"] and frozenset((s["a"], s["b"])) not in existing
        assert 0 < s["score"] <= 1
        assert s["reason"] and "Person" in s["reason"]
        if s["via"] is not None:
            assert frozenset((s["a"], s["via"])) in existing and frozenset((s["b"], s["via"])) in existing
    for kind in SUGGESTION_KINDS:
        assert len(of_kind(r, kind)) <= 5
    scores = [s["score"] for s in r.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_suggestions_can_be_turned_off_or_limited():
    names, links = two_cliques_through(broker=True)
    assert analyse(people(*names), ties(*links), suggestions=False).suggestions == []
    assert analyse(people(*names), ties(*links), suggestions_per_kind=0).suggestions == []


def test_reasons_use_the_names_of_skills_when_given():
    names, links = two_cliques_through(broker=False)
    links.append(("A5", "B5"))
    extra = {"A2": {"needs": ("legal-advice",)}, "B3": {"skills": {"legal-advice": "strong"}}}
    r = analyse(people(*names, **extra), ties(*links), skill_names={"legal-advice": "legal advice (tenancy)"})
    assert "B3 can offer legal advice (tenancy), which A2 needs" in of_kind(r, "bridge_clusters")[0]["reason"]
