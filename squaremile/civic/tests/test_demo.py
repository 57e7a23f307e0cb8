"""The civic demo: every body kind of the issue, councillors, reports in every state, questions
answered and not; seeding twice leaves one set."""

import io
import random

import pytest
from django.core.management import call_command

from squaremile.civic import demo
from squaremile.civic.models import Body, BodyKind, Delivery, Report, ReportStatus, RepQuestion, Representative
from squaremile.moderation.models import ModerationState

pytestmark = pytest.mark.django_db


def test_the_demo_locality_has_its_bodies_reports_and_questions():
    call_command("seed_demo", "--size", "40", "--seed", "1", stdout=io.StringIO())
    kinds = set(Body.objects.values_list("kind", flat=True))
    assert {BodyKind.COUNTY, BodyKind.DISTRICT, BodyKind.PARISH, BodyKind.WATER, BodyKind.POLICE} <= kinds
    assert Body.objects.filter(delivery=Delivery.OPEN311).exists()
    assert Body.objects.filter(delivery=Delivery.ELSEWHERE).exclude(elsewhere_url="").exists()
    assert Representative.objects.filter(role="Ward councillor").count() >= 8
    assert set(Report.objects.values_list("status", flat=True)) == set(ReportStatus.values)
    published = RepQuestion.objects.filter(status=ModerationState.PUBLISHED)
    assert published.filter(recipients__answered_at__isnull=False).exists()
    assert published.filter(recipients__answered_at__isnull=True).exists()
    assert Representative.objects.filter(questions_answered__gt=0).exists()
    before = (Body.objects.count(), Report.objects.count())
    demo.seed(rng=random.Random(2), size=None, stdout=None)
    assert (Body.objects.count(), Report.objects.count()) == before
