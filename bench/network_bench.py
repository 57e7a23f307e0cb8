#!/usr/bin/env python
"""Network analysis benchmark: the complete analysis (metrics, communities, constraint, layout,
suggestions) with `squaremile.network.analysis.analyse()` (igraph), against networkx doing the
same steps, on generated networks with community structure.

    .venv/bin/python bench/network_bench.py [--sizes 1000,10000] [--repeat 20] [--networkx-repeat 20]
                                            [--networkx-budget 900] [--networkx-full-max 3000]
                                            [--skip-networkx-large] [--samples 500] [--seed 1] [--json PATH]

For each size it generates a seeded network (planted communities of uneven sizes, a heavy-tailed
spread of ties per person, about 5 ties per person, some ties named back, a few people with no
ties, skills and needs drawn per community), runs `analyse()` --repeat times and prints the
median time of each step, wall clock and CPU, the median and p95 of the whole run and its CPU
time, with PASS/FAIL against the targets of the issue (1,000 people under 1 s; 10,000 under
10 s). It then runs networkx on the same network, step by step, --networkx-repeat times (fewer
when the runs would go past --networkx-budget seconds; the count is printed), prints each step's
median, wall and CPU, the ratio networkx / ours, and the ratio over the whole runs. Nothing is
extrapolated: networkx's constraint and spring_layout take minutes per run above
--networkx-full-max people, so there they are not run and the ratio covers the steps that ran
(the output says so). It also prints the error of the approximate betweenness and closeness
against exact igraph figures (Spearman rank correlation and the overlap of the top 20 brokers).

No database is used. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import json
import math
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
def pct(values, p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


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
    return results[0], median, cpus, [r["total"] for r in runs], median_cpu, runs


# ---- networkx ------------------------------------------------------------------------------
def timed(fn):
    """(value, wall seconds, CPU seconds of the process)."""
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def run_networkx(nodes, ties, *, samples: int, seed: int, full_max: int) -> dict[str, tuple | None]:
    """One run of each step with networkx, on the same network with the same choices as ours:
    step -> (wall s, cpu s, note), or None when the step is not run at this size (constraint and
    layout above `full_max` people: networkx would take many minutes; nothing is extrapolated)."""
    out: dict[str, tuple | None] = {}
    n = len(nodes)

    def build():
        G = nx.Graph()
        G.add_nodes_from(node.key for node in nodes)
        for tie in ties:
            w = G.edges[tie.source, tie.target]["weight"] if G.has_edge(tie.source, tie.target) else 0
            G.add_edge(tie.source, tie.target, weight=max(w, tie.strength))
        return G

    G, wall, cpu = timed(build)
    out["build"] = (wall, cpu, "")

    exact = our_metrics.exact_by_default(n, G.number_of_edges())
    k = max(1, samples // 2)

    def metrics():
        dict(G.degree())
        dict(G.degree(weight="weight"))
        list(nx.connected_components(G))
        if exact:
            nx.harmonic_centrality(G)
        else:
            nx.harmonic_centrality(G, sources=[nodes[i].key for i in our_metrics.sample_sources(n, k, seed + 1)])
        nx.pagerank(G, weight="weight")
        # networkx refuses eigenvector centrality on a network in pieces: the largest one
        nx.eigenvector_centrality_numpy(G.subgraph(max(nx.connected_components(G), key=len)), weight="weight")
        nx.core_number(G)
        nx.transitivity(G)

    _, wall, cpu = timed(metrics)
    closeness = "harmonic closeness (exact)" if exact else f"harmonic closeness from the same {k} sampled sources"
    out["metrics"] = (wall, cpu, f"degree, {closeness}, pagerank, eigenvector (largest component), core, transitivity")

    if exact:
        _, wall, cpu = timed(lambda: nx.betweenness_centrality(G, normalized=True))
        out["betweenness"] = (wall, cpu, "exact")
    else:
        kb = min(samples, n)
        _, wall, cpu = timed(lambda: nx.betweenness_centrality(G, k=kb, normalized=True, seed=seed))
        out["betweenness"] = (wall, cpu, f"networkx's own k-sample approximation, k={kb}, as ours")

    def communities():
        parts = nx.community.louvain_communities(G, weight="weight", seed=seed)
        nx.community.modularity(G, parts, weight="weight")
        return parts

    parts, wall, cpu = timed(communities)
    out["communities"] = (wall, cpu, f"Louvain, {len(parts)} communities")

    if n > full_max:
        out["constraint"] = out["layout"] = None
    else:
        _, wall, cpu = timed(lambda: nx.constraint(G, nodes=[v for v in G if G.degree(v) > 0], weight="weight"))
        out["constraint"] = (wall, cpu, "every connected person")
        _, wall, cpu = timed(lambda: nx.spring_layout(G, iterations=50, seed=seed))
        out["layout"] = (wall, cpu, "spring_layout, 50 iterations")
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


def compare_networkx(nodes, ties, median, step_cpu, runs, *, args, say) -> dict:
    """networkx on the same network, --networkx-repeat runs of every step (fewer when a run would go
    past --networkx-budget seconds, but at least 3); each step's median against ours, and the
    ratio over the steps networkx ran, whole runs against whole runs of ours."""
    n = len(nodes)
    nx_runs: list[dict] = []
    started = time.perf_counter()
    while len(nx_runs) < args.networkx_repeat:
        nx_runs.append(run_networkx(nodes, ties, samples=args.samples, seed=args.seed, full_max=args.networkx_full_max))
        spent = time.perf_counter() - started
        if len(nx_runs) >= 3 and spent / len(nx_runs) * (len(nx_runs) + 1) > args.networkx_budget:
            break
    measured = [step for step in STEPS if nx_runs[0].get(step) is not None]
    out: dict = {"runs": len(nx_runs), "steps": {}, "measured_steps": measured}
    for step in STEPS:
        first = nx_runs[0].get(step)
        if step == "suggestions":
            say(f"networkx {step:<12}      n/a    ours {median[step]:7.3f} s  (no networkx counterpart; left out)")
            continue
        if first is None:
            say(
                f"networkx {step:<12}  not run at {n:,} people (over --networkx-full-max {args.networkx_full_max:,}: "
                f"minutes per run); measured at the smaller sizes; left out of this size's ratio"
            )
            continue
        wall = statistics.median(r[step][0] for r in nx_runs)
        cpu = statistics.median(r[step][1] for r in nx_runs)
        ratio = wall / median[step] if median[step] > 0 else float("inf")
        cpu_ratio = cpu / step_cpu[step] if step_cpu[step] > 0 else float("inf")
        out["steps"][step] = {"wall_s": wall, "cpu_s": cpu, "ratio": ratio, "cpu_ratio": cpu_ratio, "note": first[2]}
        say(
            f"networkx {step:<12} {wall:8.3f} s  ours {median[step]:7.3f} s  ratio {ratio:7.1f}x  "
            f"(cpu {cpu:.3f} s vs {step_cpu[step]:.3f} s: {cpu_ratio:.1f}x; n={len(nx_runs)})"
            + (f"  {first[2]}" if first[2] else "")
        )
    theirs = [sum(r[step][0] for step in measured) for r in nx_runs]
    theirs_cpu = [sum(r[step][1] for step in measured) for r in nx_runs]
    ours = [sum(r[step] for step in measured) for r in runs]
    t_med, o_med = statistics.median(theirs), statistics.median(ours)
    ours_cpu = sum(step_cpu[step] for step in measured)
    out.update(
        total_s=t_med, total_p95_s=pct(theirs, 95), cpu_s=statistics.median(theirs_cpu),
        cpu_p95_s=pct(theirs_cpu, 95), ours_same_steps_s=o_med, ours_same_steps_p95_s=pct(ours, 95),
        ours_same_steps_cpu_s=ours_cpu, ratio=t_med / o_med, ratio_p95=pct(theirs, 95) / pct(ours, 95),
        cpu_ratio=statistics.median(theirs_cpu) / ours_cpu if ours_cpu > 0 else float("inf"),
    )  # fmt: skip
    say(
        f"networkx total     n={len(nx_runs)} runs  median {t_med:.3f} s  p95 {out['total_p95_s']:.3f} s  "
        f"cpu/run median {out['cpu_s']:.3f} s p95 {out['cpu_p95_s']:.3f} s"
    )
    say(
        f"ours, same steps   n={len(ours)} runs  median {o_med:.3f} s  p95 {out['ours_same_steps_p95_s']:.3f} s  "
        f"cpu/run median {ours_cpu:.3f} s"
    )
    say(
        f"networkx ratio = {out['ratio']:.1f}x (median / median; p95 {out['ratio_p95']:.1f}x; "
        f"cpu {out['cpu_ratio']:.1f}x) over the measured steps: {', '.join(measured)}"
    )
    return out


# ---- main ----------------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="people per network, comma separated (default 1000,10000)")
    p.add_argument("--ties-per-person", type=float, default=5.0, help="distinct ties per person (default 5)")
    p.add_argument("--repeat", type=int, default=20, help="runs of our analysis per size (default 20)")
    p.add_argument("--samples", type=int, default=our_metrics.DEFAULT_SAMPLES, help="sampled sources (default 500)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip-networkx", action="store_true", help="do not run networkx at all")
    p.add_argument("--skip-networkx-large", action="store_true", help="skip networkx above --large people")
    p.add_argument("--large", type=int, default=LARGE, help=f"what --skip-networkx-large means (default {LARGE})")
    p.add_argument("--networkx-repeat", type=int, default=20, help="runs of networkx per size (default 20)")
    p.add_argument(
        "--networkx-budget", type=float, default=900,
        help="seconds of networkx per size: stop before a run would go past it, after at least 3 (default 900)",
    )  # fmt: skip
    p.add_argument(
        "--networkx-full-max", type=int, default=3000,
        help="run networkx's constraint and spring_layout only up to this many people (default 3000)",
    )  # fmt: skip
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
        result, median, cpus, totals, step_cpu, runs = run_ours(
            nodes, ties, repeat=args.repeat, samples=args.samples, seed=args.seed
        )
        cpu = statistics.median(cpus)
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
            f"ours  total        n={len(totals)} runs  median {median['total']:.3f} s  p95 {pct(totals, 95):.3f} s  "
            f"cpu/run median {cpu:.3f} s p95 {pct(cpus, 95):.3f} s  target < {target:g} s  "
            f"cpu {cpu_verdict}  wall {verdict}"
        )
        entry = {
            "info": info,
            "graph": g,
            "ours": median,
            "ours_runs": len(totals),
            "ours_p95": pct(totals, 95),
            "ours_cpu": cpu,
            "ours_cpu_p95": pct(cpus, 95),
            "ours_step_cpu": step_cpu,
            "target": target,
            "verdict": verdict,
            "cpu_verdict": cpu_verdict,
        }

        if not args.skip_networkx and not (args.skip_networkx_large and n > args.large):
            entry["networkx"] = compare_networkx(nodes, ties, median, step_cpu, runs, args=args, say=say)
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
