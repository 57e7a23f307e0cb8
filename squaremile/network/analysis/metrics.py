"""Per-person and whole-network figures on the undirected graph built by graph.build().

Conventions (docs/network-analysis.md explains them for organisers):
* degree counts distinct people tied either way; weighted_degree sums tie strengths (1..3).
* betweenness and closeness count steps (every tie is one step, whatever its strength).
* betweenness is normalised like networkx: divided by (n-1)(n-2)/2, the number of pairs of others.
* closeness is harmonic closeness: the mean over all other people of 1/steps (0 when unreachable),
  so it is defined for networks in several pieces; it equals networkx's harmonic_centrality/(n-1).
* pagerank and eigenvector weigh ties by strength; eigenvector is scaled so the highest is 1.
* constraint is Burt's constraint with ties weighted by strength (None for isolates).

On large networks (see `exact_by_default`), betweenness and closeness are estimated from k
sampled source people: the sums over sampled sources are scaled up by n/k (an unbiased estimate).
"""

from __future__ import annotations

import math
import random
import warnings

import igraph as ig
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

# Exact betweenness costs about n * (n + m) steps; beyond this budget it is estimated.
EXACT_BUDGET = 60_000_000
DEFAULT_SAMPLES = 500


def exact_by_default(n: int, m: int) -> bool:
    return n * (n + m) <= EXACT_BUDGET


def sample_sources(n: int, k: int, seed: int) -> list[int]:
    return sorted(random.Random(seed).sample(range(n), min(n, k)))


def betweenness(g: ig.Graph, *, exact: bool, k: int = DEFAULT_SAMPLES, seed: int = 1) -> tuple[np.ndarray, str]:
    n = g.vcount()
    if n < 3 or g.ecount() == 0:
        return np.zeros(n), "exact"
    pairs = (n - 1) * (n - 2) / 2
    if exact or k >= n:
        raw = np.asarray(g.betweenness(directed=False), dtype=float)
        return raw / pairs, "exact"
    sources = sample_sources(n, k, seed)
    raw = np.asarray(g.betweenness(directed=False, sources=sources), dtype=float) * (n / len(sources))
    return np.clip(raw / pairs, 0.0, 1.0), f"approximate ({len(sources)} sources)"


def closeness(g: ig.Graph, *, exact: bool, k: int = DEFAULT_SAMPLES, seed: int = 1) -> tuple[np.ndarray, str]:
    """Harmonic closeness in 0..1: mean of 1/steps to every other person (0 for the unreachable),
    and how it was computed."""
    n = g.vcount()
    if n < 2 or g.ecount() == 0:
        return np.zeros(n), "harmonic"
    if exact or k >= n:
        return np.asarray(g.harmonic_centrality(normalized=True), dtype=float), "harmonic"
    sources = sample_sources(n, k, seed + 1)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    data = np.ones(len(edges) * 2, dtype=np.float32)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adj = csr_matrix((data, (rows, cols)), shape=(n, n))
    dist = shortest_path(adj, method="D", directed=False, unweighted=True, indices=sources)
    with np.errstate(divide="ignore"):
        inv = 1.0 / dist  # inf -> 0, 0 (the source itself) -> inf
    inv[~np.isfinite(inv)] = 0.0
    totals = inv.sum(axis=0)
    counts = np.full(n, float(len(sources)))
    counts[sources] -= 1  # a sampled source does not count itself
    return totals / np.maximum(counts, 1.0), f"harmonic, approximate ({len(sources)} sources)"


def adjacency_matrix(g: ig.Graph, *, weighted: bool = True) -> csr_matrix:
    """Symmetric sparse adjacency (tie strengths as values, or ones)."""
    n = g.vcount()
    if g.ecount() == 0:
        return csr_matrix((n, n))
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    w = np.asarray(g.es["weight"], dtype=float) if weighted else np.ones(len(edges))
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    return csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n))


def pagerank(g: ig.Graph, *, alpha: float = 0.85, tol: float = 1e-12, max_iter: int = 1000) -> np.ndarray:
    """PageRank with ties weighted by strength, by power iteration on a sparse matrix (the
    algorithm networkx uses; people with no ties spread their share evenly). Faster than igraph's
    PRPACK on weighted networks in many pieces."""
    n = g.vcount()
    if n == 0:
        return np.zeros(0)
    a = adjacency_matrix(g)
    out = np.asarray(a.sum(axis=1)).ravel()
    dangling = out == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))
    pt = (a.multiply(inv[:, None])).T.tocsr()  # column-stochastic transpose: x -> x P
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (pt @ x) + (alpha * x[dangling].sum() + 1.0 - alpha) / n
        if np.abs(x - last).sum() < n * tol:
            break
    return x / x.sum()


def eigenvector(g: ig.Graph) -> np.ndarray:
    n = g.vcount()
    if n == 0 or g.ecount() == 0:
        return np.zeros(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "not connected": expected, handled by the scaling
        values = np.asarray(g.eigenvector_centrality(weights="weight"), dtype=float)
    values[values < 1e-12] = 0.0
    top = values.max()
    return values / top if top > 0 else values


def constraint(g: ig.Graph) -> list[float | None]:
    if g.vcount() == 0:
        return []
    weights = "weight" if g.ecount() else None
    values = g.constraint(weights=weights)
    degree = g.degree()
    return [None if d == 0 or math.isnan(v) else float(v) for v, d in zip(values, degree, strict=True)]


def components(g: ig.Graph) -> tuple[list[int], list[int]]:
    """Membership (largest component = 0; ties by lowest node index) and sizes, largest first."""
    return renumber_by_size(g.connected_components().membership)


def renumber_by_size(raw: list[int]) -> tuple[list[int], list[int]]:
    """Renumber groups: the largest 0, then by size, ties by the lowest member index. Linear time."""
    if not raw:
        return [], []
    labels = np.asarray(raw)
    sizes = np.bincount(labels)
    first = np.full(len(sizes), len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    present = np.flatnonzero(sizes)
    order = present[np.lexsort((first[present], -sizes[present]))]
    new = np.empty(len(sizes), dtype=np.int64)
    new[order] = np.arange(len(order))
    return new[labels].tolist(), sizes[order].tolist()


def transitivity(g: ig.Graph) -> float:
    value = g.transitivity_undirected()
    return 0.0 if value is None or math.isnan(value) else float(value)


def reciprocity(named: dict[tuple[int, int], int], respondent: list[bool]) -> float | None:
    """Share of ties named by one respondent to another respondent that were named back.
    None when there is no such tie (nothing to measure)."""
    between = [(a, b) for (a, b) in named if respondent[a] and respondent[b]]
    if not between:
        return None
    back = sum(1 for a, b in between if (b, a) in named)
    return back / len(between)
