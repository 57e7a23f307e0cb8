"""Computing and storing a round's analysis. When to recompute (now, or queued for the worker) is
decided in `tasks.py` (`data_changed`, `request_recompute`), which sits above this module.

* `run_analysis(round)`: builds the input (`graphdata.round_graph`), runs `analysis.analyse` with the
  stored layout as the start (so the map moves little between runs), then stores figures, layout and
  suggestions in one transaction: never half-written. A failure keeps the last good result and
  records status "failed" with the error.
* `analysis_for(round)`: the stored analysis, fresh or not (made, stale, if there is none yet).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from squaremile.network.models import Analysis, AnalysisStatus, Node, Round, Suggestion, SuggestionStatus

logger = logging.getLogger(__name__)


def sync_limit() -> int:
    return int(getattr(settings, "NETWORK_SYNC_ANALYSIS_MAX_NODES", 1500))


def analysis_for(round: Round) -> Analysis:
    analysis, _ = Analysis.objects.get_or_create(round=round)
    return analysis


def is_up_to_date(analysis: Analysis | None, round: Round) -> bool:
    return bool(analysis and analysis.status == AnalysisStatus.FRESH and analysis.data_version == round.data_version)


STUCK_AFTER = 15 * 60  # seconds: a run that started longer ago than this has died (a killed worker)


def is_running(analysis: Analysis | None) -> bool:
    """Running now, as opposed to marked running by a process that died."""
    if analysis is None or analysis.status != AnalysisStatus.RUNNING:
        return False
    started = analysis.started_at
    return started is not None and (timezone.now() - started).total_seconds() < STUCK_AFTER


def network_size(round: Round) -> int:
    return Node.objects.filter(survey_id=round.survey_id, merged_into__isnull=True).count()


def _previous_layout(analysis: Analysis) -> dict[str, tuple[float, float]] | None:
    layout = (analysis.result or {}).get("layout") or {}
    return {k: (float(v[0]), float(v[1])) for k, v in layout.items()} or None


def run_analysis(round: Round, *, force: bool = False) -> Analysis:
    """Compute and store the round's analysis. Skips the work when the stored one already describes
    the current data (unless `force`). Raises after recording a failure."""
    from squaremile.network.analysis import analyse
    from squaremile.network.computing import graphdata

    analysis = analysis_for(round)
    round.refresh_from_db(fields=["data_version"])
    if not force and is_up_to_date(analysis, round):
        return analysis
    version = round.data_version
    Analysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.RUNNING, started_at=timezone.now(), error="")
    started = time.perf_counter()
    try:
        nodes, ties, people = graphdata.round_graph(round)
        result = analyse(nodes, ties, previous_layout=_previous_layout(analysis)).to_json()
        duration = time.perf_counter() - started
        with transaction.atomic():
            analysis = Analysis.objects.select_for_update().get(pk=analysis.pk)
            current = Round.objects.filter(pk=round.pk).values_list("data_version", flat=True).first()
            analysis.result = result
            analysis.data_version = version
            analysis.status = AnalysisStatus.FRESH if current == version else AnalysisStatus.STALE
            analysis.computed_at = timezone.now()
            analysis.duration = round_seconds(duration)
            analysis.error = ""
            analysis.save()
            sync_suggestions(round, result.get("suggestions") or [], people)
    except Exception as exc:
        Analysis.objects.filter(pk=analysis.pk).update(
            status=AnalysisStatus.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            duration=round_seconds(time.perf_counter() - started),
        )
        analysis.refresh_from_db()
        raise
    try:
        from squaremile.network.publishing.published import warm

        warm(round)  # the next map page opens at once, even for 10,000 people
    except Exception:  # a cold cache only makes the next page slower
        logger.exception("warming the map of round %s failed", round.pk)
    return analysis


def round_seconds(value: float) -> float:
    return float(f"{value:.4f}")


def _node_id(key: str | None, people: dict) -> int | None:
    if not key:
        return None
    person = people.get(key) or {}
    if person.get("node_id"):
        return int(person["node_id"])
    if key.startswith("n") and key[1:].isdigit():
        return int(key[1:])
    return None


def sync_suggestions(round: Round, found: list[dict], people: dict) -> None:
    """Make the round's Suggestion rows match the new analysis: open ones are replaced; done and
    dismissed ones stay as decided; a pair ever dismissed (in any round of the survey) or already
    introduced is never suggested again."""
    decided = Suggestion.objects.filter(round__survey_id=round.survey_id).exclude(status=SuggestionStatus.OPEN)
    blocked = {frozenset((a, b)) for a, b in decided.values_list("a_id", "b_id")}
    existing = {(s.kind, s.a_id, s.b_id): s for s in Suggestion.objects.filter(round=round)}
    keep: set[int] = set()
    create = []
    for item in found:
        a, b, via = _node_id(item.get("a"), people), _node_id(item.get("b"), people), _node_id(item.get("via"), people)
        if a is None or b is None or a == b or frozenset((a, b)) in blocked:
            continue
        blocked.add(frozenset((a, b)))  # one suggestion per pair in a round
        current = existing.get((item["kind"], a, b))
        if current is not None:
            if current.status == SuggestionStatus.OPEN:
                current.score, current.reason, current.via_id = float(item.get("score") or 0), item["reason"], via
                current.save(update_fields=["score", "reason", "via"])
            keep.add(current.pk)
            continue
        create.append(
            Suggestion(
                round=round, kind=item["kind"], a_id=a, b_id=b, via_id=via,
                score=float(item.get("score") or 0), reason=item["reason"],
            )
        )  # fmt: skip
    Suggestion.objects.filter(round=round, status=SuggestionStatus.OPEN).exclude(pk__in=keep).delete()
    Suggestion.objects.bulk_create(create)
