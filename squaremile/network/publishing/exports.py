"""Files made from a map payload (organiser or published, see published.py): the SVG picture of the
map, and the published variants of the CSV/GEXF/GraphML exports (only what consent allows: they are
built from the published payload, never from the database). The organiser's exports use the analysis
engine's writers (network/analysis/formats.py) on the full data. Every XML file goes through one gate: GEXF and
GraphML through `formats.write_gexf` / `write_graphml`, the SVG's text through `_xml_text`, both built
on `core.text.xml_safe`, so that a stored control character can never make a file malformed."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

import networkx as nx

from squaremile.core.text import xml_safe
from squaremile.network.analysis.formats import write_gexf, write_graphml

STREAM_COLOURS = {"individual": "#6b3fa0", "community": "#1d5c63", "public": "#1f4e99", "business": "#8a4b08"}
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#7f7f00", "#393b79", "#637939", "#843c39"]  # fmt: skip
OTHER = "#9a9a9a"


def node_colour(node: dict, colour: str, order: dict[str, int]) -> str:
    """The colour the map script gives a node: by stream, or by community (the 12 largest)."""
    if colour == "community":
        idx = order.get(str(node.get("community", -1)))
        return PALETTE[idx] if idx is not None and idx < len(PALETTE) else OTHER
    return STREAM_COLOURS.get(node.get("stream") or "", "#6b6b6b")


def community_order(nodes: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in nodes:
        if n.get("community", -1) >= 0:
            counts[str(n["community"])] = counts.get(str(n["community"]), 0) + 1
    return {k: i for i, k in enumerate(sorted(counts, key=lambda k: (-counts[k], k)))}


def _xml_text(value) -> str:
    """Text or an attribute value for the SVG: only characters XML can hold, escaped."""
    return escape(xml_safe(str(value if value is not None else "")), {'"': "&quot;"})


def map_svg(payload: dict, *, colour: str = "stream", size: int = 1000) -> str:
    """The map as SVG: nodes as circles (sized by degree, coloured like the map), ties as lines, each
    node titled with its label (what the payload allows)."""
    nodes, edges = payload["nodes"], payload["edges"]
    order = community_order(nodes)
    pad = 30
    scale = (size - 2 * pad) / 2.2

    def xy(n):
        return round(size / 2 + n["x"] * scale, 2), round(size / 2 + n["y"] * scale, 2)

    max_degree = max((n.get("degree", 0) for n in nodes), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'role="img" aria-labelledby="title">',
        f'<title id="title">{_xml_text(payload.get("survey", {}).get("title", "Network map"))}: '
        f"{len(nodes)} people and organisations, {len(edges)} ties</title>",
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>',
        '<g stroke="#b9c2c0" stroke-opacity="0.8">',
    ]
    for a, b, strength in edges:
        (x1, y1), (x2, y2) = xy(nodes[a]), xy(nodes[b])
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke-width="{1.2 if strength >= 3 else 0.6}"/>')
    out.append("</g>")
    out.append('<g stroke="#ffffff" stroke-width="0.5">')
    for n in nodes:
        x, y = xy(n)
        r = round(2.5 + 9 * (n.get("degree", 0) / max_degree) ** 0.5, 2)
        out.append(
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="{node_colour(n, colour, order)}">'
            f"<title>{_xml_text(n.get('label', ''))}</title></circle>"
        )
    out.append("</g></svg>")
    return "\n".join(out)


def _levels(values: dict | None) -> str:
    return "; ".join(f"{k}:{v}" for k, v in sorted((values or {}).items()))


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def payload_nodes_csv(payload: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["id", "label", "kind", "stream", "role", "area", "degree", "community", "skills", "resources", "url"])
    for n in payload["nodes"]:
        w.writerow([_cell(v) for v in (
            n["id"], n["label"], n["kind"], n.get("stream", ""), n.get("role", ""), n.get("area", ""),
            n.get("degree", 0), n.get("community", -1), _levels(n.get("skills")), _levels(n.get("resources")),
            n.get("url", ""),
        )])  # fmt: skip
    return out.getvalue()


def payload_ties_csv(payload: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["From", "To", "Strength", "From id", "To id"])
    nodes = payload["nodes"]
    for a, b, strength in payload["edges"]:
        w.writerow([_cell(v) for v in (nodes[a]["label"], nodes[b]["label"], strength, nodes[a]["id"], nodes[b]["id"])])
    return out.getvalue()


def payload_networkx(payload: dict) -> nx.Graph:
    g = nx.Graph()
    for n in payload["nodes"]:
        g.add_node(
            n["id"],
            label=n["label"],
            kind=n["kind"],
            stream=n.get("stream", ""),
            role=n.get("role", ""),
            area=n.get("area", ""),
            degree=int(n.get("degree", 0)),
            community=int(n.get("community", -1)),
            skills=_levels(n.get("skills")),
            resources=_levels(n.get("resources")),
        )
    nodes = payload["nodes"]
    for a, b, strength in payload["edges"]:
        g.add_edge(nodes[a]["id"], nodes[b]["id"], weight=int(strength))
    return g


def payload_gexf(payload: dict) -> bytes:
    g = payload_networkx(payload)
    for n in payload["nodes"]:
        g.nodes[n["id"]]["viz"] = {"position": {"x": float(n["x"]) * 1000, "y": float(n["y"]) * 1000, "z": 0.0}}
    return write_gexf(g)


def payload_graphml(payload: dict) -> bytes:
    g = payload_networkx(payload)
    for n in payload["nodes"]:
        g.nodes[n["id"]]["x"] = float(n["x"])
        g.nodes[n["id"]]["y"] = float(n["y"])
    return write_graphml(g)
