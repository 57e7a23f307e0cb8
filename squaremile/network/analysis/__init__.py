"""Network analysis engine: pure Python over plain data (no Django models).

    from squaremile.network.analysis import NodeIn, TieIn, analyse
    result = analyse(nodes, ties)          # AnalysisResult; result.to_json() is a plain dict

See types.py for the contract and docs/network-analysis.md for what each figure means.
"""

from .engine import analyse
from .formats import ParsedTies, TieRow, nodes_csv, parse_ties_table, ties_csv, to_gexf, to_graphml
from .rounds import compare_rounds
from .skills import skills_summary
from .types import AnalysisResult, NodeIn, TieIn

__all__ = [
    "AnalysisResult",
    "NodeIn",
    "ParsedTies",
    "TieIn",
    "TieRow",
    "analyse",
    "compare_rounds",
    "nodes_csv",
    "parse_ties_table",
    "skills_summary",
    "ties_csv",
    "to_gexf",
    "to_graphml",
]
