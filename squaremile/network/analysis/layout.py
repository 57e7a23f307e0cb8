"""Map layout: positions in [-1, 1] for every node, computed once and stored by the caller.

* People with ties, fresh layout: the communities are laid out first as one node each
  (Fruchterman-Reingold weighted by the ties between them) and pushed apart so that discs sized by
  their head count do not overlap; then each community is laid out on its own inside its disc
  (Fruchterman-Reingold; groups of up to SMALL_GROUP people as a polygon). Clusters stay visibly
  apart and the work is many small force layouts instead of one big one. With more than
  SPIRAL_ABOVE communities (a network in very many small pieces) they go on a spiral by size.
* With `previous` (the stored layout of the last run), known people start at their old places and
  may only move within a small box around them (SETTLE); newcomers start beside the people they
  are tied to and settle with a short force layout, so a recompute moves the map little.
* People with no ties are placed evenly on rings around the edge, in key order, never on top of
  each other or of the connected people.
"""

from __future__ import annotations

import math
import random

import igraph as ig
import numpy as np

from .communities import seeded

INNER_RADIUS = 0.86  # the connected people fit in this disc when there are isolates to ring
RING_MIN, RING_MAX = 0.92, 1.0
SPIRAL_ABOVE = 400  # more communities than this: placed on a spiral by size, no force layout
SMALL_GROUP = 4  # groups this small are drawn as a polygon
SETTLE = 0.03  # with a previous layout, how far (share of the map's radius) a known person may move


def compute(
    g: ig.Graph,
    keys: list[str],
    membership: list[int],
    *,
    seed: int = 1,
    previous: dict[str, tuple[float, float]] | None = None,
) -> dict[str, list[float]]:
    n = g.vcount()
    if n == 0:
        return {}
    degree = g.degree()
    connected = [i for i in range(n) if degree[i] > 0]
    isolates = [i for i in range(n) if degree[i] == 0]
    pos = np.zeros((n, 2))
    if connected:
        sub = g.induced_subgraph(connected)
        sub_members = [membership[i] for i in connected]
        prev = None
        if previous:
            prev = _previous_positions(sub, [keys[i] for i in connected], previous, seed)
        coords = _connected_layout(sub, sub_members, seed=seed, start=prev)
        coords = coords - (coords.max(axis=0) + coords.min(axis=0)) / 2
        if isolates:
            radius = np.sqrt((coords**2).sum(axis=1)).max()
            coords = coords * (INNER_RADIUS / radius) if radius > 0 else coords
        else:
            extent = np.abs(coords).max()
            coords = coords / extent if extent > 0 else coords
        pos[connected] = coords
    if isolates:
        ring_order = sorted(isolates, key=lambda i: keys[i])
        pos[ring_order] = _rings(len(ring_order), inner=RING_MIN if connected else 0.6)
    pos = np.clip(pos, -1.0, 1.0)
    return {keys[i]: [round(float(pos[i, 0]), 5), round(float(pos[i, 1]), 5)] for i in range(n)}


def _connected_layout(sub: ig.Graph, members: list[int], *, seed: int, start: tuple | None) -> np.ndarray:
    n = sub.vcount()
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[-1.0, 0.0], [1.0, 0.0]])
    weights = [0.5 + w / 3 for w in sub.es["weight"]]  # strong ties pull a little harder
    grid = n > 300
    if start is not None:
        # Known people may only shift a little (a box of +-SETTLE around their old place, in units
        # of the map's radius); newcomers are free and settle beside the people they named.
        pos, known = start
        box = SETTLE * math.sqrt(n)
        far = 100.0 * math.sqrt(n)
        lo = np.where(known[:, None], pos - box, -far)
        hi = np.where(known[:, None], pos + box, far)
        with seeded(seed):
            layout = sub.layout_fruchterman_reingold(
                weights=weights,
                niter=80,
                seed=pos.tolist(),
                start_temp=max(1.0, math.sqrt(n) / 20),
                grid=grid,
                minx=lo[:, 0].tolist(),
                maxx=hi[:, 0].tolist(),
                miny=lo[:, 1].tolist(),
                maxy=hi[:, 1].tolist(),
            )
        return np.asarray(layout.coords, dtype=float)
    return _community_layout(sub, members, weights, seed=seed)


def _community_layout(sub: ig.Graph, members: list[int], weights: list[float], *, seed: int) -> np.ndarray:
    """Lay out the communities as one node each (weighted by the ties between them), then each
    community on its own, in a disc sized by its head count at its place; finally push apart
    discs that overlap. Clusters stay visibly apart, and each force layout is small and fast."""
    n = sub.vcount()
    ids = sorted(set(members))
    local = {c: i for i, c in enumerate(ids)}
    groups: list[list[int]] = [[] for _ in ids]
    for v, c in enumerate(members):
        groups[local[c]].append(v)
    sizes = np.array([len(m) for m in groups], dtype=float)
    radii = np.sqrt(sizes) * 0.7 + 0.5
    between: dict[tuple[int, int], int] = {}
    for a, b in sub.get_edgelist():
        ca, cb = local[members[a]], local[members[b]]
        if ca != cb:
            pair = (ca, cb) if ca < cb else (cb, ca)
            between[pair] = between.get(pair, 0) + 1
    if len(ids) == 1:
        centres = np.zeros((1, 2))
    elif len(ids) > SPIRAL_ABOVE:  # very many groups (mostly small pieces): a spiral by size
        centres = _separate(np.zeros((len(ids), 2)), radii)
    else:
        cg = ig.Graph(n=len(ids), edges=list(between.keys()))
        cw = [1.0 + math.log(w) for w in between.values()] if between else None
        with seeded(seed):
            centres = np.asarray(cg.layout_fruchterman_reingold(weights=cw, niter=500).coords, dtype=float)
        centres -= centres.mean(axis=0)
        span = np.abs(centres).max() or 1.0
        centres = centres / span * math.sqrt(n) * 0.8
        centres = _separate(centres, radii)
    pos = np.zeros((n, 2))
    sub_weights = np.asarray(weights, dtype=float)
    sub.es["eid"] = list(range(sub.ecount()))
    for c, vertices in enumerate(groups):
        k = len(vertices)
        if k <= SMALL_GROUP:  # a few people: a regular polygon, no force layout needed
            angles = 2 * math.pi * np.arange(k) / k + (c % 7) * 0.4
            ring = np.column_stack([np.cos(angles), np.sin(angles)]) * (radii[c] if k > 1 else 0.0)
            pos[vertices] = centres[c] + ring
            continue
        part = sub.induced_subgraph(vertices)
        with seeded(seed + c):
            if part.ecount():
                # induced_subgraph keeps edge attributes, so the parent's edge ids come along
                pw = sub_weights[part.es["eid"]].tolist()
                coords = part.layout_fruchterman_reingold(weights=pw, niter=300 if k <= 100 else 150, grid=k > 300)
            else:
                coords = part.layout_circle()
        coords = np.asarray(coords.coords, dtype=float)
        coords -= (coords.max(axis=0) + coords.min(axis=0)) / 2
        reach = np.sqrt((coords**2).sum(axis=1)).max() or 1.0
        pos[vertices] = centres[c] + coords / reach * radii[c]
    return pos


def _separate(centres: np.ndarray, radii: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push overlapping discs apart (a few rounds of pairwise pushes, vectorised)."""
    pos = centres.copy()
    if len(pos) > SPIRAL_ABOVE:  # very many tiny groups: a spiral, largest in the middle, is tidy enough
        out = np.zeros_like(pos)
        r, angle = 0.0, 0.0
        for i in np.argsort(-radii, kind="stable"):
            r += radii[i] * 0.35
            angle += (2 * radii[i] + 0.5) / max(r, 1.0)
            out[i] = (r * math.cos(angle), r * math.sin(angle))
        return out
    gap = 1.0
    eye = np.eye(len(pos))
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2)) + eye
        overlap = np.clip(radii[:, None] + radii[None, :] + gap - dist, 0, None)
        np.fill_diagonal(overlap, 0)
        if overlap.max() < 1e-3:
            break
        pos += ((delta / dist[:, :, None]) * (overlap / 2)[:, :, None]).sum(axis=1) * 0.5
    return pos


def _previous_positions(
    sub: ig.Graph, keys: list[str], previous: dict, seed: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Old places (scaled to the force layout's own units); newcomers beside their known neighbours."""
    n = sub.vcount()
    scale = math.sqrt(n)
    pos = np.full((n, 2), np.nan)
    for i, key in enumerate(keys):
        xy = previous.get(key)
        if xy is not None and len(xy) == 2 and all(isinstance(v, int | float) and math.isfinite(v) for v in xy):
            pos[i] = (float(xy[0]) * scale, float(xy[1]) * scale)
    known = ~np.isnan(pos[:, 0])
    if known.sum() < max(2, n // 2):  # mostly new: a fresh layout is better
        return None
    rng = random.Random(seed)
    missing = [i for i in range(n) if not known[i]]
    for _ in range(3):  # newcomers tied to newcomers get placed on a later pass
        still = []
        for i in missing:
            near = [pos[j] for j in sub.neighbors(i) if not np.isnan(pos[j, 0])]
            if near:
                pos[i] = np.mean(near, axis=0) + (rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5))
            else:
                still.append(i)
        missing = still
    for i in missing:
        pos[i] = (rng.uniform(-scale, scale), rng.uniform(-scale, scale))
    return pos, known


def _rings(count: int, *, inner: float) -> np.ndarray:
    """`count` points evenly spread on concentric rings between `inner` and RING_MAX."""
    rings = max(1, min(4, math.ceil(count / 120)))
    radii = np.linspace(inner, RING_MAX, rings) if rings > 1 else np.array([(inner + RING_MAX) / 2])
    # share the points in proportion to each ring's circumference
    shares = radii / radii.sum() * count
    per = np.floor(shares).astype(int)
    per[-1] += count - per.sum()
    out = []
    for ring, (radius, k) in enumerate(zip(radii, per, strict=True)):
        offset = (ring % 2) * math.pi / max(k, 1)
        for j in range(k):
            a = offset + 2 * math.pi * j / k - math.pi / 2
            out.append((radius * math.cos(a), radius * math.sin(a)))
    return np.asarray(out, dtype=float).reshape(count, 2)
