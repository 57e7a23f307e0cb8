"""The analysis runner: stale -> fresh, the version it saw, failure, the background path, and the
weaving suggestions kept in step without losing an organiser's decisions."""

import pytest
from django.core.management import CommandError, call_command

from squaremile.network.computing import runner, tasks
from squaremile.network.models import Analysis, AnalysisStatus, Consent, Suggestion, SuggestionStatus
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db


TWO_GROUPS = [(1, 2), (1, 3), (2, 3), (3, 4), (2, 4), (4, 5), (5, 6), (6, 7), (6, 8), (7, 8), (8, 9), (7, 9), (9, 10)]


def small_network(n=6, edges=None):
    """Respondents in a ring with a chord (or the given edges, 1-based): enough for figures and a layout."""
    survey = SurveyFactory()
    round = survey.rounds.get(number=1)
    responses = [ResponseFactory(round=round, consent=Consent.NAMED) for _ in range(n)]
    edges = edges or [(i + 1, (i + 1) % n + 1) for i in range(n)] + [(1, 3)]
    for a, b in edges:
        TieFactory(round=round, source=responses[a - 1].node, target=responses[b - 1].node)
    return survey, round, responses


def test_data_changed_bumps_the_version_marks_stale_and_recomputes_after_commit(django_capture_on_commit_callbacks):
    survey, round, responses = small_network()
    runner.run_analysis(round)
    before = round.data_version
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.data_changed(round)
    assert round.data_version == before + 1
    analysis = Analysis.objects.get(round=round)
    assert analysis.status == AnalysisStatus.STALE and not runner.is_up_to_date(analysis, round)
    for callback in callbacks:
        callback()
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.FRESH
    assert analysis.data_version == round.data_version
    assert analysis.computed_at is not None and analysis.duration >= 0
    assert analysis.result["graph"]["nodes"] == 6
    assert set(analysis.result["layout"]) == {f"n{r.node_id}" for r in responses}


def test_run_skips_work_when_up_to_date_and_force_recomputes(monkeypatch):
    survey, round, _ = small_network()
    first = runner.run_analysis(round)
    stamp = first.computed_at
    assert runner.run_analysis(round).computed_at == stamp
    assert runner.run_analysis(round, force=True).computed_at > stamp


def test_the_stored_layout_is_the_start_of_the_next_run(monkeypatch):
    from squaremile.network import analysis as engine

    survey, round, _ = small_network()
    stored = runner.run_analysis(round).result["layout"]
    seen = {}
    real = engine.analyse

    def spy(nodes, ties, **kwargs):
        seen.update(kwargs)
        return real(nodes, ties, **kwargs)

    monkeypatch.setattr(engine, "analyse", spy)
    runner.run_analysis(round, force=True)
    assert {k: list(v) for k, v in seen["previous_layout"].items()} == stored


def test_a_failure_keeps_the_last_good_result_and_says_why(monkeypatch):
    from squaremile.network import analysis as engine

    survey, round, _ = small_network()
    good = runner.run_analysis(round).result

    def broken(*args, **kwargs):
        raise RuntimeError("out of cheese")

    monkeypatch.setattr(engine, "analyse", broken)
    with pytest.raises(RuntimeError):
        runner.run_analysis(round, force=True)
    analysis = Analysis.objects.get(round=round)
    assert analysis.status == AnalysisStatus.FAILED
    assert "out of cheese" in analysis.error
    assert analysis.result == good  # nothing half-written


def test_a_failure_while_storing_rolls_the_whole_store_back(monkeypatch):
    survey, round, _ = small_network(10, TWO_GROUPS)
    good = runner.run_analysis(round)
    kept = (good.result, good.computed_at, sorted(Suggestion.objects.filter(round=round).values_list("pk", flat=True)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runner, "sync_suggestions", broken)
    with pytest.raises(RuntimeError):
        runner.run_analysis(round, force=True)
    analysis = Analysis.objects.get(round=round)
    assert analysis.status == AnalysisStatus.FAILED and "disk full" in analysis.error
    now = (
        analysis.result,
        analysis.computed_at,
        sorted(Suggestion.objects.filter(round=round).values_list("pk", flat=True)),
    )
    assert now == kept  # figures, time and suggestions all as they were


def test_a_failure_after_a_commit_does_not_break_the_write(monkeypatch, django_capture_on_commit_callbacks):
    from squaremile.network import analysis as engine

    survey, round, _ = small_network()
    monkeypatch.setattr(engine, "analyse", lambda *a, **k: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.data_changed(round)  # no exception reaches the caller
    assert Analysis.objects.get(round=round).status == AnalysisStatus.FAILED


def test_large_networks_go_to_the_background(settings, monkeypatch, django_capture_on_commit_callbacks):
    survey, round, _ = small_network()
    settings.NETWORK_SYNC_ANALYSIS_MAX_NODES = 3
    queued = []

    class Recorder:
        def enqueue(self, round_id):
            queued.append(round_id)

    monkeypatch.setattr(tasks, "analyse_round", Recorder())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.data_changed(round)
    assert queued == [round.pk]
    assert Analysis.objects.get(round=round).status == AnalysisStatus.STALE
    assert tasks.request_recompute(round) == "queued"


def test_the_task_runs_the_analysis():
    survey, round, _ = small_network()
    result = tasks.analyse_round.enqueue(round.pk)  # immediate backend in tests
    assert result.return_value == AnalysisStatus.FRESH
    assert Analysis.objects.get(round=round).status == AnalysisStatus.FRESH


def test_suggestions_sync_keeps_decisions_and_never_resuggests_a_dismissed_pair():
    survey, round, _ = small_network(10, TWO_GROUPS)
    runner.run_analysis(round)
    suggestions = list(Suggestion.objects.filter(round=round))
    assert len(suggestions) >= 3, "two groups joined through one person: a broker to relieve and triangles to close"
    dismissed, done = suggestions[0], suggestions[1]
    Suggestion.objects.filter(pk=dismissed.pk).update(status=SuggestionStatus.DISMISSED)
    Suggestion.objects.filter(pk=done.pk).update(status=SuggestionStatus.DONE)
    runner.run_analysis(round, force=True)
    after = list(Suggestion.objects.filter(round=round))
    assert Suggestion.objects.get(pk=dismissed.pk).status == SuggestionStatus.DISMISSED
    assert Suggestion.objects.get(pk=done.pk).status == SuggestionStatus.DONE
    for pair in ({dismissed.a_id, dismissed.b_id}, {done.a_id, done.b_id}):
        open_for_pair = [s for s in after if s.status == SuggestionStatus.OPEN and {s.a_id, s.b_id} == pair]
        assert open_for_pair == []
    assert all(s.reason for s in after)
    assert any(s.status == SuggestionStatus.OPEN for s in after)


def test_management_command(capsys):
    survey, round, _ = small_network()
    call_command("analyse_network", survey.slug)
    out = capsys.readouterr().out
    assert "6 people" in out and "fresh" in out
    with pytest.raises(CommandError):
        call_command("analyse_network", "no-such-survey")
    with pytest.raises(CommandError):
        call_command("analyse_network", survey.slug, "--round", "9")


def test_a_run_whose_worker_died_does_not_stay_running_forever(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    survey, round, _ = small_network()
    analysis = runner.run_analysis(round)
    Analysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.RUNNING, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        tasks.data_changed(round)
    assert Analysis.objects.get(pk=analysis.pk).status == AnalysisStatus.RUNNING  # a live run finishes the job
    Analysis.objects.filter(pk=analysis.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert not runner.is_running(Analysis.objects.get(pk=analysis.pk))
    with django_capture_on_commit_callbacks(execute=False):
        tasks.data_changed(round)
    assert Analysis.objects.get(pk=analysis.pk).status == AnalysisStatus.STALE
