"""The consent filter: what the map shows, to whom.

Two payloads share one shape (the map script reads either):

* `organiser_payload(round)`: everything, for the survey's organisers (names whatever the consent,
  every figure, the database ids to link to their records).
* `published_payload(round)`: only what each respondent consented to, for everyone once the survey
  is published, and for the embeddable map.

The rules of the published view (tests in tests/test_published.py prove each one):

* **Hidden** respondents are absent, and so are their ties. Their answers still count in the
  whole-network figures, which are shown as numbers only (density, components, communities...).
* A respondent's **latest word binds earlier rounds**: named in round 1 but anonymous or hidden in the
  round they last answered, they are anonymous or hidden on round 1's map too (see `graphdata`).
* **Anonymous** respondents appear without a name, with only their stream. A node is shown with its
  stream only when at least `survey.anonymity_threshold` anonymous nodes share that stream; the rest
  are coarsened to "Someone who answered" (no stream), and if even that pool is smaller than the
  threshold, they are left out.
* **Names typed by respondents** that are not respondents appear as "Someone named by a respondent"
  unless they are public directory organisations (then named, linked to their directory page). A
  typed name left with no tie in the published view (only a hidden respondent named them) is left out.
* **Named** respondents appear with their name, stream, role, area, skills and resources.
* Node ids are a salted hash of the round and the node (never a database id, and stable across
  recomputes so `?focus=` links keep working); nodes are sorted by that id, not by submission order.
* Figures per person: only the degree (counted on the published ties, so a hidden tie cannot be
  inferred from it) and the community. Betweenness, closeness, k-core and the broker/periphery flags
  are organiser-only: "this anonymous person is the only bridge between two groups" is exactly the
  kind of fact that makes an anonymous node identifiable.
* Never: emails, tokens, free-text answers, needs, custom answers, consent, willingness.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder

from squaremile.directory.models import Stream

SOMEONE_ANSWERED = "Someone who answered"
SOMEONE_NAMED = "Someone named by a respondent"
PUBLIC_METRICS = ("degree", "community")
ORGANISER_METRICS = (
    "degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "pagerank",
    "eigenvector",
    "coreness",
    "constraint",
    "community",
    "component",
    "is_isolate",
    "is_periphery",
    "is_broker",
)
SUMMARY_FIELDS = (
    "nodes",
    "ties",
    "density",
    "components",
    "largest_component",
    "communities",
    "modularity",
    "reciprocity",
    "isolates",
    "periphery",
    "brokers",
    "core_max",
    "core_size",
)
STREAM_LABELS = dict(Stream.choices)


def public_id(salt: str, key: str) -> str:
    """A node's id in the published view: not a database id, not guessable, stable for the round."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{salt}:{key}".encode(), hashlib.sha256).hexdigest()
    return "p" + digest[:12]


# ---- pure builders (unit-tested on hand-built inputs) ----------------------------------------------


def _edges(ties, index: dict[str, int]) -> list[list[int]]:
    """Undirected, one edge per pair (the stronger strength wins), only between included nodes."""
    best: dict[tuple[int, int], int] = {}
    for tie in ties:
        a, b = index.get(tie.source), index.get(tie.target)
        if a is None or b is None or a == b:
            continue
        pair = (a, b) if a < b else (b, a)
        best[pair] = max(best.get(pair, 0), int(tie.strength or 2))
    return [[a, b, s] for (a, b), s in best.items()]


def _position(key: str, layout: dict, neighbours) -> tuple[float, float]:
    """The stored position; a node newer than the stored layout sits beside its laid-out neighbours,
    or on the outer ring when it has none (the next recompute places it properly)."""
    if key in layout:
        x, y = layout[key]
        return round(float(x), 4), round(float(y), 4)
    placed = [layout[n] for n in neighbours().get(key, ()) if n in layout]
    jitter = int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) / 0xFFFFFF
    if placed:
        x = sum(p[0] for p in placed) / len(placed) + 0.03 * math.cos(jitter * 6.283)
        y = sum(p[1] for p in placed) / len(placed) + 0.03 * math.sin(jitter * 6.283)
        return round(x, 4), round(y, 4)
    return round(1.05 * math.cos(jitter * 6.283), 4), round(1.05 * math.sin(jitter * 6.283), 4)


def _neighbours(ties):
    """key -> neighbour keys, built on first use (only nodes newer than the stored layout need it)."""
    built: dict[str, list[str]] = {}

    def get() -> dict[str, list[str]]:
        if not built and ties:
            for tie in ties:
                built.setdefault(tie.source, []).append(tie.target)
                built.setdefault(tie.target, []).append(tie.source)
        return built

    return get


def _summary(result: dict, *, shown: int, total: int) -> dict[str, Any]:
    graph = (result or {}).get("graph") or {}
    summary = {name: graph.get(name) for name in SUMMARY_FIELDS if name in graph}
    summary["shown"] = shown
    summary["not_shown"] = max(0, total - shown)
    return summary


def anonymous_groups(people: dict[str, dict], threshold: int) -> dict[str, str | None]:
    """key -> the stream an anonymous respondent is shown with ("" = coarsened to no stream), or None
    when they must be left out. Only anonymous respondents are keys of the answer."""
    anonymous = {k: p for k, p in people.items() if p.get("kind") == "respondent" and p.get("consent") == "anonymous"}
    sizes = Counter((p.get("stream") or "") for p in anonymous.values())
    shown: dict[str, str | None] = {}
    pool = []
    for key, person in anonymous.items():
        stream = person.get("stream") or ""
        if stream and sizes[stream] >= threshold:
            shown[key] = stream
        else:
            pool.append(key)
    keep_pool = len(pool) >= threshold
    for key in pool:
        shown[key] = "" if keep_pool else None
    return shown


def build_published(
    *,
    nodes: list,
    ties: list,
    people: dict[str, dict],
    result: dict,
    threshold: int,
    salt: str,
    names: dict[str, dict[str, str]] | None = None,
    head: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The published payload from the analysis input (NodeIn, TieIn, people facts) and the stored
    analysis result. `names`: {"skills": slug->name, "resources": slug->name, "areas": slug->name,
    "organisations": slug->url}."""
    names = names or {}
    threshold = max(1, int(threshold or 1))
    layout = (result or {}).get("layout") or {}
    metrics = (result or {}).get("nodes") or {}
    anonymous = anonymous_groups(people, threshold)
    by_key = {n.key: n for n in nodes}

    entries: dict[str, dict[str, Any]] = {}
    for node in nodes:
        person = people.get(node.key) or {}
        kind = person.get("kind") or node.kind
        entry: dict[str, Any]
        if kind == "respondent":
            consent = person.get("consent")
            if consent == "named":
                entry = {
                    "label": person.get("label") or node.label,
                    "kind": "person",
                    "stream": person.get("stream") or "",
                }
                if person.get("role"):
                    entry["role"] = person["role"]
                if person.get("area"):
                    entry["area"] = person["area"]
                if node.skills:
                    entry["skills"] = dict(sorted(node.skills.items()))
                if node.resources:
                    entry["resources"] = dict(sorted(node.resources.items()))
                url = names.get("organisations", {}).get(person.get("organisation_slug") or "")
                if url and person.get("public_directory"):
                    entry["url"] = url
            elif consent == "anonymous" and anonymous.get(node.key) is not None:
                stream = anonymous[node.key]
                label = SOMEONE_ANSWERED
                if stream:
                    label = f"Someone ({STREAM_LABELS.get(stream, stream).lower()})"
                entry = {"label": label, "kind": "anonymous", "stream": stream}
            else:
                continue  # hidden, unknown consent, or anonymous in too small a group
        else:
            url = names.get("organisations", {}).get(person.get("organisation_slug") or "")
            if person.get("public_directory"):
                entry = {
                    "label": person.get("label") or node.label,
                    "kind": "organisation",
                    "stream": person.get("stream") or "",
                }
                if url:
                    entry["url"] = url
            else:
                entry = {"label": SOMEONE_NAMED, "kind": "unnamed", "stream": ""}
        entries[node.key] = entry

    # Typed names and organisations are there only because someone named them: with no published tie
    # left (only a hidden or left-out respondent named them) they would only hint at hidden answers.
    linked = set()
    for tie in ties:
        if tie.source in entries and tie.target in entries and tie.source != tie.target:
            linked.update((tie.source, tie.target))
    for key in [k for k, e in entries.items() if e["kind"] in ("unnamed", "organisation") and k not in linked]:
        del entries[key]

    ids = {key: public_id(salt, key) for key in entries}
    order = sorted(entries, key=lambda k: ids[k])
    index = {key: i for i, key in enumerate(order)}
    edges = _edges(ties, index)
    degree = Counter()
    for a, b, _ in edges:
        degree[a] += 1
        degree[b] += 1
    neighbours = _neighbours(ties)
    out_nodes = []
    for i, key in enumerate(order):
        x, y = _position(key, layout, neighbours)
        entry = {"id": ids[key], **entries[key], "x": x, "y": y}
        entry["degree"] = degree[i]
        entry["community"] = (metrics.get(key) or {}).get("community", -1)
        out_nodes.append(entry)
    respondents = sum(1 for k in by_key if (people.get(k) or {}).get("kind", by_key[k].kind) == "respondent")
    shown_respondents = sum(1 for e in out_nodes if e["kind"] in ("person", "anonymous"))
    return {
        "view": "published",
        **(head or {}),
        "summary": _summary(result, shown=len(out_nodes), total=len(nodes))
        | {"respondents": respondents, "respondents_not_shown": respondents - shown_respondents},
        "streams": STREAM_LABELS,
        "skills": _used(names.get("skills", {}), out_nodes, "skills"),
        "resources": _used(names.get("resources", {}), out_nodes, "resources"),
        "areas": {
            slug: names.get("areas", {}).get(slug, slug) for slug in {e["area"] for e in out_nodes if e.get("area")}
        },
        "metrics": list(PUBLIC_METRICS),
        "nodes": out_nodes,
        "edges": edges,
    }


def _used(all_names: dict[str, str], out_nodes: list[dict], field: str) -> dict[str, str]:
    used = {slug for e in out_nodes for slug in e.get(field, {})}
    return {slug: all_names.get(slug, slug) for slug in sorted(used)}


def build_organiser(
    *,
    nodes: list,
    ties: list,
    people: dict[str, dict],
    result: dict,
    names: dict[str, dict[str, str]] | None = None,
    head: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything, for the survey's organisers: real names whatever the consent (with the consent
    shown), every figure, the database node id."""
    names = names or {}
    layout = (result or {}).get("layout") or {}
    metrics = (result or {}).get("nodes") or {}
    order = sorted(n.key for n in nodes)
    index = {key: i for i, key in enumerate(order)}
    by_key = {n.key: n for n in nodes}
    neighbours = _neighbours(ties)
    out_nodes = []
    for key in order:
        node = by_key[key]
        person = people.get(key) or {}
        x, y = _position(key, layout, neighbours)
        figures = metrics.get(key) or {}
        entry: dict[str, Any] = {
            "id": key,
            "node_id": person.get("node_id"),
            "label": person.get("label") or node.label,
            "kind": person.get("kind") or node.kind,
            "consent": person.get("consent") or "",
            "stream": person.get("stream") or node.stream or "",
            "x": x,
            "y": y,
        }
        for name in ("role", "area"):
            if person.get(name):
                entry[name] = person[name]
        if node.skills:
            entry["skills"] = dict(sorted(node.skills.items()))
        if node.resources:
            entry["resources"] = dict(sorted(node.resources.items()))
        if node.needs:
            entry["needs"] = list(node.needs)
        if node.willingness is not None:
            entry["willingness"] = node.willingness
        url = names.get("organisations", {}).get(person.get("organisation_slug") or "")
        if url:
            entry["url"] = url
        for name in ORGANISER_METRICS:
            if name in figures:
                entry[name] = figures[name]
        entry.setdefault("community", -1)
        out_nodes.append(entry)
    edges = _edges(ties, index)
    if not metrics:  # no analysis yet: at least the degree, counted here
        degree = Counter()
        for a, b, _ in edges:
            degree[a] += 1
            degree[b] += 1
        for i, entry in enumerate(out_nodes):
            entry["degree"] = degree[i]
    return {
        "view": "organiser",
        **(head or {}),
        "summary": _summary(result, shown=len(out_nodes), total=len(nodes)),
        "streams": STREAM_LABELS,
        "skills": _used(names.get("skills", {}), out_nodes, "skills"),
        "resources": _used(names.get("resources", {}), out_nodes, "resources"),
        "areas": {
            slug: names.get("areas", {}).get(slug, slug) for slug in {e["area"] for e in out_nodes if e.get("area")}
        },
        "metrics": list(ORGANISER_METRICS),
        "nodes": out_nodes,
        "edges": edges,
    }


# ---- from the database -------------------------------------------------------------------------


def _names(nodes, people) -> dict[str, dict[str, str]]:
    from squaremile.directory.models import Organisation, ResourceKind, Skill
    from squaremile.places.models import Area

    skills = {s for n in nodes for s in n.skills} | {s for n in nodes for s in n.needs}
    resources = {r for n in nodes for r in n.resources} | {s for n in nodes for s in n.needs}
    areas = {p.get("area") for p in people.values() if p.get("area")}
    orgs = {p.get("organisation_slug") for p in people.values() if p.get("organisation_slug")}
    return {
        "skills": dict(Skill.objects.filter(slug__in=skills).values_list("slug", "name")) if skills else {},
        "resources": dict(ResourceKind.objects.filter(slug__in=resources).values_list("slug", "name"))
        if resources
        else {},
        "areas": dict(Area.objects.filter(slug__in=areas).values_list("slug", "name")) if areas else {},
        "organisations": {slug: Organisation(slug=slug).get_absolute_url() for slug in orgs},
    }


def _head(round, analysis) -> dict[str, Any]:
    survey = round.survey
    return {
        "survey": {"title": survey.title, "slug": survey.slug},
        "round": {"number": round.number, "label": str(round)},
        "analysis": {
            "status": analysis.status if analysis else "stale",
            "computed_at": analysis.computed_at.isoformat() if analysis and analysis.computed_at else None,
            "up_to_date": bool(analysis and analysis.status == "fresh" and analysis.data_version == round.data_version),
        },
    }


def _later_rounds(round) -> str:
    """A stamp of the survey's later rounds: consent given there binds this round's map (graphdata)."""
    from django.db.models import Count, Sum

    from squaremile.network.models import Round

    later = Round.objects.filter(survey_id=round.survey_id, number__gt=round.number).aggregate(
        n=Count("id"), v=Sum("data_version")
    )
    return f"{later['n']}.{later['v'] or 0}"


def _cache_key(view: str, round, analysis) -> str:
    survey = round.survey
    stamp = analysis.computed_at.timestamp() if analysis and analysis.computed_at else 0
    status = analysis.status if analysis else "none"
    return (
        f"network:{view}:{round.pk}:{survey.created_at.timestamp() if survey.created_at else 0}:"
        f"{round.data_version}:{_later_rounds(round)}:{stamp}:{status}:"
        f"{survey.anonymity_threshold}:{survey.updated_at.timestamp() if survey.updated_at else 0}"
    )


def _build(round, view: str, analysis) -> dict[str, Any]:
    from squaremile.network.computing import graphdata
    from squaremile.network.models import Analysis

    nodes, ties, people = graphdata.round_graph(round)
    result = (
        (Analysis.objects.filter(pk=analysis.pk).values_list("result", flat=True).first() or {}) if analysis else {}
    )
    names = _names(nodes, people)
    head = _head(round, analysis)
    if view == "published":
        return build_published(
            nodes=nodes,
            ties=ties,
            people=people,
            result=result,
            threshold=round.survey.anonymity_threshold,
            salt=f"published-node:{round.pk}",
            names=names,
            head=head,
        )
    return build_organiser(nodes=nodes, ties=ties, people=people, result=result, names=names, head=head)


def _meta(payload: dict) -> dict[str, Any]:
    """What a map page needs before its script fetches the payload."""
    return {
        "summary": payload["summary"],
        "has_skills": bool(payload["skills"]),
        "has_resources": bool(payload["resources"]),
        "node_count": len(payload["nodes"]),
    }


def _store(view: str, round, analysis) -> tuple[bytes, dict]:
    """Build a payload and keep its JSON (bytes: cheap to cache and to send) and its meta."""
    payload = _build(round, view, analysis)
    body = json.dumps(payload, separators=(",", ":"), cls=DjangoJSONEncoder).encode()
    meta = _meta(payload)
    key = _cache_key(view, round, analysis)
    timeout = int(getattr(settings, "NETWORK_MAP_CACHE_SECONDS", 24 * 3600))
    cache.set_many({key + ":json": body, key + ":meta": meta}, timeout)
    return body, meta


def _analysis(round):
    from squaremile.network.models import Analysis

    return Analysis.objects.defer("result").filter(round=round).first()


def payload_json(round, view: str) -> bytes:
    """The payload as JSON bytes, from the cache when the data and the analysis have not changed."""
    analysis = _analysis(round)
    body = cache.get(_cache_key(view, round, analysis) + ":json")
    return body if body is not None else _store(view, round, analysis)[0]


def payload_meta(round, view: str) -> dict[str, Any]:
    analysis = _analysis(round)
    meta = cache.get(_cache_key(view, round, analysis) + ":meta")
    return meta if meta is not None else _store(view, round, analysis)[1]


def warm(round) -> None:
    """Build both payloads now (after an analysis is stored), so that the next map page opens at once."""
    analysis = _analysis(round)
    for view in ("published", "organiser"):
        _store(view, round, analysis)


def published_payload(round) -> dict[str, Any]:
    """What the published map and the embed show: only what consent allows (see the module doc)."""
    return json.loads(payload_json(round, "published"))


def organiser_payload(round) -> dict[str, Any]:
    """Everything about the round's network, for its organisers."""
    return json.loads(payload_json(round, "organiser"))
