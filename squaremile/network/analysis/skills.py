"""Skills and resources view: what the network holds, who holds it, what is missing."""

from __future__ import annotations

from .types import NodeIn

WILLING = 3  # willingness 0..4: 3 and 4 count as willing to share


def skills_summary(nodes: list[NodeIn], taxonomy_slugs: list[str]) -> dict:
    """For every skill/resource slug of the taxonomy (and any other slug people used):
    strong/some counts, who (keys, strong first), willing (how many of them are willing to share,
    willingness >= 3), needed_by (keys). `missing`: taxonomy slugs nobody has ("nobody in the
    network can do X"); `unmet_needs`: slugs someone needs that nobody has."""
    items: dict[str, dict] = {}

    def item(slug: str) -> dict:
        return items.setdefault(slug, {"strong": 0, "some": 0, "who": [], "willing": 0, "needed_by": []})

    for slug in taxonomy_slugs:
        item(slug)
    seen: set[str] = set()
    for node in nodes:
        if node.key in seen:
            continue
        seen.add(node.key)
        for slug, level in node.offers().items():
            entry = item(slug)
            entry["strong" if level == "strong" else "some"] += 1
            entry["who"].append((level != "strong", node.key))
            if node.willingness is not None and node.willingness >= WILLING:
                entry["willing"] += 1
        for slug in dict.fromkeys(node.needs or ()):
            item(slug)["needed_by"].append(node.key)
    for entry in items.values():
        entry["who"] = [key for _, key in sorted(entry["who"])]
    held = {slug for slug, e in items.items() if e["who"]}
    return {
        "items": items,
        "missing": [slug for slug in dict.fromkeys(taxonomy_slugs) if slug not in held],
        "unmet_needs": sorted(slug for slug, e in items.items() if e["needed_by"] and slug not in held),
        "people": len(seen),
    }
