"""The demo locality gets wants and offers with realistic matches."""

from io import StringIO

import pytest
from django.core.management import call_command

from squaremile.exchange.models import Ask, Item, Match, Side, Status

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_wants_and_offers_that_match():
    out = StringIO()
    call_command("seed_demo", "--size", "60", "--seed", "1", stdout=out)
    assert Item.objects.filter(side=Side.WANT).exists() and Item.objects.filter(side=Side.OFFER).exists()
    assert Item.objects.filter(status=Status.OPEN).count() >= 10
    assert Match.objects.exists() or Ask.objects.exists()
    assert Item.objects.filter(status=Status.DONE, met_at__isnull=False).exists()
    for item in Item.objects.all()[:50]:
        item.full_clean(exclude=["owner", "cell", "area"])
