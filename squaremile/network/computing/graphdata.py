"""A round's data as the analysis engine's input: `round_graph(round) -> (nodes, ties, people)`.

* nodes: one `NodeIn` per node of the round (a respondent, or anyone a respondent or an import named),
  keyed "n<Node.pk>"; a merged node is folded into the node it was merged into.
* ties: one `TieIn` per (source, target) after folding, the stronger kept; never to oneself.
* people: key -> the private facts the consent filter needs (see `publishing/published.py`): node_id, kind, label,
  consent ("named" | "anonymous" | "hidden", None for someone who did not answer), public_directory
  (a directory organisation, whose name is public), stream, role, area, organisation_slug.

Consent: the most careful of a person's answers in the round wins, and their latest word binds earlier
rounds too: someone named in round 1 who chose anonymous or hidden in the round they last answered is
anonymous or hidden on round 1's map as well (never the other way: a later "named" does not uncover an
earlier "anonymous").

Labels here are the organiser's view (respondents' names); only the published filter decides what
others see. A fixed number of queries whatever the size (eight), fine for 10,000 nodes.
"""

from __future__ import annotations

from squaremile.network.analysis.types import NodeIn, TieIn
from squaremile.network.models import Node, Response, ResponseResource, ResponseSkill, Round, Survey, Tie

# when two responses fold into one node, the most careful consent wins
CONSENT_ORDER = {"named": 0, "anonymous": 1, "hidden": 2}
LEVEL_ORDER = {"some": 0, "strong": 1}


def node_key(node_id: int) -> str:
    return f"n{node_id}"


def _roots(rows: list[dict]) -> dict[int, int]:
    parent = {r["id"]: r["merged_into_id"] for r in rows}
    roots: dict[int, int] = {}
    for node_id in parent:
        path, current = [], node_id
        while parent.get(current) and current not in path and current not in roots:
            path.append(current)
            current = parent[current]
        root = roots.get(current, current)
        for seen in path:
            roots[seen] = root
        roots[node_id] = root
    return roots


def _stronger(levels: dict[str, str], slug: str, level: str) -> None:
    if LEVEL_ORDER.get(level, 0) >= LEVEL_ORDER.get(levels.get(slug, ""), -1):
        levels[slug] = level


def round_graph(round: Round) -> tuple[list[NodeIn], list[TieIn], dict[str, dict]]:  # noqa: A002
    survey_area = Survey.objects.filter(pk=round.survey_id).values_list("area__slug", flat=True).first() or ""
    node_rows = list(
        Node.objects.filter(survey_id=round.survey_id).values(
            "id", "kind", "label", "merged_into_id", "organisation_id",
            "organisation__slug", "organisation__stream", "organisation__area__slug",
        )
    )  # fmt: skip
    nodes_by_id = {r["id"]: r for r in node_rows}
    roots = _roots(node_rows)

    # this round's answers, and the consent given in later rounds (one query)
    rows = list(
        Response.objects.filter(round__survey_id=round.survey_id, round__number__gte=round.number).values(
            "id", "node_id", "consent", "stream", "role", "willingness",
            "organisation__slug", "organisation__area__slug", "round__number",
        ).order_by("id")
    )  # fmt: skip
    responses = [r for r in rows if r["round__number"] == round.number]
    response_root = {r["id"]: roots.get(r["node_id"], r["node_id"]) for r in responses}
    latest_word: dict[int, tuple[int, str]] = {}  # node -> (the latest later round answered, its consent)
    for r in rows:
        if r["round__number"] > round.number:
            root = roots.get(r["node_id"], r["node_id"])
            number, consent = latest_word.get(root, (0, "named"))
            newer = r["round__number"] > number
            if newer or (r["round__number"] == number and CONSENT_ORDER[r["consent"]] > CONSENT_ORDER[consent]):
                latest_word[root] = (r["round__number"], r["consent"])

    skills: dict[int, dict[str, str]] = {}
    for row in ResponseSkill.objects.filter(response__round=round).values("response_id", "skill__slug", "level"):
        _stronger(skills.setdefault(response_root[row["response_id"]], {}), row["skill__slug"], row["level"])
    resources: dict[int, dict[str, str]] = {}
    for row in ResponseResource.objects.filter(response__round=round).values("response_id", "resource__slug", "level"):
        _stronger(resources.setdefault(response_root[row["response_id"]], {}), row["resource__slug"], row["level"])
    needs: dict[int, set[str]] = {}
    for row in Response.needed_skills.through.objects.filter(response__round=round).values(
        "response_id", "skill__slug"
    ):
        needs.setdefault(response_root[row["response_id"]], set()).add(row["skill__slug"])
    for row in Response.needed_resources.through.objects.filter(response__round=round).values(
        "response_id", "resourcekind__slug"
    ):
        needs.setdefault(response_root[row["response_id"]], set()).add(row["resourcekind__slug"])

    # who answered, folded
    answered: dict[int, dict] = {}
    for r in responses:
        root = response_root[r["id"]]
        facts = answered.get(root)
        if facts is None:
            answered[root] = dict(r)
            continue
        if CONSENT_ORDER[r["consent"]] > CONSENT_ORDER[facts["consent"]]:
            facts["consent"] = r["consent"]
        if r["willingness"] is not None:
            facts["willingness"] = max(r["willingness"], facts["willingness"] or 0)
        for field in ("stream", "role", "organisation__slug", "organisation__area__slug"):
            facts[field] = facts[field] or r[field]
    for root, facts in answered.items():
        later = latest_word.get(root)
        if later is not None and CONSENT_ORDER[later[1]] > CONSENT_ORDER[facts["consent"]]:
            facts["consent"] = later[1]

    ties: dict[tuple[int, int], dict] = {}
    for t in Tie.objects.filter(round=round).values("source_id", "target_id", "strength", "sharing").order_by("id"):
        source, target = roots.get(t["source_id"], t["source_id"]), roots.get(t["target_id"], t["target_id"])
        if source == target:
            continue
        current = ties.get((source, target))
        if current is None:
            ties[(source, target)] = {"strength": t["strength"], "sharing": t["sharing"]}
        else:
            current["strength"] = max(current["strength"], t["strength"])
            if t["sharing"] is not None:
                current["sharing"] = max(current["sharing"] or 0, t["sharing"])

    members: set[int] = set(answered)
    for source, target in ties:
        members.add(source)
        members.add(target)

    nodes: list[NodeIn] = []
    people: dict[str, dict] = {}
    for node_id in sorted(members):
        row = nodes_by_id[node_id]
        facts = answered.get(node_id)
        key = node_key(node_id)
        if facts is not None:
            kind = "respondent"
        elif row["organisation_id"]:
            kind = "organisation"
        else:
            kind = "named" if row["kind"] != "organisation" else "organisation"
        stream = (facts or {}).get("stream") or row["organisation__stream"] or ""
        org_slug = (facts or {}).get("organisation__slug") or row["organisation__slug"] or ""
        area = row["organisation__area__slug"] or (facts or {}).get("organisation__area__slug") or survey_area or ""
        nodes.append(
            NodeIn(
                key=key,
                label=row["label"],
                kind=kind,
                stream=stream,
                skills=skills.get(node_id, {}),
                resources=resources.get(node_id, {}),
                needs=tuple(sorted(needs.get(node_id, ()))),
                willingness=(facts or {}).get("willingness"),
                area=area,
            )
        )
        people[key] = {
            "node_id": node_id,
            "kind": kind,
            "label": row["label"],
            "consent": facts["consent"] if facts else None,
            "public_directory": bool(row["organisation_id"]),
            "stream": stream,
            "role": (facts or {}).get("role", ""),
            "area": area,
            "organisation_slug": org_slug,
        }
    tie_list = [
        TieIn(source=node_key(s), target=node_key(t), strength=v["strength"], sharing=v["sharing"])
        for (s, t), v in sorted(ties.items())
    ]
    return nodes, tie_list, people
