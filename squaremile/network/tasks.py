"""Background work for network maps (django-tasks; immediate in tests, a worker in production:
`manage.py db_worker`)."""

from django_tasks import task


@task()
def analyse_round(round_id: int) -> str:
    """Recompute one round's analysis (large networks: see runner.data_changed). Returns the status."""
    from squaremile.network import runner
    from squaremile.network.models import Round

    round = Round.objects.select_related("survey").filter(pk=round_id).first()
    if round is None:
        return "gone"
    return runner.run_analysis(round).status
