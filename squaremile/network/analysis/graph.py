"""Turn plain NodeIn/TieIn lists into an undirected igraph graph (and keep the named, directed ties).

Ties whose ends are not among the nodes, and ties from a person to themselves, are left out and
counted (`ignored_ties`). Two people who named each other make one undirected tie whose strength is
the stronger of the two answers; strengths are clamped to 1..3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import igraph as ig

from .types import NodeIn, TieIn


def clamp_strength(value) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return 2
    return min(3, max(1, v))


@dataclass
class Built:
    nodes: list[NodeIn]
    keys: list[str]
    index: dict[str, int]
    g: ig.Graph  # undirected, simple, edge attribute "weight" = strength 1..3
    named: dict[tuple[int, int], int]  # (source index, target index) -> strength, as named
    ignored_ties: int = 0
    _adj: list[dict[int, int]] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.keys)

    def adjacency(self) -> list[dict[int, int]]:
        """Per node: neighbour index -> tie strength (built once, on demand)."""
        if self._adj is None:
            adj: list[dict[int, int]] = [{} for _ in range(self.n)]
            for (a, b), w in zip(self.g.get_edgelist(), self.g.es["weight"] if self.g.ecount() else [], strict=True):
                adj[a][b] = w
                adj[b][a] = w
            self._adj = adj
        return self._adj

    def label(self, i: int) -> str:
        return self.nodes[i].label or self.keys[i]


def build(nodes: list[NodeIn], ties: list[TieIn]) -> Built:
    kept: list[NodeIn] = []
    index: dict[str, int] = {}
    for node in nodes:
        if node.key in index:  # a repeated key: the first one wins
            continue
        index[node.key] = len(kept)
        kept.append(node)
    named: dict[tuple[int, int], int] = {}
    ignored = 0
    for tie in ties:
        a = index.get(tie.source)
        b = index.get(tie.target)
        if a is None or b is None or a == b:
            ignored += 1
            continue
        s = clamp_strength(tie.strength)
        if named.get((a, b), 0) < s:
            named[(a, b)] = s
    pairs: dict[tuple[int, int], int] = {}
    for (a, b), s in named.items():
        pair = (a, b) if a < b else (b, a)
        if pairs.get(pair, 0) < s:
            pairs[pair] = s
    g = ig.Graph(n=len(kept), edges=list(pairs.keys()), directed=False)
    g.es["weight"] = list(pairs.values())
    return Built(nodes=kept, keys=[n.key for n in kept], index=index, g=g, named=named, ignored_ties=ignored)
