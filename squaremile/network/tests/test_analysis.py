"""The analysis engine against networkx (the reference implementation) on standard networks."""

import json
import math

import networkx as nx
import numpy as np
import pytest
from scipy.stats import spearmanr

from squaremile.network.analysis import AnalysisResult, NodeIn, TieIn, analyse
from squaremile.network.analysis.communities import modularity as our_modularity
from squaremile.network.analysis.graph import build

STRENGTHS = (1, 2, 3)


def as_input(G: nx.Graph, *, weighted: bool = True) -> tuple[list[NodeIn], list[TieIn]]:
    """NodeIn/TieIn from a networkx graph; tie strengths 1..3 (deterministic) stored back on G."""
    nodes = [NodeIn(key=f"k{n}", label=str(n)) for n in G.nodes]
    ties = []
    for i, (a, b) in enumerate(G.edges):
        s = STRENGTHS[(i * 7) % 3] if weighted else 2
        G.edges[a, b]["weight"] = s
        ties.append(TieIn(source=f"k{a}", target=f"k{b}", strength=s))
    return nodes, ties


def florentine() -> nx.Graph:
    G = nx.florentine_families_graph()
    G.add_node("Pucci")  # the isolate of the original data set (networkx leaves it out)
    return G


def disconnected() -> nx.Graph:
    G = nx.Graph()
    G.add_edges_from([(0, 1), (1, 2), (2, 0), (2, 3), (4, 5), (5, 6), (6, 7), (7, 4), (4, 6)])
    G.add_nodes_from([8, 9, 10])
    return G


NETWORKS = {
    "karate": nx.karate_club_graph,
    "florentine": florentine,
    "path": lambda: nx.path_graph(7),
    "star": lambda: nx.star_graph(6),
    "disconnected": disconnected,
    "les_miserables": nx.les_miserables_graph,
}


def close(ours: dict, theirs: dict, G: nx.Graph, tol: float = 1e-4):
    for n in G.nodes:
        assert ours[f"k{n}"] == pytest.approx(theirs[n], abs=tol), n


@pytest.fixture(params=sorted(NETWORKS))
def network(request):
    G = nx.Graph(NETWORKS[request.param]())
    G = nx.relabel_nodes(G, {n: str(n).replace(" ", "_") for n in G.nodes})
    nodes, ties = as_input(G)
    result = analyse(nodes, ties, layout=False, suggestions=False)
    return G, result


def per_node(result: AnalysisResult, name: str) -> dict:
    return {k: v[name] for k, v in result.nodes.items()}


def test_degree_and_whole_network_figures(network):
    G, r = network
    close(per_node(r, "degree"), dict(G.degree()), G, tol=0)
    close(per_node(r, "weighted_degree"), dict(G.degree(weight="weight")), G, tol=0)
    assert r.graph["nodes"] == G.number_of_nodes()
    assert r.graph["ties"] == G.number_of_edges()
    assert r.graph["density"] == pytest.approx(nx.density(G), abs=1e-6)
    parts = sorted((len(c) for c in nx.connected_components(G)), reverse=True)
    assert r.graph["components"] == len(parts)
    assert r.graph["largest_component"] == parts[0]
    assert r.graph["component_sizes"] == parts[:10]
    assert r.graph["isolates"] == nx.number_of_isolates(G)
    assert r.graph["transitivity"] == pytest.approx(nx.transitivity(G), abs=1e-6)
    assert r.graph["core_max"] == max(nx.core_number(G).values())
    assert r.graph["betweenness_method"] == "exact"


def test_betweenness_closeness(network):
    G, r = network
    close(per_node(r, "betweenness"), nx.betweenness_centrality(G, normalized=True), G, tol=1e-5)
    n = G.number_of_nodes()
    harmonic = {k: v / (n - 1) for k, v in nx.harmonic_centrality(G).items()}
    close(per_node(r, "closeness"), harmonic, G, tol=1e-5)


def test_pagerank_eigenvector(network):
    G, r = network
    close(per_node(r, "pagerank"), nx.pagerank(G, weight="weight", tol=1e-10, max_iter=10000), G, tol=1e-4)
    if nx.is_connected(G):  # eigenvector centrality is only defined per connected network
        theirs = nx.eigenvector_centrality_numpy(G, weight="weight")
        top = max(theirs.values())
        close(per_node(r, "eigenvector"), {k: v / top for k, v in theirs.items()}, G, tol=1e-4)


def test_coreness_constraint(network):
    G, r = network
    close(per_node(r, "coreness"), nx.core_number(G), G, tol=0)
    ours = per_node(r, "constraint")
    theirs = nx.constraint(G, weight="weight")
    for node in G.nodes:
        if G.degree(node) == 0:
            assert ours[f"k{node}"] is None
        else:
            assert ours[f"k{node}"] == pytest.approx(theirs[node], abs=1e-5), node


def test_communities_modularity_and_numbering(network):
    G, r = network
    community = per_node(r, "community")
    groups: dict[int, set] = {}
    for node in G.nodes:
        c = community[f"k{node}"]
        if G.degree(node) == 0:
            assert c == -1
            continue
        groups.setdefault(c, set()).add(node)
    assert sorted(groups) == list(range(len(groups))) == list(range(r.graph["communities"]))
    sizes = [len(groups[c]) for c in sorted(groups)]
    assert sizes == sorted(sizes, reverse=True)  # the largest community is 0
    partition = list(groups.values()) + [{n} for n in G.nodes if G.degree(n) == 0]
    if G.number_of_edges():
        theirs = nx.community.modularity(G, partition, weight="weight")
        assert r.graph["modularity"] == pytest.approx(theirs, abs=1e-5)


def test_modularity_of_a_given_partition_matches_networkx():
    G = nx.karate_club_graph()
    nodes, ties = as_input(G)
    built = build(nodes, ties)
    clubs = [0 if G.nodes[n]["club"] == "Mr. Hi" else 1 for n in G.nodes]
    expected = nx.community.modularity(
        G, [{n for n in G if clubs[n] == 0}, {n for n in G if clubs[n] == 1}], weight="weight"
    )
    assert our_modularity(built.g, clubs) == pytest.approx(expected, abs=1e-9)


def test_karate_finds_real_communities():
    G = nx.karate_club_graph()
    nodes, ties = as_input(G, weighted=False)
    r = analyse(nodes, ties, layout=False, suggestions=False)
    assert 3 <= r.graph["communities"] <= 5
    assert r.graph["modularity"] > 0.38  # the best known partition is 0.4198
    # the two leaders (0 and 33) are the top brokers
    top = sorted(r.nodes, key=lambda k: -r.nodes[k]["betweenness"])[:2]
    assert set(top) == {"k0", "k33"}
    assert r.nodes["k0"]["is_broker"] and r.nodes["k33"]["is_broker"]


def test_reciprocity_counts_only_ties_between_respondents():
    nodes = [NodeIn("a", "A"), NodeIn("b", "B"), NodeIn("c", "C"), NodeIn("x", "X", kind="named")]
    ties = [TieIn("a", "b"), TieIn("b", "a"), TieIn("a", "c"), TieIn("c", "x"), TieIn("b", "c")]
    r = analyse(nodes, ties, layout=False, suggestions=False)
    # respondent-to-respondent named ties: a->b, b->a, a->c, b->c; named back: a->b and b->a
    assert r.graph["reciprocity"] == pytest.approx(0.5)
    assert r.graph["named_ties"] == 5
    assert r.graph["ties"] == 4  # a-b counted once
    D = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("b", "c")])
    assert r.graph["reciprocity"] == pytest.approx(nx.overall_reciprocity(D))


def test_mutual_ties_take_the_stronger_strength_and_bad_ties_are_ignored():
    nodes = [NodeIn("a", "A"), NodeIn("b", "B")]
    ties = [TieIn("a", "b", strength=1), TieIn("b", "a", strength=3), TieIn("a", "a"), TieIn("a", "ghost")]
    r = analyse(nodes, ties)
    assert r.graph["ties"] == 1 and r.graph["ignored_ties"] == 2
    assert r.nodes["a"]["weighted_degree"] == 3


def test_star_periphery_and_broker():
    G = nx.star_graph(5)
    nodes, ties = as_input(G, weighted=False)
    r = analyse(nodes, ties)
    assert r.nodes["k0"]["is_broker"] and not r.nodes["k0"]["is_periphery"]
    for leaf in range(1, 6):
        assert r.nodes[f"k{leaf}"]["is_periphery"] and not r.nodes[f"k{leaf}"]["is_broker"]
    assert r.graph["periphery"] == 5 and r.graph["brokers"] == 1


def test_periphery_is_the_fringe_of_a_cohesive_core():
    G = nx.complete_graph(5)
    G.add_edges_from([(4, 5), (5, 6)])  # a chain hanging off the core
    G.add_node(7)
    nodes, ties = as_input(G, weighted=False)
    r = analyse(nodes, ties)
    assert [k for k, v in r.nodes.items() if v["is_periphery"]] == ["k5", "k6"]
    assert r.nodes["k7"]["is_isolate"] and not r.nodes["k7"]["is_periphery"]
    assert r.graph["core_max"] == 4 and r.graph["core_size"] == 5


def test_approximate_betweenness_and_closeness_track_exact():
    G = nx.powerlaw_cluster_graph(800, 3, 0.3, seed=3)
    nodes, ties = as_input(G, weighted=False)
    exact = analyse(nodes, ties, layout=False, suggestions=False, exact_betweenness=True)
    approx = analyse(nodes, ties, layout=False, suggestions=False, exact_betweenness=False, samples=200)
    assert approx.graph["betweenness_method"] == "approximate (200 sources)"
    assert approx.graph["closeness_method"] == "harmonic, approximate (100 sources)"
    keys = list(exact.nodes)
    for name, floor in (("betweenness", 0.9), ("closeness", 0.95)):
        a = [exact.nodes[k][name] for k in keys]
        b = [approx.nodes[k][name] for k in keys]
        assert spearmanr(a, b).statistic > floor, name
    top = lambda res: set(sorted(keys, key=lambda k: -res.nodes[k]["betweenness"])[:20])  # noqa: E731
    assert len(top(exact) & top(approx)) >= 15


def test_seeded_runs_repeat_and_json_round_trips():
    G = nx.les_miserables_graph()
    nodes, ties = as_input(nx.convert_node_labels_to_integers(G))
    one = analyse(nodes, ties, seed=4)
    two = analyse(nodes, ties, seed=4)
    assert one.nodes == two.nodes and one.layout == two.layout and one.suggestions == two.suggestions
    data = json.loads(json.dumps(one.to_json()))
    assert set(data) == {"graph", "nodes", "layout", "suggestions", "timings", "cpu_timings"}
    assert set(data["cpu_timings"]) == set(data["timings"])
    assert set(data["timings"]) == {
        "build", "metrics", "betweenness", "communities", "constraint", "layout", "suggestions", "total",
    }  # fmt: skip


def test_empty_and_tiny_networks():
    assert analyse([], []).graph["nodes"] == 0
    r = analyse([NodeIn("a", "A")], [])
    assert r.nodes["a"]["is_isolate"] and r.nodes["a"]["constraint"] is None
    assert r.graph["reciprocity"] is None
    assert -1 <= r.layout["a"][0] <= 1


def test_layout_in_bounds_isolates_on_the_edge_and_apart():
    G = disconnected()
    G.add_nodes_from(range(11, 40))
    nodes, ties = as_input(G)
    r = analyse(nodes, ties, suggestions=False)
    xy = np.array([r.layout[n.key] for n in nodes])
    assert np.all(np.abs(xy) <= 1.0)
    radius = np.sqrt((xy**2).sum(axis=1))
    isolates = [i for i, n in enumerate(nodes) if r.nodes[n.key]["is_isolate"]]
    connected = [i for i in range(len(nodes)) if i not in isolates]
    assert radius[isolates].min() > radius[connected].max()
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) + np.eye(len(xy))
    assert d.min() > 0.01  # nobody on top of anybody


def test_layout_clusters_are_apart():
    G = nx.planted_partition_graph(4, 30, 0.4, 0.005, seed=2)
    nodes, ties = as_input(G)
    r = analyse(nodes, ties, suggestions=False)
    xy = {k: np.array(v) for k, v in r.layout.items()}
    within, across = [], []
    for a in nodes[::3]:
        for b in nodes[1::3]:
            ca, cb = r.nodes[a.key]["community"], r.nodes[b.key]["community"]
            (within if ca == cb else across).append(np.linalg.norm(xy[a.key] - xy[b.key]))
    assert np.mean(within) * 2 < np.mean(across)


def test_previous_layout_keeps_the_map_stable():
    G = nx.planted_partition_graph(5, 40, 0.3, 0.01, seed=5)
    nodes, ties = as_input(G)
    first = analyse(nodes, ties, suggestions=False)
    nodes2 = nodes + [NodeIn("new", "Newcomer")]
    ties2 = ties + [TieIn("new", nodes[0].key), TieIn(nodes[3].key, nodes[150].key)]
    fresh = analyse(nodes2, ties2, suggestions=False, seed=9)
    again = analyse(nodes2, ties2, suggestions=False, seed=9, previous_layout=first.layout)

    def moved(result):
        return np.mean([math.dist(first.layout[n.key], result.layout[n.key]) for n in nodes])

    assert moved(again) < 0.1
    assert moved(again) < moved(fresh) / 3
    # the newcomer lands near the person they named
    assert math.dist(again.layout["new"], again.layout[nodes[0].key]) < 0.4


def test_methods_say_what_was_computed():
    G = nx.powerlaw_cluster_graph(300, 2, 0.2, seed=1)
    nodes, ties = as_input(G)
    r = analyse(nodes, ties, layout=False, suggestions=False, exact_betweenness=False, samples=400)
    assert r.graph["betweenness_method"] == "exact"  # 400 sources of 300 people: every one
    assert r.graph["closeness_method"] == "harmonic, approximate (200 sources)"
    r = analyse(nodes, ties, layout=False, suggestions=False)
    assert (r.graph["betweenness_method"], r.graph["closeness_method"]) == ("exact", "harmonic")


def test_missing_optional_fields_do_not_break_anything():
    nodes = [NodeIn("a", "A", skills=None, resources=None, needs=None), NodeIn("b", "", kind="named")]  # type: ignore[arg-type]
    r = analyse(nodes, [TieIn("a", "b", strength="3"), TieIn("b", "a", strength=None)])  # type: ignore[arg-type]
    assert r.graph["ties"] == 1 and r.nodes["a"]["weighted_degree"] == 3


def test_a_thousand_people_take_well_under_a_second_of_cpu():
    """A guard against slow regressions (the benchmark measures properly): CPU time, not wall
    clock, so a busy machine does not fail it."""
    G = nx.planted_partition_graph(4, 250, 0.032, 0.003, seed=7)
    nodes, ties = as_input(G)
    r = analyse(nodes, ties)
    assert 4500 < r.graph["ties"] < 5500
    assert r.cpu_timings["total"] < 2.0, r.cpu_timings
