"""The consent filter on hand-built inputs: for each consent and each threshold case, exactly what
the published JSON holds (and what it never holds)."""

import json

import pytest

from squaremile.network.analysis.types import NodeIn, TieIn
from squaremile.network.publishing.published import (
    SOMEONE_ANSWERED,
    SOMEONE_NAMED,
    anonymous_groups,
    build_organiser,
    build_published,
    public_id,
)

SECRETS = ("secret@example.org", "tok-", "I need a van", "custom answer 42")


def person(key, consent, *, stream="", role="", kind="respondent", public_directory=False, org=""):
    return {
        "node_id": int(key[1:]),
        "kind": kind,
        "label": f"Name {key}",
        "consent": consent if kind == "respondent" else None,
        "public_directory": public_directory,
        "stream": stream,
        "role": role,
        "area": "hebden" if kind == "respondent" else "",
        "organisation_slug": org,
    }


def node(key, kind="respondent", **kw):
    return NodeIn(key=key, label=f"Name {key}", kind=kind, **kw)


def result_for(keys):
    return {
        "graph": {"nodes": len(keys), "ties": 3, "density": 0.5, "components": 1, "communities": 1, "modularity": 0.1},
        "nodes": {k: {"degree": 9, "betweenness": 0.7, "community": 2, "coreness": 3, "is_broker": True} for k in keys},
        "layout": {k: [0.1 * i, -0.1 * i] for i, k in enumerate(keys)},
    }


def publish(nodes, ties, people, threshold=5):
    return build_published(
        nodes=nodes,
        ties=ties,
        people=people,
        result=result_for([n.key for n in nodes]),
        threshold=threshold,
        salt="published-node:1",
        names={"organisations": {"good-org": "/organisations/good-org/"}},
    )


def labels(payload):
    return sorted(n["label"] for n in payload["nodes"])


def test_named_respondent_shows_name_stream_role_skills_and_public_figures_only():
    nodes = [node("n1", skills={"cooking": "strong"}, resources={"van": "some"}, needs=("legal",), willingness=3)]
    nodes.append(node("n2", kind="named"))
    people = {"n1": person("n1", "named", stream="community", role="Chair"), "n2": person("n2", None, kind="named")}
    payload = publish(nodes, [TieIn("n1", "n2", strength=3)], people)
    me = next(n for n in payload["nodes"] if n["kind"] == "person")
    assert me["label"] == "Name n1"
    assert me["stream"] == "community" and me["role"] == "Chair" and me["area"] == "hebden"
    assert me["skills"] == {"cooking": "strong"} and me["resources"] == {"van": "some"}
    assert set(me) == {
        "id",
        "label",
        "kind",
        "stream",
        "role",
        "area",
        "skills",
        "resources",
        "x",
        "y",
        "degree",
        "community",
    }
    assert me["degree"] == 1  # counted on published ties, not the stored 9
    assert me["community"] == 2
    assert "needs" not in me and "willingness" not in me and "betweenness" not in me
    assert payload["metrics"] == ["degree", "community"]
    assert payload["edges"] == [[0, 1, 3]]


def test_hidden_respondent_and_their_ties_are_absent_but_counted_in_totals():
    nodes = [node("n1"), node("n2"), node("n3", kind="named"), node("n4", kind="named")]
    people = {
        "n1": person("n1", "named"),
        "n2": person("n2", "hidden", stream="public"),
        "n3": person("n3", None, kind="named"),
        "n4": person("n4", None, kind="named"),
    }
    ties = [TieIn("n1", "n2"), TieIn("n2", "n3"), TieIn("n1", "n4")]
    payload = publish(nodes, ties, people)
    text = json.dumps(payload)
    assert "Name n2" not in text
    # n3 was named only by the hidden respondent: left out too, so nothing hints at the hidden answers.
    assert labels(payload) == ["Name n1", SOMEONE_NAMED]
    assert payload["edges"] == [[0, 1, 2]]
    assert payload["summary"]["nodes"] == 4  # the whole-network figures still count everyone
    assert payload["summary"]["respondents"] == 2 and payload["summary"]["respondents_not_shown"] == 1
    assert payload["summary"]["not_shown"] == 2


@pytest.mark.parametrize(
    ("streams", "threshold", "expected"),
    [
        # five community-sector people: a big enough group, shown with their stream
        (["community"] * 5, 5, ["Someone (community and voluntary)"] * 5),
        # four: too few; coarsened to no stream, but the pool is still four < 5: left out
        (["community"] * 4, 5, []),
        # 5 community + 3 public + 2 no stream: the public three join the stream-less pool (5): shown as "someone"
        (
            ["community"] * 5 + ["public"] * 3 + [""] * 2,
            5,
            ["Someone (community and voluntary)"] * 5 + [SOMEONE_ANSWERED] * 5,
        ),
        # 5 community + 3 public, nothing else: the pool of three is too small, only the five appear
        (["community"] * 5 + ["public"] * 3, 5, ["Someone (community and voluntary)"] * 5),
        # a threshold of 2 lets a pair of public bodies show their stream
        (["public"] * 2 + ["business"], 2, ["Someone (public body)"] * 2),
        # threshold 1: everyone keeps their stream
        (["public", "business"], 1, ["Someone (business)", "Someone (public body)"]),
    ],
)
def test_anonymous_respondents_and_the_small_group_rule(streams, threshold, expected):
    nodes = [node(f"n{i}", skills={"cooking": "strong"}) for i in range(1, len(streams) + 1)]
    people = {
        f"n{i}": person(f"n{i}", "anonymous", stream=s, role="Treasurer of the only bowls club")
        for i, s in enumerate(streams, 1)
    }
    payload = publish(nodes, [], people, threshold=threshold)
    assert labels(payload) == sorted(expected)
    text = json.dumps(payload)
    for i in range(1, len(streams) + 1):
        assert f"Name n{i}" not in text
    assert "Treasurer" not in text and "cooking" not in text and "hebden" not in text
    for entry in payload["nodes"]:
        assert entry["kind"] == "anonymous"
        assert set(entry) == {"id", "label", "kind", "stream", "x", "y", "degree", "community"}


def test_anonymous_groups_counts_only_anonymous_respondents():
    people = {f"n{i}": person(f"n{i}", "named", stream="public") for i in range(1, 6)}
    people["n9"] = person("n9", "anonymous", stream="public")
    assert anonymous_groups(people, 5) == {"n9": None}
    assert anonymous_groups(people, 1) == {"n9": "public"}


def test_typed_names_are_unnamed_unless_public_directory_organisations():
    nodes = [node("n1"), node("n2", kind="named"), node("n3", kind="organisation"), node("n4", kind="organisation")]
    people = {
        "n1": person("n1", "named"),
        "n2": person("n2", None, kind="named"),
        "n3": person("n3", None, kind="organisation", public_directory=True, org="good-org"),
        "n4": person("n4", None, kind="organisation", public_directory=False, org="private-org"),
    }
    ties = [TieIn("n1", "n2"), TieIn("n1", "n3"), TieIn("n1", "n4")]
    payload = publish(nodes, ties, people)
    assert labels(payload) == ["Name n1", "Name n3", SOMEONE_NAMED, SOMEONE_NAMED]
    org = next(n for n in payload["nodes"] if n["label"] == "Name n3")
    assert org["url"] == "/organisations/good-org/" and org["kind"] == "organisation"
    assert "private-org" not in json.dumps(payload) and "Name n2" not in json.dumps(payload)


def test_ids_are_salted_not_database_ids_and_stable():
    nodes = [node("n1"), node("n2")]
    people = {"n1": person("n1", "named"), "n2": person("n2", "named")}
    payload = publish(nodes, [TieIn("n1", "n2")], people)
    ids = [n["id"] for n in payload["nodes"]]
    assert ids == sorted(ids)
    assert set(ids) == {public_id("published-node:1", "n1"), public_id("published-node:1", "n2")}
    assert not any(i in ("n1", "n2", "1", "2") for i in ids)
    assert public_id("published-node:2", "n1") not in ids  # another round: other ids
    assert "node_id" not in json.dumps(payload)


def test_nothing_confidential_ever_appears():
    nodes = [node("n1", needs=("legal",), willingness=4), node("n2"), node("n3")]
    people = {k: person(k, c) for k, c in (("n1", "named"), ("n2", "anonymous"), ("n3", "hidden"))}
    for p in people.values():
        p["email"] = SECRETS[0]
        p["needs_text"] = SECRETS[2]
        p["answers"] = {"7": SECRETS[3]}
        p["token"] = SECRETS[1]
    payload = publish(nodes, [TieIn("n1", "n2"), TieIn("n3", "n1")], people, threshold=1)
    text = json.dumps(payload)
    for secret in SECRETS:
        assert secret not in text
    assert "consent" not in text and "willingness" not in text and "legal" not in text


def test_positions_come_from_the_stored_layout_and_newcomers_sit_by_their_neighbours():
    nodes = [node("n1"), node("n2")]
    people = {"n1": person("n1", "named"), "n2": person("n2", "named")}
    result = {"graph": {}, "nodes": {}, "layout": {"n1": [0.5, -0.25]}}
    payload = build_published(
        nodes=nodes, ties=[TieIn("n2", "n1")], people=people, result=result, threshold=5, salt="s"
    )
    by_label = {n["label"]: n for n in payload["nodes"]}
    assert (by_label["Name n1"]["x"], by_label["Name n1"]["y"]) == (0.5, -0.25)
    newcomer = by_label["Name n2"]
    assert abs(newcomer["x"] - 0.5) < 0.05 and abs(newcomer["y"] + 0.25) < 0.05


def test_organiser_payload_has_everything():
    nodes = [node("n1", needs=("legal",), willingness=4), node("n2"), node("n3", kind="named")]
    people = {
        "n1": person("n1", "named"),
        "n2": person("n2", "hidden", stream="public"),
        "n3": person("n3", None, kind="named"),
    }
    payload = build_organiser(
        nodes=nodes, ties=[TieIn("n1", "n2", strength=1), TieIn("n2", "n1", strength=3)], people=people,
        result=result_for(["n1", "n2", "n3"]),
    )  # fmt: skip
    assert labels(payload) == ["Name n1", "Name n2", "Name n3"]
    hidden = next(n for n in payload["nodes"] if n["id"] == "n2")
    assert hidden["consent"] == "hidden" and hidden["node_id"] == 2
    assert hidden["betweenness"] == 0.7 and hidden["is_broker"] is True and hidden["coreness"] == 3
    me = next(n for n in payload["nodes"] if n["id"] == "n1")
    assert me["needs"] == ["legal"] and me["willingness"] == 4
    assert payload["edges"] == [[0, 1, 3]]  # one edge per pair, the stronger strength
