"""The plain-data contract of the analysis engine: what goes in (people and the ties they named)
and what comes out (figures for the whole network, per person, a layout and weaving suggestions).

Everything here is a frozen dataclass of str/int/float/dict/tuple, so callers (the survey models,
the map pages, a background task) can build inputs from anything and store `to_json()` as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("respondent", "organisation", "named")
LEVELS = ("strong", "some")
SUGGESTION_KINDS = ("close_triangle", "connect_peripheral", "bridge_clusters", "relieve_broker")


@dataclass(frozen=True)
class NodeIn:
    """One person or organisation on the map."""

    key: str  # stable id, e.g. "r12" (respondent), "o55" (directory organisation), "n7" (typed name)
    label: str  # display name (organiser view)
    kind: str = "respondent"  # "respondent" | "organisation" | "named" (typed by someone, not a respondent)
    stream: str = ""  # directory Stream value: individual|community|public|business|""
    skills: dict[str, str] = field(default_factory=dict)  # skill slug -> "strong" | "some"
    resources: dict[str, str] = field(default_factory=dict)  # resource slug -> "strong" | "some"
    needs: tuple[str, ...] = ()  # skill/resource slugs the person says they need
    willingness: int | None = None  # 0..4 willingness to share
    area: str = ""  # area slug, may be ""

    def offers(self) -> dict[str, str]:
        """Skills and resources together (slug -> level); a slug in both keeps the stronger level."""
        out = dict(self.resources or {})
        for slug, level in (self.skills or {}).items():
            if out.get(slug) != "strong":
                out[slug] = level
        return out


@dataclass(frozen=True)
class TieIn:
    """A tie named by `source` (who answered) to `target`."""

    source: str  # NodeIn.key of the person who named the tie
    target: str
    strength: int = 2  # 1 weak/occasional .. 3 close/frequent
    sharing: int | None = None  # 1..3 how good the other is at sharing, None if not said


@dataclass
class AnalysisResult:
    """What `analyse()` returns. Every field is JSON-friendly; `to_json()` gives a plain dict.

    * graph: whole-network figures (see docs/network-analysis.md for each one).
    * nodes: key -> per-person figures.
    * layout: key -> [x, y] in [-1, 1] ({} when layout=False).
    * suggestions: ranked weaving suggestions ([] when suggestions=False).
    * timings: step -> seconds (wall clock); cpu_timings: the same steps in CPU seconds (they differ
      when the machine is busy with other work).
    """

    graph: dict[str, Any]
    nodes: dict[str, dict[str, Any]]
    layout: dict[str, list[float]] = field(default_factory=dict)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)  # the same steps, CPU seconds of this thread

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
