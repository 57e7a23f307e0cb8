"""Representatives through the shared import pipeline, and the daily command."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic.importers import REPRESENTATIVES
from squaremile.civic.models import Report, Representative
from squaremile.civic.tests.factories import BodyFactory, ReportFactory
from squaremile.imports import pipeline
from squaremile.imports.reading import Table
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
COLUMNS = {"name": "Name", "area": "Ward", "party": "Party", "email": "Email", "body": "Council",
           "term_end": "Term ends", "last_checked": "Checked"}  # fmt: skip


def _apply(rows, by):
    table = Table.from_dicts(rows)
    options = pipeline.ImportOptions(mapping={k: v for k, v in COLUMNS.items() if v in rows[0]})
    return pipeline.apply(REPRESENTATIVES, table=table, options=options, by=by)


def test_import_representatives_all_or_nothing_and_again_unchanged():
    AreaFactory(name="Millbrook Ward")
    BodyFactory(name="Riverside District Council")
    admin = UserFactory(role="admin")
    rows = [
        {"Name": "Ada Brook", "Ward": "Millbrook Ward", "Party": "Green", "Email": "ada@example.org",
         "Council": "Riverside District Council", "Term ends": "2028-05-04", "Checked": "01/12/2026"},
        {"Name": "Sam Hale", "Ward": "Millbrook Ward", "Party": "Independent", "Email": "",
         "Council": "", "Term ends": "", "Checked": ""},
    ]  # fmt: skip
    _apply(rows, admin)
    ada = Representative.objects.get(name="Ada Brook")
    assert ada.party == "Green" and ada.term_end == date(2028, 5, 4) and ada.last_checked == date(2026, 12, 1)
    assert Representative.objects.get(name="Sam Hale").party_label == "Independent"
    table = Table.from_dicts(rows)
    options = pipeline.ImportOptions(mapping={k: v for k, v in COLUMNS.items() if v in rows[0]})
    again = pipeline.preview(REPRESENTATIVES, table=table, options=options, by=admin)
    assert again.unchanged == 2 and not again.creates and not again.updates
    bad = [{**rows[0], "Ward": "Nowhere", "Email": "not-an-address", "Term ends": "soon"}]
    with pytest.raises(pipeline.ImportRejected) as rejected:
        _apply(bad, admin)
    messages = " ".join(e["message"] for e in rejected.value.plan.errors)
    assert "Nowhere" in messages and "not-an-address" in messages and "soon" in messages
    with pytest.raises(PermissionDenied):
        _apply(rows, UserFactory())


def test_the_daily_command_runs_its_round(capsys):
    reporter = UserFactory()
    report = ReportFactory(owner=reporter)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=30))
    call_command("civic_daily")
    assert "Asked if fixed: 1" in capsys.readouterr().out
