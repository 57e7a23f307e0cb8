"""When a round's analysis is recomputed, and the background task that does it for large networks
(django-tasks; immediate in tests, a worker in production: `manage.py db_worker`).

* `data_changed(round)`: every write to a round's responses, nodes or ties calls it (the services,
  name merges, tie imports, done introductions). It bumps `Round.data_version`, marks the stored
  analysis stale, and once the write is committed recomputes at once when the network is small
  (`NETWORK_SYNC_ANALYSIS_MAX_NODES`, default 1,500: under a second) or enqueues `analyse_round`
  for a large one.
* `request_recompute(round)`: an organiser asked for it.
The work itself is `runner.run_analysis`.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django_tasks import task

from squaremile.network.computing import runner
from squaremile.network.models import Analysis, AnalysisStatus, Round

logger = logging.getLogger(__name__)


@task()
def analyse_round(round_id: int) -> str:
    """Recompute one round's analysis (large networks: see data_changed). Returns the status."""
    round = Round.objects.select_related("survey").filter(pk=round_id).first()
    if round is None:
        return "gone"
    return runner.run_analysis(round).status


def data_changed(round: Round) -> None:
    """The round's data changed: bump its version, mark the analysis stale, recompute (now or in the
    background) once the change is committed."""
    Round.objects.filter(pk=round.pk).update(data_version=F("data_version") + 1)
    round.refresh_from_db(fields=["data_version"])
    analysis = runner.analysis_for(round)
    if not runner.is_running(analysis):
        Analysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.STALE)
    round_id = round.pk
    if runner.network_size(round) <= runner.sync_limit():
        transaction.on_commit(lambda: _run_quietly(round_id))
    else:
        transaction.on_commit(lambda: enqueue(round_id))


def enqueue(round_id: int) -> None:
    analyse_round.enqueue(round_id)


def request_recompute(round: Round) -> str:
    """An organiser asked for a recompute: "done" when it ran now, "queued" when in the background."""
    if runner.network_size(round) <= runner.sync_limit():
        runner.run_analysis(round, force=True)
        return "done"
    analysis = runner.analysis_for(round)
    if not runner.is_running(analysis):
        Analysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.STALE)
    transaction.on_commit(lambda: enqueue(round.pk))
    return "queued"


def _run_quietly(round_id: int) -> None:
    """Recompute after a commit: a failure is recorded on the analysis, never raised into the request
    whose write already succeeded."""
    round = Round.objects.select_related("survey").filter(pk=round_id).first()
    if round is None:
        return
    try:
        runner.run_analysis(round)
    except Exception:  # recorded on the Analysis row by run_analysis; the answer was saved anyway
        logger.exception("analysis of round %s failed", round_id)
