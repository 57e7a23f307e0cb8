"""Skills and resources view."""

from squaremile.network.analysis import NodeIn, skills_summary


def test_skills_summary_counts_levels_who_willing_needs_and_missing():
    nodes = [
        NodeIn("a", "A", skills={"cooking": "strong", "it": "some"}, willingness=4, needs=("legal",)),
        NodeIn("b", "B", skills={"cooking": "some"}, resources={"van": "strong"}, willingness=1),
        NodeIn("c", "C", resources={"cooking": "strong"}, skills={"cooking": "some"}, willingness=3, needs=("van",)),
        NodeIn("a", "A again", skills={"cooking": "strong"}),  # a repeated key counts once
        NodeIn("d", "D", needs=("legal", "legal")),
    ]
    out = skills_summary(nodes, ["cooking", "it", "van", "legal", "translation"])
    cooking = out["items"]["cooking"]
    assert (cooking["strong"], cooking["some"]) == (2, 1)
    assert cooking["who"] == ["a", "c", "b"]  # strong first
    assert cooking["willing"] == 2
    assert out["items"]["van"]["needed_by"] == ["c"]
    assert out["items"]["legal"]["needed_by"] == ["a", "d"]
    assert out["missing"] == ["legal", "translation"]
    assert out["unmet_needs"] == ["legal"]
    assert out["people"] == 4


def test_skills_summary_includes_slugs_outside_the_taxonomy():
    out = skills_summary([NodeIn("a", "A", skills={"juggling": "some"})], [])
    assert out["items"]["juggling"]["some"] == 1 and out["missing"] == []
