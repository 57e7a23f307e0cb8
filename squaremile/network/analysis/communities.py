"""Communities (clusters): Louvain to start, refined by Leiden, both maximising modularity.

Numbering is stable and readable: the largest community is 0, then by size (ties: the one holding
the earliest node comes first). People with no ties at all belong to no community: -1.
"""

from __future__ import annotations

import math
import random
from contextlib import contextmanager

import igraph as ig
import numpy as np

from .metrics import renumber_by_size


@contextmanager
def seeded(seed: int):
    """igraph draws from Python's `random` module; give it a private seeded generator for the
    duration, so results repeat and the process-wide generator is left alone."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def detect(g: ig.Graph, *, seed: int = 1) -> tuple[list[int], float]:
    """(membership with -1 for isolates, modularity of the partition)."""
    n = g.vcount()
    if n == 0:
        return [], 0.0
    if g.ecount() == 0:
        return [-1] * n, 0.0
    with seeded(seed):
        first = g.community_multilevel(weights="weight")
        refined = g.community_leiden(
            objective_function="modularity", weights="weight", initial_membership=first.membership, n_iterations=2
        )
    raw = refined.membership
    q = modularity(g, raw)
    degree = np.asarray(g.degree())
    membership = np.asarray(renumber_by_size(raw)[0])
    membership[degree == 0] = -1  # people with no ties belong to no community
    if (degree == 0).any():  # close the gaps the isolates left, keeping the order
        kept = np.unique(membership[membership >= 0])
        remap = np.full(membership.max() + 1 if len(kept) else 1, -1)
        remap[kept] = np.arange(len(kept))
        membership = np.where(membership >= 0, remap[np.maximum(membership, 0)], -1)
    membership = membership.tolist()
    return membership, q


def modularity(g: ig.Graph, membership: list[int]) -> float:
    """Weighted modularity (resolution 1) of a partition; isolates do not change it."""
    if g.ecount() == 0:
        return 0.0
    # igraph wants non-negative community ids
    fixed = [c if c >= 0 else -1 for c in membership]
    if min(fixed) < 0:
        top = max(fixed) + 1
        fixed = [c if c >= 0 else top + i for i, c in enumerate(fixed)]
    value = g.modularity(fixed, weights="weight")
    return 0.0 if math.isnan(value) else float(value)
