"""Writes of the map side of network mapping: deciding weaving suggestions and importing ties.
Keyword-only, atomic, permission-checked; each change to a round's ties ends with
`tasks.data_changed(round)` so the analysis follows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from squaremile.core.permissions import require
from squaremile.network import tasks
from squaremile.network.analysis.formats import ParsedTies
from squaremile.network.models import Node, Round, Suggestion, SuggestionStatus, Tie, TieOrigin
from squaremile.network.names import resolve_name, root_of

DECISIONS = {"done": SuggestionStatus.DONE, "dismiss": SuggestionStatus.DISMISSED}


def _tie_between(round: Round, a: Node, b: Node) -> Tie | None:
    return Tie.objects.filter(Q(source=a, target=b) | Q(source=b, target=a), round=round).first()


@transaction.atomic
def suggestion_decide(*, suggestion: Suggestion, by, decision: str) -> Suggestion:
    """Mark an introduction made ("done": adds the tie between the two people, origin weaving) or
    dismissed ("dismiss": never suggested again). Who decided and when are recorded."""
    survey = suggestion.round.survey
    require(by, "survey.change", survey)
    if decision not in DECISIONS:
        raise ValidationError({"decision": ["Choose done or dismiss."]})
    suggestion = Suggestion.objects.select_for_update().select_related("round", "a", "b").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ValidationError(f"This suggestion was already marked “{suggestion.get_status_display().lower()}”.")
    suggestion.status = DECISIONS[decision]
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    if suggestion.status == SuggestionStatus.DONE:
        a, b = root_of(suggestion.a), root_of(suggestion.b)
        if a.pk != b.pk and _tie_between(suggestion.round, a, b) is None:
            Tie.objects.create(round=suggestion.round, source=a, target=b, strength=2, origin=TieOrigin.WEAVING)
            tasks.data_changed(suggestion.round)
    return suggestion


@dataclass
class NamePreview:
    typed: str
    label: str  # who it resolves to
    new: bool  # a new node would be made
    kind: str


@dataclass
class ImportPreview:
    rows: int
    names: list[NamePreview] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    existing_ties: int = 0

    @property
    def new_names(self) -> int:
        return sum(1 for n in self.names if n.new)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0


def _resolve_rows(survey, round: Round, parsed: ParsedTies):
    """(resolved rows, name previews, errors) — writes nodes as resolution does; callers roll back."""
    known = set(Node.objects.filter(survey=survey).values_list("pk", flat=True))
    cache: dict[str, Node] = {}
    names: dict[str, NamePreview] = {}
    errors: list[tuple[int, str]] = []
    resolved = []
    for row in parsed.rows:
        ends = []
        for typed in (row.source, row.target):
            key = typed.casefold()
            if key not in cache:
                node = root_of(resolve_name(survey, typed))
                cache[key] = node
                names[key] = NamePreview(typed=typed, label=node.label, new=node.pk not in known, kind=node.kind)
            ends.append(cache[key])
        if ends[0].pk == ends[1].pk:
            errors.append((row.line, f"“{row.source}” and “{row.target}” are the same person ({ends[0].label})."))
            continue
        resolved.append((row, ends[0], ends[1]))
    return resolved, sorted(names.values(), key=lambda n: (not n.new, n.typed.casefold())), errors


def ties_import_preview(*, survey, round: Round, parsed: ParsedTies, by) -> ImportPreview:
    """What an import would do, without doing it: which names match people already in the survey,
    which would be new, and every bad line with its number."""
    require(by, "survey.change", survey)
    preview = ImportPreview(rows=len(parsed.rows), errors=[(e.line, e.message) for e in parsed.errors])
    with transaction.atomic():
        resolved, preview.names, errors = _resolve_rows(survey, round, parsed)
        preview.errors += errors
        preview.existing_ties = sum(1 for _, a, b in resolved if _tie_between(round, a, b))
        transaction.set_rollback(True)  # name resolution made nodes: a preview keeps none of them
    preview.errors.sort()
    return preview


@dataclass
class ImportResult:
    created: int
    updated: int
    new_names: int


@transaction.atomic
def ties_import_apply(*, survey, round: Round, parsed: ParsedTies, by) -> ImportResult:
    """Apply all or nothing: any bad line and nothing is saved (ValidationError lists every one)."""
    require(by, "survey.change", survey)
    if round.survey_id != survey.pk:
        raise ValidationError("That round belongs to another survey.")
    problems = [(e.line, e.message) for e in parsed.errors]
    if not parsed.rows and not problems:
        problems.append((0, "The file has no ties."))
    known = Node.objects.filter(survey=survey).count()
    resolved, names, errors = _resolve_rows(survey, round, parsed)
    problems += errors
    if problems:
        raise ValidationError([f"Line {line}: {message}" if line else message for line, message in sorted(problems)])
    created = updated = 0
    for row, a, b in resolved:
        tie = _tie_between(round, a, b)
        if tie is None:
            Tie.objects.create(
                round=round,
                source=a,
                target=b,
                strength=row.strength,
                origin=TieOrigin.IMPORT,
                typed_name=row.target[:200],
            )
            created += 1
        elif row.strength > tie.strength:
            tie.strength = row.strength
            tie.save(update_fields=["strength"])
            updated += 1
    if created or updated:
        tasks.data_changed(round)
    return ImportResult(created=created, updated=updated, new_names=Node.objects.filter(survey=survey).count() - known)
