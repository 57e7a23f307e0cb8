"""`analyse()`: the whole analysis of one network, timed step by step."""

from __future__ import annotations

import math
import time

import numpy as np

from . import communities as communities_mod
from . import layout as layout_mod
from . import metrics
from . import suggestions as suggestions_mod
from .graph import Built, build
from .types import AnalysisResult, NodeIn, TieIn

BROKER_SHARE = 0.05  # brokers: within the top 5% by betweenness (at least one person) ...
# ... and less constrained than the median connected person (Burt's constraint).


def analyse(
    nodes: list[NodeIn],
    ties: list[TieIn],
    *,
    layout: bool = True,
    suggestions: bool = True,
    exact_betweenness: bool | None = None,
    seed: int = 1,
    previous_layout: dict[str, tuple[float, float]] | None = None,
    samples: int = metrics.DEFAULT_SAMPLES,
    suggestions_per_kind: int = 10,
    skill_names: dict[str, str] | None = None,
) -> AnalysisResult:
    """Analyse a network. See types.AnalysisResult and docs/network-analysis.md.

    exact_betweenness: None chooses by size (exact up to about 3,000 people with 15,000 ties,
    estimated from `samples` sampled sources above); True/False force it.
    skill_names: skill/resource slug -> name, for the reasons of suggestions ("first aid" rather
    than the slug); slugs without a name are humanised ("first-aid" -> "first aid").
    """
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    started = time.perf_counter()
    cpu_started = cpu_last = time.thread_time()

    def lap(step: str, since: float) -> float:
        nonlocal cpu_last
        now = time.perf_counter()
        timings[step] = round(now - since, 4)
        cpu_now = time.thread_time()
        cpu_timings[step] = round(cpu_now - cpu_last, 4)
        cpu_last = cpu_now
        return now

    t = time.perf_counter()
    built = build(nodes, ties)
    g = built.g
    n, m = built.n, g.ecount()
    t = lap("build", t)

    exact = metrics.exact_by_default(n, m) if exact_betweenness is None else bool(exact_betweenness)
    degree = g.degree()
    weighted = g.strength(weights="weight") if m else [0] * n
    pagerank = metrics.pagerank(g)
    eigen = metrics.eigenvector(g)
    coreness = g.coreness() if n else []
    component, component_sizes = metrics.components(g) if n else ([], [])
    closeness, closeness_method = metrics.closeness(g, exact=exact, k=max(1, samples // 2), seed=seed)
    t = lap("metrics", t)

    between, method = metrics.betweenness(g, exact=exact, k=samples, seed=seed)
    t = lap("betweenness", t)

    community, modularity = communities_mod.detect(g, seed=seed)
    t = lap("communities", t)

    constraint = metrics.constraint(g)
    t = lap("constraint", t)

    core_max = max(coreness) if coreness else 0
    periphery = [degree[i] > 0 and (degree[i] == 1 or (core_max >= 2 and coreness[i] == 1)) for i in range(n)]
    brokers = _brokers(degree, between, constraint)
    per_node: dict[str, dict] = {}

    def rounded(values) -> list[float]:
        return np.round(np.asarray(values, dtype=float), 6).tolist() if n else []

    bw, cl, pr, ev = rounded(between), rounded(closeness), rounded(pagerank), rounded(eigen)
    ct = [None if c is None else round(c, 6) for c in constraint]
    for i, key in enumerate(built.keys):
        per_node[key] = {
            "degree": degree[i],
            "weighted_degree": int(weighted[i]),
            "betweenness": bw[i],
            "closeness": cl[i],
            "pagerank": pr[i],
            "eigenvector": ev[i],
            "coreness": coreness[i],
            "constraint": ct[i],
            "community": community[i],
            "component": component[i],
            "is_isolate": degree[i] == 0,
            "is_periphery": periphery[i],
            "is_broker": i in brokers,
        }
    respondent = [node.kind == "respondent" for node in built.nodes]
    reciprocity = metrics.reciprocity(built.named, respondent)
    graph = {
        "nodes": n,
        "ties": m,
        "named_ties": len(built.named),
        "ignored_ties": built.ignored_ties,
        "density": round(2 * m / (n * (n - 1)), 6) if n > 1 else 0.0,
        "components": len(component_sizes),
        "largest_component": component_sizes[0] if component_sizes else 0,
        "component_sizes": component_sizes[:10],
        "modularity": round(modularity, 6),
        "communities": len({c for c in community if c >= 0}),
        "reciprocity": None if reciprocity is None else round(reciprocity, 6),
        "transitivity": round(metrics.transitivity(g), 6) if n else 0.0,
        "isolates": sum(1 for d in degree if d == 0),
        "periphery": sum(periphery),
        "brokers": len(brokers),
        "core_max": core_max,
        "core_size": sum(1 for c in coreness if c == core_max and core_max > 0),
        "betweenness_method": method,
        "closeness_method": closeness_method,
    }

    positions: dict[str, list[float]] = {}
    if layout:
        positions = layout_mod.compute(g, built.keys, community, seed=seed, previous=previous_layout)
        t = lap("layout", t)
    found: list[dict] = []
    if suggestions:
        found = suggestions_mod.suggest(
            built,
            degree=degree,
            between=between,
            coreness=coreness,
            community=community,
            periphery=periphery,
            per_kind=suggestions_per_kind,
            skill_names=skill_names,
        )
        t = lap("suggestions", t)
    timings["total"] = round(time.perf_counter() - started, 4)
    cpu_timings["total"] = round(time.thread_time() - cpu_started, 4)
    return AnalysisResult(
        graph=graph, nodes=per_node, layout=positions, suggestions=found, timings=timings, cpu_timings=cpu_timings
    )


def _brokers(degree: list[int], between: np.ndarray, constraint: list[float | None]) -> set[int]:
    connected = [i for i in range(len(degree)) if degree[i] > 0 and constraint[i] is not None]
    if not connected:
        return set()
    median = float(np.median([constraint[i] for i in connected]))
    top = max(1, math.ceil(BROKER_SHARE * len(connected)))
    ranked = sorted(connected, key=lambda i: -between[i])[:top]
    return {i for i in ranked if between[i] > 0 and constraint[i] < median}


__all__ = ["analyse", "Built"]
