"""manage.py analyse_network <survey-slug> [--round N]: recompute a survey round's analysis now
(the latest round unless --round is given) and print its figures and timings."""

from django.core.management.base import BaseCommand, CommandError

from squaremile.network.computing import runner
from squaremile.network.models import Round, Survey


class Command(BaseCommand):
    help = "Recompute the network analysis of a survey round (the latest unless --round is given)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the survey's slug (as in /network/<slug>/)")
        parser.add_argument("--round", type=int, dest="number", help="the round number (default: the latest)")

    def handle(self, *args, slug, number=None, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey with the slug {slug!r}.")
        rounds = Round.objects.filter(survey=survey).order_by("-number")
        round = rounds.filter(number=number).first() if number else rounds.first()
        if round is None:
            raise CommandError(f"{survey.title} has no round {number}." if number else f"{survey.title} has no rounds.")
        try:
            analysis = runner.run_analysis(round, force=True)
        except Exception as exc:
            raise CommandError(f"The analysis failed: {exc}") from exc
        graph = analysis.result.get("graph", {})
        self.stdout.write(
            f"{survey.title}, round {round.number}: {graph.get('nodes', 0)} people, {graph.get('ties', 0)} ties, "
            f"{graph.get('communities', 0)} communities; {analysis.status} in {analysis.duration:.2f} s"
        )
        for step, seconds in (analysis.result.get("timings") or {}).items():
            self.stdout.write(f"  {step}: {seconds:.3f} s")
