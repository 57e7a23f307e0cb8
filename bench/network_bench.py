#!/usr/bin/env python
"""Network analysis benchmark: the complete analysis (metrics, communities, constraint, layout,
suggestions) with `squaremile.network.analysis.analyse()` (igraph), against networkx doing the
same steps, on generated networks with community structure.

    .venv/bin/python bench/network_bench.py [--sizes 1000,10000] [--skip-networkx-large]
                                            [--repeat 3] [--samples 500] [--seed 1] [--json PATH]

For each size it generates a seeded network (planted communities of uneven sizes, a heavy-tailed
spread of ties per person, about 5 ties per person, some ties named back, a few people with no
ties, skills and needs drawn per community), runs `analyse()` --repeat times and prints the
median time of each step, wall clock and CPU, with PASS/FAIL against the targets of the issue
(1,000 people under 1 s; 10,000 under 10 s). It then runs networkx on the same network, step by
step, prints each time and the ratio networkx / ours, and prints the error of the approximate
betweenness and closeness against exact igraph figures (Spearman rank correlation and the overlap
of the top 20 brokers). Where networkx would take many minutes it is timed on a sample and
extrapolated, and the output says so on that line.

No database is used. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from squaremile.network.analysis import NodeIn, TieIn, analyse  # noqa: I001
from squaremile.network.analysis import metrics as our_metrics

TARGETS = {1000: 1.0, 10000: 10.0}  # seconds for the whole analysis (issue #4)
LARGE = 2000  # --skip-networkx-large skips networkx above this many people
STEPS = ("build", "metrics", "betweenness", "communities", "constraint", "layout", "suggestions")
SKILLS = [f"skill-{i:02d}" for i in range(30)]
RESOURCES = [f"resource-{i:02d}" for i in range(12)]
STREAMS = ("individual", "community", "public", "business")


def target_for(n: int) -> float:
    """The target for a size: the issue's targets, interpolated linearly in n between them."""
    if n <= 1000:
        return 1.0
    if n >= 10000:
        return 10.0 * n / 10000
    return 1.0 + (n - 1000) * 9.0 / 9000


# ---- data ----------------------------------------------------------------------------------
def generate(n: int, *, ties_per_person: float = 5.0, seed: int = 1) -> tuple[list[NodeIn], list[TieIn], dict]:
    """A planted-partition network with a heavy-tailed spread of ties (Chung-Lu inside blocks):
    communities of uneven sizes (~n/250 of them, at least 4), 85% of ties inside a community,
    about `ties_per_person` distinct ties per person, 1% of people with no ties, 30% of ties named
    back (so named ties outnumber distinct ties), skills/resources/needs drawn per community."""
    rng = np.random.default_rng(seed)
    k = max(4, n // 250)
    shares = rng.lognormal(0.0, 0.6, k)
    community = rng.choice(k, size=n, p=shares / shares.sum())
    propensity = rng.pareto(2.2, n) + 1.0
    isolated = rng.random(n) < 0.01
    propensity[isolated] = 0.0
    target = int(n * ties_per_person)
    members = [np.flatnonzero(community == c) for c in range(k)]
    member_p = [propensity[m] / propensity[m].sum() if propensity[m].sum() > 0 else None for m in members]
    overall = propensity / propensity.sum()
    codes = np.zeros(0, dtype=np.int64)
    while len(codes) < target:
        need = (target - len(codes)) * 2
        a = rng.choice(n, size=need, p=overall)
        inside = rng.random(need) < 0.85
        b = rng.choice(n, size=need, p=overall)
        for c in range(k):  # the inside ties: the partner from the same community
            rows = np.flatnonzero(inside & (community[a] == c))
            if len(rows) and member_p[c] is not None:
                b[rows] = rng.choice(members[c], size=len(rows), p=member_p[c])
        ok = a != b
        lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        codes = np.unique(np.concatenate([codes, lo * n + hi]))
    codes = rng.permutation(codes)[:target]
    pairs = np.column_stack([codes // n, codes % n])
    flip = rng.random(len(pairs)) < 0.5
    pairs[flip] = pairs[flip][:, ::-1]
    strength = rng.choice([1, 2, 3], size=len(pairs), p=[0.3, 0.45, 0.25])
    back = rng.random(len(pairs)) < 0.3
    ties = [
        TieIn(f"p{a}", f"p{b}", strength=int(s)) for (a, b), s in zip(pairs.tolist(), strength.tolist(), strict=True)
    ]
    ties += [
        TieIn(f"p{b}", f"p{a}", strength=int(s))
        for (a, b), s in zip(pairs[back].tolist(), strength[back].tolist(), strict=True)
    ]
    # per community, a few typical skills and needs, so that clusters complement each other
    typical = [rng.choice(len(SKILLS), size=6, replace=False) for _ in range(k)]
    wants = [rng.choice(len(SKILLS), size=3, replace=False) for _ in range(k)]
    kinds = rng.choice(["respondent", "named", "organisation"], size=n, p=[0.8, 0.15, 0.05])
    nodes = []
    for i in range(n):
        c = community[i]
        picks = rng.choice(typical[c], size=rng.integers(0, 4), replace=False)
        skills = {SKILLS[j]: ("strong" if rng.random() < 0.4 else "some") for j in picks}
        resources = {RESOURCES[j]: "some" for j in rng.choice(len(RESOURCES), size=rng.integers(0, 2), replace=False)}
        needs = tuple(SKILLS[j] for j in rng.choice(wants[c], size=rng.integers(0, 2), replace=False))
        nodes.append(
            NodeIn(
                key=f"p{i}",
                label=f"Person {i}",
                kind=str(kinds[i]),
                stream=STREAMS[i % 4],
                skills=skills,
                resources=resources,
                needs=needs,
                willingness=int(rng.integers(0, 5)),
            )
        )
    info = {"planted_communities": k, "isolated": int(isolated.sum()), "named_ties": len(ties)}
    return nodes, ties, info


# ---- ours ----------------------------------------------------------------------------------
def run_ours(nodes, ties, *, repeat: int, samples: int, seed: int):
    runs, cpus, results = [], [], []
    for _ in range(repeat):
        cpu = time.process_time()
        result = analyse(nodes, ties, samples=samples, seed=seed)
        cpus.append(time.process_time() - cpu)
        runs.append(result.timings)
        results.append(result)
    median = {step: statistics.median(r.get(step, 0.0) for r in runs) for step in (*STEPS, "total")}
    median_cpu = {step: statistics.median(r.cpu_timings.get(step, 0.0) for r in results) for step in STEPS}
    return results[0], median, statistics.median(cpus), [r["total"] for r in runs], median_cpu


# ---- networkx ------------------------------------------------------------------------------
def run_networkx(nodes, ties, ours_result, *, samples: int, seed: int, say) -> dict[str, tuple[float, str]]:
    """Each step with networkx; step -> (seconds, note). Same inputs, same choices as ours."""
    out: dict[str, tuple[float, str]] = {}
    n = len(nodes)

    t = time.perf_counter()
    G = nx.Graph()
    G.add_nodes_from(node.key for node in nodes)
    for tie in ties:
        w = G.edges[tie.source, tie.target]["weight"] if G.has_edge(tie.source, tie.target) else 0
        G.add_edge(tie.source, tie.target, weight=max(w, tie.strength))
    out["build"] = (time.perf_counter() - t, "")

    exact = our_metrics.exact_by_default(n, G.number_of_edges())
    parts = []
    t = time.perf_counter()
    dict(G.degree())
    dict(G.degree(weight="weight"))
    list(nx.connected_components(G))
    parts.append("degree")
    if exact:
        nx.harmonic_centrality(G)
        parts.append("harmonic closeness (exact)")
    else:
        k = max(1, samples // 2)
        sources = [nodes[i].key for i in our_metrics.sample_sources(n, k, seed + 1)]
        nx.harmonic_centrality(G, sources=sources)
        parts.append(f"harmonic closeness from the same {k} sampled sources")
    nx.pagerank(G, weight="weight")
    # networkx refuses eigenvector centrality on a network in pieces: the largest one
    nx.eigenvector_centrality_numpy(G.subgraph(max(nx.connected_components(G), key=len)), weight="weight")
    nx.core_number(G)
    nx.transitivity(G)
    parts.append("pagerank, eigenvector (largest component), core number, transitivity")
    out["metrics"] = (time.perf_counter() - t, "; ".join(parts))

    t = time.perf_counter()
    if exact:
        nx.betweenness_centrality(G, normalized=True)
        note = "exact"
    else:
        nx.betweenness_centrality(G, k=min(samples, n), normalized=True, seed=seed)
        note = f"networkx's own k-sample approximation, k={min(samples, n)} (exact would take many minutes)"
    out["betweenness"] = (time.perf_counter() - t, note)

    t = time.perf_counter()
    parts_ = nx.community.louvain_communities(G, weight="weight", seed=seed)
    nx.community.modularity(G, parts_, weight="weight")
    out["communities"] = (time.perf_counter() - t, f"Louvain, {len(parts_)} communities")

    connected = [v for v in G if G.degree(v) > 0]
    sample = connected if len(connected) <= 1000 else connected[:: max(1, len(connected) // 300)][:300]
    t = time.perf_counter()
    nx.constraint(G, nodes=sample, weight="weight")
    took = time.perf_counter() - t
    if len(sample) < len(connected):
        out["constraint"] = (
            took * len(connected) / len(sample),
            f"timed on {len(sample)} of {len(connected)} people and extrapolated ({took:.2f} s measured)",
        )
    else:
        out["constraint"] = (took, "")

    full_iterations = 50
    iterations = full_iterations if n <= 2000 else 5
    t = time.perf_counter()
    nx.spring_layout(G, iterations=iterations, seed=seed)
    took = time.perf_counter() - t
    if iterations < full_iterations:
        out["layout"] = (
            took * full_iterations / iterations,
            f"spring_layout timed with {iterations} iterations, extrapolated to {full_iterations} "
            f"({took:.2f} s measured)",
        )
    else:
        out["layout"] = (took, f"spring_layout, {full_iterations} iterations")
    out["suggestions"] = (float("nan"), "no networkx counterpart")
    return out


# ---- approximation error -------------------------------------------------------------------
def approximation(nodes, ties, result, *, samples: int, seed: int, say) -> dict:
    """Approximate betweenness/closeness against exact igraph figures. When the size ran exact,
    a forced approximate run with the same sample count is measured instead."""
    forced = result.graph["betweenness_method"] == "exact"
    approx = result
    if forced:  # sample fewer sources than there are people, or the "approximation" is exact
        k = min(samples, max(2, len(nodes) // 4))
        approx = analyse(nodes, ties, layout=False, suggestions=False, exact_betweenness=False, samples=k, seed=seed)
    keys = list(result.nodes)
    from squaremile.network.analysis.graph import build

    g: ig.Graph = build(nodes, ties).g
    n = g.vcount()
    t = time.perf_counter()
    exact_b = np.asarray(g.betweenness(directed=False)) / ((n - 1) * (n - 2) / 2)
    exact_b_s = time.perf_counter() - t
    t = time.perf_counter()
    exact_c = np.asarray(g.harmonic_centrality(normalized=True))
    exact_c_s = time.perf_counter() - t
    est_b = np.array([approx.nodes[k]["betweenness"] for k in keys])
    est_c = np.array([approx.nodes[k]["closeness"] for k in keys])
    top_exact = set(np.argsort(-exact_b, kind="stable")[:20].tolist())
    top_est = set(np.argsort(-est_b, kind="stable")[:20].tolist())
    connected = np.asarray(g.degree()) > 0
    return {
        "forced": forced,
        "method": approx.graph["betweenness_method"],
        "closeness_method": approx.graph["closeness_method"],
        "betweenness_spearman": float(spearmanr(exact_b[connected], est_b[connected]).statistic),
        "top20_overlap": len(top_exact & top_est),
        "closeness_spearman": float(spearmanr(exact_c[connected], est_c[connected]).statistic),
        "closeness_max_relative_error": float(
            np.max(np.abs(est_c[connected] - exact_c[connected]) / np.maximum(exact_c[connected], 1e-12))
        ),
        "exact_betweenness_s": exact_b_s,
        "exact_closeness_s": exact_c_s,
    }


# ---- main ----------------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="people per network, comma separated (default 1000,10000)")
    p.add_argument("--ties-per-person", type=float, default=5.0, help="distinct ties per person (default 5)")
    p.add_argument("--repeat", type=int, default=3, help="runs of our analysis per size; the median is printed")
    p.add_argument("--samples", type=int, default=our_metrics.DEFAULT_SAMPLES, help="sampled sources (default 500)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip-networkx", action="store_true", help="do not run networkx at all")
    p.add_argument("--skip-networkx-large", action="store_true", help="skip networkx above --large people")
    p.add_argument("--large", type=int, default=LARGE, help=f"what --skip-networkx-large means (default {LARGE})")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--json", help="also write the figures to this JSON file")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(
        f"network bench: python {platform.python_version()}, igraph {ig.__version__}, networkx {nx.__version__}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    analyse([NodeIn("a", "A"), NodeIn("b", "B")], [TieIn("a", "b")])  # warm up imports
    report = {"sizes": {}}
    missed = False
    for n in sizes:
        tag = f"[network {n}]"

        def say(line: str, tag=tag) -> None:
            print(f"{tag} {line}", flush=True)

        t = time.perf_counter()
        nodes, ties, info = generate(n, ties_per_person=args.ties_per_person, seed=args.seed)
        result, median, cpu, totals, step_cpu = run_ours(
            nodes, ties, repeat=args.repeat, samples=args.samples, seed=args.seed
        )
        g = result.graph
        say(
            f"network: {g['nodes']} people, {g['ties']} ties ({g['named_ties']} named), "
            f"{info['planted_communities']} planted communities, {g['isolates']} isolates; "
            f"generated in {time.perf_counter() - t - sum(totals):.2f} s"
        )
        say(
            f"found: {g['communities']} communities (modularity {g['modularity']:.3f}), {g['components']} components, "
            f"main core k={g['core_max']} ({g['core_size']} people), {g['brokers']} brokers, {g['periphery']} on the "
            f"periphery, {len(result.suggestions)} suggestions; betweenness {g['betweenness_method']}"
        )
        for step in STEPS:
            say(f"ours  {step:<12} {median[step]:8.3f} s  (cpu {step_cpu[step]:.3f} s)")
        target = target_for(n)
        verdict = "PASS" if median["total"] < target else "FAIL"
        cpu_verdict = "PASS" if cpu < target else "FAIL"
        missed |= verdict == "FAIL"
        say(
            f"ours  total        {median['total']:8.3f} s  (median of {len(totals)}: "
            f"{', '.join(f'{x:.2f}' for x in totals)}; cpu {cpu:.2f} s)  target < {target:g} s  "
            f"cpu {cpu_verdict}  wall {verdict}"
        )
        entry = {
            "info": info,
            "graph": g,
            "ours": median,
            "ours_cpu": cpu,
            "ours_step_cpu": step_cpu,
            "target": target,
            "verdict": verdict,
            "cpu_verdict": cpu_verdict,
        }

        if not args.skip_networkx and not (args.skip_networkx_large and n > args.large):
            theirs = run_networkx(nodes, ties, result, samples=args.samples, seed=args.seed, say=say)
            total_theirs = total_ours = 0.0
            for step in STEPS:
                secs, note = theirs[step]
                if np.isnan(secs):
                    say(f"networkx {step:<12}      n/a    ours {median[step]:7.3f} s  ({note})")
                    continue
                total_theirs += secs
                total_ours += median[step]
                ratio = secs / median[step] if median[step] > 0 else float("inf")
                say(
                    f"networkx {step:<12} {secs:8.3f} s  ours {median[step]:7.3f} s  ratio {ratio:7.1f}x"
                    + (f"  ({note})" if note else "")
                )
            say(
                f"networkx total     {total_theirs:8.3f} s  ours {total_ours:7.3f} s  "
                f"ratio = {total_theirs / total_ours:.1f}x (same steps; suggestions left out of both)"
            )
            entry["networkx"] = {k: v[0] for k, v in theirs.items() if not np.isnan(v[0])}
        else:
            say(
                "networkx skipped (--skip-networkx)"
                if args.skip_networkx
                else "networkx skipped (--skip-networkx-large)"
            )

        err = approximation(nodes, ties, result, samples=args.samples, seed=args.seed, say=say)
        lead = "forced approximate run (this size runs exact)" if err["forced"] else "as run"
        say(
            f"approximation ({lead}): betweenness {err['method']} vs exact igraph: Spearman "
            f"{err['betweenness_spearman']:.3f}, top-20 brokers overlap {err['top20_overlap']}/20; closeness "
            f"{err['closeness_method']}: Spearman {err['closeness_spearman']:.3f}, max relative error "
            f"{err['closeness_max_relative_error']:.1%}; exact igraph would take {err['exact_betweenness_s']:.2f} s "
            f"(betweenness) + {err['exact_closeness_s']:.2f} s (closeness)"
        )
        entry["approximation"] = err
        report["sizes"][str(n)] = entry
    print(f"network bench: load average at the end {os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
