"""The tie importer on the shared pipeline (`squaremile.imports`): a table of ties (From, To,
Strength, Type) into one round of a survey, all or nothing.

Fast because it never asks the database per row or per name: the survey's nodes are read once into
a name index (match key -> node, merged nodes folded), directory organisations are matched in one
query, the round's ties are read once, and applying writes the new names, their merge suggestions
and the ties with a handful of bulk statements, then tells the analysis once (`tasks.data_changed`).
A preview writes nothing at all.

Idempotent: a row is keyed by the pair of people it joins (in either direction, as a tie is); a tie
already in the round is unchanged unless the file makes it stronger, so importing the same file
twice adds nothing the second time and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.urls import reverse

from squaremile.core.permissions import require
from squaremile.core.text import clean_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target, quote
from squaremile.imports.reading import Limits, Table
from squaremile.network.analysis.formats import STRENGTH_WORDS
from squaremile.network.models import MergeSuggestion, Node, NodeKind, Round, Survey, Tie, TieOrigin
from squaremile.network.surveys.names import FUZZY_CUTOFF, clean_label, normalise

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 100_000
# Directory organisations are matched by their normalised names in memory when the directory holds
# at most this many; above it only by the exact name (case aside), in one query.
ORG_SCAN_MAX = 50_000

TARGETS = (
    Target("source", "From", "The person or organisation who named the tie.", required=True,
           synonyms=("from", "source", "fromname", "sourcename")),
    Target("target", "To", "Who they work with.", required=True, synonyms=("to", "target", "toname", "targetname")),
    Target("strength", "Strength", "1 to 3, or weak, medium, strong (2 when empty).",
           synonyms=("strength", "weight")),
    Target("type", "Type", "What kind of tie (kept for your own reference).",
           synonyms=("type", "connectiontype", "label")),
)  # fmt: skip


@dataclass
class NewNode:
    """A name that matches nobody in the survey yet: a node to make when the import is applied."""

    key: str
    label: str
    organisation_id: int | None = None
    organisation_name: str = ""
    pk: int | None = None

    @property
    def kind(self) -> str:
        return NodeKind.ORGANISATION if self.organisation_id else NodeKind.NAMED


@dataclass
class NameSeen:
    typed: str
    label: str  # who it resolves to
    new: bool  # a new node would be made
    kind: str


@dataclass(slots=True)
class NewTie:
    source: object  # Node or NewNode
    target: object
    strength: int
    typed_name: str

    @property
    def title(self) -> str:
        return f"{self.source.label} – {self.target.label}"


@dataclass
class TieContext:
    survey: Survey
    round: Round
    by_key: dict[str, Node] = field(default_factory=dict)  # match key -> root node
    orgs_nodes: dict[int, Node] = field(default_factory=dict)  # organisation id -> its root node
    new: dict[str, NewNode] = field(default_factory=dict)  # match key -> node to make
    names: dict[str, NameSeen] = field(default_factory=dict)  # typed (casefolded) -> what it resolves to
    org_by_key: dict[str, tuple[int, str]] | None = None
    org_exact: dict[str, tuple[int, str]] = field(default_factory=dict)
    ties: dict[frozenset, Tie] = field(default_factory=dict)  # the round's ties by the pair they join
    existing_ties: int = 0  # rows whose tie is already in the round

    def resolve(self, typed: str):
        """The node (or NewNode) a typed name stands for; None when the name is empty."""
        key = normalise(typed)
        if not key:
            return None
        found = self.by_key.get(key) or self.new.get(key)
        if found is None:
            label = clean_label(typed)
            org = self.org_exact.get(label.casefold()) or (self.org_by_key or {}).get(key)
            if org is not None and org[0] in self.orgs_nodes:
                found = self.orgs_nodes[org[0]]
            elif org is not None:
                found = NewNode(key=key, label=clean_label(org[1]), organisation_id=org[0], organisation_name=org[1])
                self.new[key] = found
                self.new.setdefault(normalise(org[1]), found)
            else:
                found = NewNode(key=key, label=label)
                self.new[key] = found
        folded = typed.casefold()
        if folded not in self.names:
            new = isinstance(found, NewNode)
            self.names[folded] = NameSeen(typed=typed, label=found.label, new=new, kind=str(found.kind))
        return found


def _ident(node) -> tuple:
    return ("new", node.key) if isinstance(node, NewNode) else ("node", node.pk)


class TiesImporter(pipeline.Importer):
    key = "network.ties"
    title = "Import ties"
    permission = "survey.change"
    words = ("tie", "ties")
    targets = TARGETS
    inline_rows = MAX_ROWS  # fast enough to answer at once (1,000 people, 5,000 ties: well under 3 s)

    def limits(self) -> Limits:
        return Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=50)

    @staticmethod
    def options(*, survey: Survey, round: Round, table: Table, source: str = "") -> pipeline.ImportOptions:
        return pipeline.ImportOptions(
            mapping=TIES.guess(table), source=source[:200], extra={"survey": survey.pk, "round": round.pk}
        )

    def _survey_round(self, options) -> tuple[Survey, Round]:
        survey = Survey.objects.get(pk=options.extra["survey"])
        round = Round.objects.get(pk=options.extra["round"])
        if round.survey_id != survey.pk:
            raise ValidationError("That round belongs to another survey.")
        return survey, round

    def allowed(self, by, options) -> None:
        if by is pipeline.OPERATOR:
            return
        if options is None:
            return require(by, "survey.add")  # the survey itself is checked as soon as it is known
        survey, _ = self._survey_round(options)
        require(by, self.permission, survey)

    def options_errors(self, table: Table, options) -> dict[str, str]:
        errors = super().options_errors(table, options)
        if "source" in errors or "target" in errors:
            found = ", ".join(c for c in table.columns if c) or "nothing"
            return {
                "columns": f"The first row must name the columns From and To (or Source and Target). Found: {found}."
            }
        return errors

    def prepare(self, table: Table, options) -> TieContext:
        from squaremile.directory.models import Organisation

        survey, round = self._survey_round(options)
        context = TieContext(survey=survey, round=round)
        nodes = {n.pk: n for n in Node.objects.filter(survey=survey).order_by("id")}

        def root(node: Node) -> Node:
            seen = set()
            while node.merged_into_id and node.pk not in seen and node.merged_into_id in nodes:
                seen.add(node.pk)
                node = nodes[node.merged_into_id]
            return node

        for node in nodes.values():  # unmerged nodes first, as NameResolver does
            if not node.merged_into_id:
                context.by_key.setdefault(node.match_key, node)
                if node.organisation_id:
                    context.orgs_nodes.setdefault(node.organisation_id, node)
        for node in nodes.values():
            if node.merged_into_id:
                context.by_key.setdefault(node.match_key, root(node))
        # directory organisations for the names that match nobody in the survey
        unmatched: dict[str, str] = {}
        for column in (options.mapping.get("source"), options.mapping.get("target")):
            index = table.columns.index(column)
            for cells in table.rows:
                typed = clean_label(cells[index])
                key = normalise(typed)
                if key and key not in context.by_key:
                    unmatched.setdefault(typed.casefold(), typed)
        if unmatched:
            names = list(unmatched)
            for start in range(0, len(names), 900):
                chunk = names[start : start + 900]
                rows = Organisation.objects.annotate(lname=Lower("name")).filter(lname__in=chunk)
                for pk, name in rows.order_by("id").values_list("pk", "name"):
                    context.org_exact.setdefault(name.casefold(), (pk, name))
            if Organisation.objects.count() <= ORG_SCAN_MAX:
                context.org_by_key = {}
                for pk, name in Organisation.objects.order_by("id").values_list("pk", "name").iterator(2000):
                    context.org_by_key.setdefault(normalise(name), (pk, name))
        for tie in Tie.objects.filter(round=round).only("id", "source_id", "target_id", "strength"):
            context.ties.setdefault(frozenset((tie.source_id, tie.target_id)), tie)
        return context

    def check_row(self, row: Row, context: TieContext, options):
        problems: list[str] = []

        def cell(key: str) -> str:
            return " ".join(clean_text(row.get(key) or "", multiline=False).split())

        source, target = cell("source"), cell("target")
        if not source or not target:
            missing = " and ".join(n for n, v in (("From", source), ("To", target)) if not v)
            return None, [f"{missing} is empty"]
        if source.casefold() == target.casefold():
            return None, [f"a tie from {source} to themselves"]
        strength = 2
        raw = cell("strength") if row.mapped("strength") else ""
        if raw:
            word = STRENGTH_WORDS.get(raw.casefold())
            if word is not None:
                strength = word
            elif raw.isdigit() and 1 <= int(raw) <= 3:
                strength = int(raw)
            else:
                problems.append(f"strength must be 1, 2 or 3 (or weak, medium, strong), not {quote(raw)}")
        a, b = context.resolve(source), context.resolve(target)
        if a is None or b is None:
            problems.append("a name has no letters or digits")
        elif _ident(a) == _ident(b):
            problems.append(f"“{source}” and “{target}” are the same person ({a.label})")
        if problems:
            return None, problems
        return {"source": a, "target": b, "strength": strength, "typed": target}, []

    def key_of(self, values: dict) -> str:
        return repr((_ident(values["source"]), _ident(values["target"])))

    def duplicate(self, key: str, other_number: int, table: Table) -> str:
        return f"the same tie is already on line {other_number}"

    def match(self, checked, context: TieContext, options, plan: Plan) -> None:
        planned: dict[frozenset, NewTie] = {}
        for number, values in checked:
            a, b = values["source"], values["target"]
            pair = frozenset((_ident(a), _ident(b)))
            both_known = not isinstance(a, NewNode) and not isinstance(b, NewNode)
            tie = context.ties.get(frozenset((a.pk, b.pk))) if both_known else None
            if tie is not None:
                context.existing_ties += 1
                if values["strength"] > tie.strength:
                    plan.updates.append((number, tie, {"strength": [tie.strength, values["strength"]]}))
                    tie.strength = values["strength"]
                else:
                    plan.unchanged += 1
            elif pair in planned:  # the same pair the other way round, earlier in the file
                other = planned[pair]
                other.strength = max(other.strength, values["strength"])
                plan.unchanged += 1
            else:
                planned[pair] = NewTie(
                    source=a, target=b, strength=values["strength"], typed_name=values["typed"][:200]
                )
                plan.creates.append((number, planned[pair]))

    def write(self, plan: Plan, *, by, options) -> None:
        from squaremile.network.computing import tasks

        context: TieContext = plan.context
        survey, round = context.survey, context.round
        wanted = {id(t.source): t.source for _, t in plan.creates} | {id(t.target): t.target for _, t in plan.creates}
        new_nodes = [n for n in wanted.values() if isinstance(n, NewNode)]
        if new_nodes:
            made = Node.objects.bulk_create(
                [
                    Node(
                        survey=survey,
                        kind=n.kind,
                        label=n.label,
                        match_key=normalise(n.organisation_name or n.label),
                        organisation_id=n.organisation_id,
                    )
                    for n in new_nodes
                ],  # fmt: skip
                batch_size=500,
            )
            for new, node in zip(new_nodes, made, strict=True):
                new.pk = node.pk
            _suggest_merges(survey, context, new_nodes)
        if plan.creates:
            Tie.objects.bulk_create(
                [
                    Tie(
                        round=round,
                        source_id=t.source.pk,
                        target_id=t.target.pk,
                        strength=t.strength,
                        origin=TieOrigin.IMPORT,
                        typed_name=t.typed_name,
                    )
                    for _, t in plan.creates
                ],  # fmt: skip
                batch_size=500,
            )
        if plan.updates:
            Tie.objects.bulk_update([tie for _, tie, _ in plan.updates], ["strength"], batch_size=500)
        plan.new_names = len(new_nodes)
        if plan.creates or plan.updates:
            tasks.data_changed(round)

    def result(self, plan: Plan) -> pipeline.ImportResult:
        result = super().result(plan)
        result.new_names = getattr(plan, "new_names", 0)
        return result

    def describe(self, record) -> str:
        return record.title if isinstance(record, NewTie) else f"{record.source_id} – {record.target_id}"

    def urls(self, job) -> dict:
        survey = Survey.objects.get(pk=job.params["extra"]["survey"]) if job.params.get("extra") else None
        page = reverse("network:import_ties", args=[survey.slug]) if survey else "/"
        return {"columns": page, "preview": page, "start": page, "done": page, "done_label": "Import more ties"}


def _suggest_merges(survey: Survey, context: TieContext, new_nodes: list[NewNode]) -> None:
    """Near misses between each new name and the survey's other names become suggestions for the
    organiser (as one typed name does in `names.NameResolver`), found with one rapidfuzz matrix."""
    import numpy as np
    from rapidfuzz import fuzz, process

    existing = [n for n in {n.pk: n for n in context.by_key.values()}.values() if n.match_key]
    others = [(n.pk, n.match_key, n.organisation_id) for n in existing]
    news = [(n.pk, normalise(n.organisation_name or n.label), n.organisation_id) for n in new_nodes]
    everyone = others + news
    if len(everyone) < 2:
        return
    scores = process.cdist(
        [k for _, k, _ in news], [k for _, k, _ in everyone], scorer=fuzz.token_sort_ratio,
        score_cutoff=FUZZY_CUTOFF, dtype=np.float32, workers=1,
    )  # fmt: skip
    offset = len(others)
    pairs: dict[tuple[int, int], float] = {}
    for i, (pk, _key, org) in enumerate(news):
        row = scores[i]
        candidates = np.nonzero(row)[0]
        # like NameResolver: against the nodes there before this one (the old ones and earlier new ones)
        candidates = [j for j in candidates if j < offset + i]
        candidates.sort(key=lambda j: -int(row[j]))
        for j in candidates[:5]:
            other_pk, _, other_org = everyone[j]
            if org and org == other_org:
                continue
            pairs.setdefault((min(pk, other_pk), max(pk, other_pk)), float(row[j]))
    if pairs:
        MergeSuggestion.objects.bulk_create(
            [MergeSuggestion(survey=survey, a_id=a, b_id=b, score=round(s, 1)) for (a, b), s in pairs.items()],
            batch_size=500,
            ignore_conflicts=True,
        )


TIES = pipeline.register(TiesImporter())
