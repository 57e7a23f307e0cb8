"""Comparing two rounds of a survey on a known pair of networks."""

from squaremile.network.analysis import NodeIn, TieIn, compare_rounds


def net(names, pairs):
    return [NodeIn(n, n.upper()) for n in names], [TieIn(a, b) for a, b in pairs]


def test_compare_rounds_on_a_known_pair():
    before = net(
        ["a", "b", "c", "d", "e"],
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")],  # triangle a-b-c, d hanging off, e alone
    )
    after = net(
        ["a", "b", "c", "d", "f", "g"],  # e left; f and g came
        [("a", "b"), ("b", "a"), ("c", "a"), ("c", "d"), ("d", "a"), ("d", "b"), ("f", "g")],  # b-c gone
    )
    diff = compare_rounds(before, after)
    assert diff["new_people"] == ["f", "g"]
    assert diff["people_gone"] == ["e"]
    assert diff["people_kept"] == 4
    assert diff["new_ties"] == [["a", "d"], ["b", "d"], ["f", "g"]]
    assert diff["ties_gone"] == [["b", "c"]]
    assert diff["ties_kept"] == 3
    assert (diff["nodes_before"], diff["nodes_after"]) == (5, 6)
    assert (diff["ties_before"], diff["ties_after"]) == (4, 6)
    assert diff["density_before"] == 0.4 and diff["density_after"] == 0.4
    assert (diff["components_before"], diff["components_after"]) == (2, 2)
    assert (diff["isolates_before"], diff["isolates_after"]) == (1, 0)
    # before: main core = the triangle (2-core); after: a-b-d with c? c-a, c-d: c has degree 2 -> 2-core
    # a-b, a-c, a-d, b-d, c-d: a(3) b(2) c(2) d(3): all in the 2-core
    assert (diff["core_max_before"], diff["core_max_after"]) == (2, 2)
    assert diff["core_before"] == ["a", "b", "c"]
    assert diff["core_after"] == ["a", "b", "c", "d"]
    assert (diff["core_size_before"], diff["core_size_after"]) == (3, 4)
    assert diff["joined_core"] == ["d"] and diff["left_core"] == []
    assert diff["core_at_before_depth_after"] == 4


def test_compare_identical_and_empty_rounds():
    same = net(["a", "b"], [("a", "b")])
    diff = compare_rounds(same, same)
    assert diff["new_people"] == diff["people_gone"] == diff["new_ties"] == diff["ties_gone"] == []
    empty = compare_rounds(([], []), same)
    assert empty["new_people"] == ["a", "b"] and empty["core_size_before"] == 0 and empty["density_before"] == 0.0
