"""Exports (GEXF, GraphML for Gephi/Kumu/yEd; CSV of nodes and ties) and the ties-table import parser.

Exports write one undirected tie per pair of people (strength = the stronger of the two answers,
as the analysis uses it). CSV cells that a spreadsheet would run as a formula (starting with
= + - @ or a tab/return) are prefixed with an apostrophe. The XML files (GEXF, GraphML) are written
only by `write_gexf` / `write_graphml`, which pass every node id, attribute name and value through
`squaremile.core.text.xml_safe` (a plain function, no Django): no stored text can make them malformed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from squaremile.core.text import clean_text, xml_safe  # no Django: the one rule for user text

from .graph import build
from .types import NodeIn, TieIn

NODE_METRICS = (
    "degree", "weighted_degree", "betweenness", "closeness", "pagerank", "eigenvector", "coreness",
    "constraint", "community", "component", "is_isolate", "is_periphery", "is_broker",
)  # fmt: skip


def _metrics_of(nodes: list[NodeIn], ties: list[TieIn], metrics) -> dict[str, dict]:
    if metrics is None:
        from .engine import analyse

        return analyse(nodes, ties, layout=False, suggestions=False).nodes
    if hasattr(metrics, "nodes") and not isinstance(metrics, dict):
        return metrics.nodes
    if isinstance(metrics, dict) and "nodes" in metrics and "graph" in metrics:
        return metrics["nodes"]
    return metrics


def _levels(values: dict[str, str]) -> str:
    return "; ".join(f"{slug}:{level}" for slug, level in sorted(values.items()))


def to_networkx(nodes: list[NodeIn], ties: list[TieIn], metrics=None, layout=None) -> nx.Graph:
    """An undirected networkx graph with the export attributes (no None values: writers refuse them)."""
    per_node = _metrics_of(nodes, ties, metrics)
    built = build(nodes, ties)
    G = nx.Graph()
    for node in built.nodes:
        m = per_node.get(node.key, {})
        attrs: dict[str, Any] = {
            "label": node.label or node.key,
            "kind": node.kind,
            "stream": node.stream,
            "area": node.area,
            "community": int(m.get("community", -1)),
            "degree": int(m.get("degree", 0)),
            "betweenness": float(m.get("betweenness", 0.0)),
            "skills": _levels(node.skills or {}),
            "resources": _levels(node.resources or {}),
            "needs": "; ".join(node.needs or ()),
        }
        if node.willingness is not None:
            attrs["willingness"] = int(node.willingness)
        if layout and node.key in layout:
            x, y = layout[node.key]
            attrs["viz"] = {"position": {"x": float(x) * 1000, "y": float(y) * 1000, "z": 0.0}}
        G.add_node(node.key, **attrs)
    keys = built.keys
    for (a, b), w in zip(built.g.get_edgelist(), built.g.es["weight"] if built.g.ecount() else [], strict=True):
        G.add_edge(keys[a], keys[b], weight=int(w))
    return G


def _xml_value(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {_xml_value(k): _xml_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_xml_value(v) for v in value)
    return value


def xml_ready(G: nx.Graph) -> nx.Graph:
    """A copy of `G` in which every string (node ids, graph, node and edge attribute names and values)
    holds only characters XML 1.0 allows."""
    H = G.__class__()
    H.graph.update(_xml_value(G.graph))
    ids = {n: _xml_value(n) for n in G}
    H.add_nodes_from((ids[n], _xml_value(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((ids[a], ids[b], _xml_value(d)) for a, b, d in G.edges(data=True))
    return H


def write_gexf(G: nx.Graph) -> bytes:
    """GEXF 1.2 (UTF-8), well-formed whatever the text in `G`."""
    buf = io.BytesIO()
    nx.write_gexf(xml_ready(G), buf, encoding="utf-8", version="1.2draft")
    return buf.getvalue()


def write_graphml(G: nx.Graph) -> bytes:
    """GraphML (UTF-8), well-formed whatever the text in `G`."""
    buf = io.BytesIO()
    nx.write_graphml(xml_ready(G), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(nodes: list[NodeIn], ties: list[TieIn], metrics=None, layout=None) -> bytes:
    """GEXF 1.2 (Gephi). `metrics`: AnalysisResult, its to_json(), or its `nodes` dict; computed if None.
    `layout`: key -> [x, y] to store positions (viz:position) so Gephi opens the same map."""
    return write_gexf(to_networkx(nodes, ties, metrics, layout))


def to_graphml(nodes: list[NodeIn], ties: list[TieIn], metrics=None, layout=None) -> bytes:
    G = to_networkx(nodes, ties, metrics, None)
    if layout:
        for key, (x, y) in layout.items():
            if key in G:
                G.nodes[key]["x"] = float(x)
                G.nodes[key]["y"] = float(y)
    return write_graphml(G)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is None:
        return ""
    return value


def nodes_csv(nodes: list[NodeIn], ties: list[TieIn] | None = None, metrics=None) -> str:
    """One row per person: key, label, kind, stream, area, willingness, skills, resources, needs,
    then the figures of the analysis (computed when `ties` are given and `metrics` is None)."""
    per_node = _metrics_of(nodes, ties or [], metrics) if (metrics is not None or ties is not None) else {}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    head = ["key", "label", "kind", "stream", "area", "willingness", "skills", "resources", "needs"]
    w.writerow(head + (list(NODE_METRICS) if per_node else []))
    seen: set[str] = set()
    for node in nodes:
        if node.key in seen:
            continue
        seen.add(node.key)
        row = [node.key, node.label, node.kind, node.stream, node.area, node.willingness,
               _levels(node.skills or {}), _levels(node.resources or {}), "; ".join(node.needs or ())]  # fmt: skip
        if per_node:
            m = per_node.get(node.key, {})
            row += [m.get(k) for k in NODE_METRICS]
        w.writerow([_cell(v) for v in row])
    return out.getvalue()


def ties_csv(nodes: list[NodeIn], ties: list[TieIn]) -> str:
    """One row per named tie (as named: from the person who answered), with labels and keys.
    The From/To/Strength columns read back with parse_ties_table."""
    built = build(nodes, ties)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["From", "To", "Strength", "Sharing", "From key", "To key"])
    sharing: dict[tuple[str, str], int | None] = {}
    for tie in ties:
        if tie.sharing is not None:
            sharing[(tie.source, tie.target)] = tie.sharing
    for (a, b), s in sorted(built.named.items()):
        ka, kb = built.keys[a], built.keys[b]
        w.writerow([_cell(v) for v in (built.label(a), built.label(b), s, sharing.get((ka, kb)), ka, kb)])
    return out.getvalue()


# ---- import ------------------------------------------------------------------------------
FROM_NAMES = ("from", "source", "from name", "source name")
TO_NAMES = ("to", "target", "to name", "target name")
STRENGTH_NAMES = ("strength", "weight")
TYPE_NAMES = ("type", "connection type", "label")
STRENGTH_WORDS = {"weak": 1, "occasional": 1, "medium": 2, "regular": 2, "strong": 3, "close": 3, "frequent": 3}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class TieRow:
    source: str  # label as typed
    target: str
    strength: int  # 1..3 (2 when the column is absent or the cell empty)
    line: int  # line number in the file (the header is line 1)
    type: str = ""


@dataclass(frozen=True)
class TieError:
    line: int  # 0: the file as a whole
    message: str


@dataclass
class ParsedTies:
    rows: list[TieRow] = field(default_factory=list)
    errors: list[TieError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _read_text(source, filename: str) -> tuple[str | None, str | None]:
    """(text, error message)."""
    data = source
    if hasattr(source, "read"):
        try:
            data = source.read()
        except (OSError, ValueError) as exc:
            return None, f"The file could not be read ({exc.__class__.__name__})."
    if data is None:
        return None, "The file is empty."
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if b"\x00" in raw[:8192] or raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return None, (
                f"{filename or 'The file'} is not a CSV table (it looks like a spreadsheet or other binary file). "
                "Save it as CSV (comma, semicolon or tab separated) and try again."
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                return None, "The file is not UTF-8 text. Save it as CSV UTF-8 and try again."
    elif isinstance(data, str):
        text = data.lstrip("\ufeff")
        if "\x00" in text[:8192]:
            return None, "The file is not a CSV table (it contains binary data)."
    else:
        return None, "The file could not be read."
    if not text.strip():
        return None, "The file is empty."
    return text, None


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _find(columns: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in columns:
            return columns.index(name)
    return None


def parse_ties_table(source, filename: str = "") -> ParsedTies:
    """Read a ties table: CSV (comma, semicolon or tab; UTF-8 with or without BOM) with a header row
    naming From/To (or Source/Target) columns, optional Strength/Weight (1-3, or weak/medium/strong)
    and Type/Label. Never raises on bad input: problems come back in `errors`, by line number.
    Names are not matched to people here; that is the caller's job."""
    result = ParsedTies()
    lower = (filename or "").lower()
    if lower.endswith((".xlsx", ".xls", ".ods", ".numbers")):
        result.errors.append(
            TieError(0, "Spreadsheet files cannot be read directly. Save the sheet as CSV and try again.")
        )
        return result
    text, problem = _read_text(source, filename)
    if problem:
        result.errors.append(TieError(0, problem))
        return result
    first_line = text.splitlines()[0] if text else ""
    result.delimiter = _delimiter(first_line)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter)
        header = next(reader, None)
        if header is None:
            result.errors.append(TieError(0, "The file is empty."))
            return result
        header = [clean_text(c, multiline=False) for c in header]
        columns = [" ".join(c.strip().lower().split()) for c in header]
        result.columns = [c.strip() for c in header]
        i_from, i_to = _find(columns, FROM_NAMES), _find(columns, TO_NAMES)
        i_strength, i_type = _find(columns, STRENGTH_NAMES), _find(columns, TYPE_NAMES)
        if i_from is None or i_to is None:
            found = ", ".join(c for c in result.columns if c) or "nothing"
            result.errors.append(
                TieError(1, f"The first row must name the columns From and To (or Source and Target). Found: {found}.")
            )
            return result
        seen: dict[tuple[str, str], int] = {}
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(result.rows) + len(result.errors) >= MAX_ROWS:
                result.errors.append(TieError(start, f"Too many rows: at most {MAX_ROWS:,} ties in one file."))
                break

            def cell(i: int | None, cells=cells) -> str:
                return (
                    " ".join(clean_text(cells[i], multiline=False).split()) if i is not None and i < len(cells) else ""
                )

            src, dst = cell(i_from), cell(i_to)
            if not src or not dst:
                missing = " and ".join(n for n, v in (("From", src), ("To", dst)) if not v)
                result.errors.append(TieError(start, f"{missing} is empty."))
                continue
            if src.casefold() == dst.casefold():
                result.errors.append(TieError(start, f"A tie from {src} to themselves."))
                continue
            raw = cell(i_strength)
            strength = 2
            if raw:
                word = STRENGTH_WORDS.get(raw.casefold())
                if word is not None:
                    strength = word
                elif raw.isdigit() and 1 <= int(raw) <= 3:
                    strength = int(raw)
                else:
                    result.errors.append(
                        TieError(start, f"Strength must be 1, 2 or 3 (or weak, medium, strong), not {raw!r}.")
                    )
                    continue
            pair = (src.casefold(), dst.casefold())
            if pair in seen:
                result.errors.append(TieError(start, f"The tie from {src} to {dst} is already on line {seen[pair]}."))
                continue
            seen[pair] = start
            result.rows.append(TieRow(source=src, target=dst, strength=strength, line=start, type=cell(i_type)))
    except csv.Error as exc:
        result.errors.append(TieError(line, f"This line could not be read as CSV ({exc})."))
    if not result.rows and not result.errors:
        result.errors.append(TieError(0, "The file has a header row but no ties."))
    return result
