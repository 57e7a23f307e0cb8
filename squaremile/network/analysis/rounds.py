"""Change between two rounds of a survey: who came, who went, which ties are new or gone, and how
the core, density and components changed. People are matched by NodeIn.key, so the caller must give
the same person the same key in both rounds."""

from __future__ import annotations

from .graph import build
from .types import NodeIn, TieIn


def _summary(nodes: list[NodeIn], ties: list[TieIn]) -> dict:
    built = build(nodes, ties)
    g = built.g
    n, m = built.n, g.ecount()
    coreness = g.coreness() if n else []
    core_max = max(coreness) if coreness else 0
    core = sorted(built.keys[i] for i, c in enumerate(coreness) if core_max > 0 and c == core_max)
    pairs = set()
    for a, b in g.get_edgelist():
        ka, kb = built.keys[a], built.keys[b]
        pairs.add((ka, kb) if ka < kb else (kb, ka))
    return {
        "people": set(built.keys),
        "pairs": pairs,
        "nodes": n,
        "ties": m,
        "density": round(2 * m / (n * (n - 1)), 6) if n > 1 else 0.0,
        "components": len(g.connected_components()) if n else 0,
        "isolates": sum(1 for d in g.degree() if d == 0),
        "core_max": core_max,
        "core": core,
        "coreness": dict(zip(built.keys, coreness, strict=True)),
    }


def compare_rounds(before: tuple[list[NodeIn], list[TieIn]], after: tuple[list[NodeIn], list[TieIn]]) -> dict:
    b, a = _summary(*before), _summary(*after)
    new_ties = sorted(a["pairs"] - b["pairs"])
    gone_ties = sorted(b["pairs"] - a["pairs"])
    return {
        "new_people": sorted(a["people"] - b["people"]),
        "people_gone": sorted(b["people"] - a["people"]),
        "people_kept": len(a["people"] & b["people"]),
        "new_ties": [list(p) for p in new_ties],
        "ties_gone": [list(p) for p in gone_ties],
        "ties_kept": len(a["pairs"] & b["pairs"]),
        "nodes_before": b["nodes"],
        "nodes_after": a["nodes"],
        "ties_before": b["ties"],
        "ties_after": a["ties"],
        "density_before": b["density"],
        "density_after": a["density"],
        "components_before": b["components"],
        "components_after": a["components"],
        "isolates_before": b["isolates"],
        "isolates_after": a["isolates"],
        "core_max_before": b["core_max"],
        "core_max_after": a["core_max"],
        "core_size_before": len(b["core"]),
        "core_size_after": len(a["core"]),
        "core_before": b["core"],
        "core_after": a["core"],
        "joined_core": sorted(set(a["core"]) - set(b["core"])),
        # growth of the core at the same depth: people at least as embedded as the old main core
        "core_at_before_depth_after": sum(1 for c in a["coreness"].values() if b["core_max"] and c >= b["core_max"]),
        "left_core": sorted(set(b["core"]) - set(a["core"])),
    }
