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
from squaremile.imports import pipeline
from squaremile.imports.reading import Table
from squaremile.network.computing import tasks
from squaremile.network.models import Node, Round, Suggestion, SuggestionStatus, Tie, TieOrigin
from squaremile.network.surveys.names import root_of
from squaremile.network.weaving.importers import TIES

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
class ImportPreview:
    """What a tie import would do, for the page: rows, every name and who it resolves to, every bad
    line (line, message) and how many ties are already in the round."""

    rows: int
    names: list = field(default_factory=list)  # importers.NameSeen
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    existing_ties: int = 0

    @property
    def new_names(self) -> int:
        return sum(1 for n in self.names if n.new)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0


def _preview_of(plan) -> ImportPreview:
    context = plan.context
    names = list(context.names.values()) if context else []
    return ImportPreview(
        rows=plan.rows,
        names=sorted(names, key=lambda n: (not n.new, n.typed.casefold())),
        errors=sorted((e["row"], e["message"]) for e in plan.errors),
        existing_ties=context.existing_ties if context else 0,
    )


def ties_import_preview(*, survey, round: Round, table: Table, by, source: str = "") -> ImportPreview:
    """What an import would do, without writing anything: which names match people already in the
    survey, which would be new, and every bad line with its number (the shared pipeline)."""
    options = TIES.options(survey=survey, round=round, table=table, source=source)
    return _preview_of(pipeline.preview(TIES, table=table, options=options, by=by))


@dataclass
class ImportResult:
    created: int
    updated: int
    new_names: int


def ties_import_apply(*, survey, round: Round, table: Table, by, source: str = "") -> ImportResult:
    """Apply all or nothing: any bad line and nothing is saved (ValidationError lists every one)."""
    if round.survey_id != survey.pk:
        raise ValidationError("That round belongs to another survey.")
    options = TIES.options(survey=survey, round=round, table=table, source=source)
    try:
        result = pipeline.apply(TIES, table=table, options=options, by=by)
    except pipeline.ImportRejected as rejected:
        raise ValidationError(
            [f"Line {e['row']}: {e['message']}" if e["row"] else e["message"] for e in rejected.plan.errors]
        ) from None
    return ImportResult(created=result.created, updated=result.updated, new_names=result.new_names)
