# Entry.date_lo / date_hi become plain columns (they were stored generated columns, which SQLite's
# planner would not read from the covering cell index), and DateCell holds per-month counts for the
# wide date-filtered map views. See clusters.py.

import datetime

from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce

OPEN_START = datetime.date(1, 1, 1)
OPEN_END = datetime.date(9999, 12, 31)


def fill_date_columns(apps, schema_editor):
    """The rule of models.date_span, frozen here, in three statements over the whole table."""
    Entry = apps.get_model("mapping", "Entry")
    Entry.objects.update(
        date_lo=Coalesce("start_date", "announced_on", "takes_effect_on"),
        date_hi=Case(
            When(end_date__isnull=False, then=F("end_date")),
            When(start_date__isnull=False, then=Value(OPEN_END)),
            default=Coalesce("takes_effect_on", "announced_on"),
        ),
    )
    Entry.objects.filter(date_lo__isnull=True, date_hi__isnull=False).update(date_lo=OPEN_START)
    Entry.objects.filter(date_hi__lt=F("date_lo")).update(date_lo=F("date_hi"), date_hi=F("date_lo"))


def finish(apps, schema_editor):
    from squaremile.mapping.cells import clusters, textindex

    # On SQLite, dropping the generated columns rebuilt the entry table, which drops its triggers:
    # put the free-text index (0005) back.
    textindex.ensure(schema_editor.connection)
    # clusters.rebuild_dates is raw SQL over the columns this migration leaves in place.
    Entry = apps.get_model("mapping", "Entry")
    if Entry.objects.exists():
        clusters.rebuild_dates()


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0006_cell_covering_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="DateCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField()),
                ("edge", models.PositiveSmallIntegerField()),
                ("x", models.IntegerField()),
                ("y", models.IntegerField()),
                ("category_id", models.IntegerField()),
                ("verified", models.BooleanField()),
                ("area_id", models.IntegerField(default=0)),
                ("month", models.IntegerField()),
                ("count", models.IntegerField(default=0)),
                ("sum_lat", models.FloatField(default=0)),
                ("sum_lng", models.FloatField(default=0)),
            ],
        ),
        migrations.RemoveIndex(model_name="entry", name="entry_status_cell"),
        migrations.RemoveField(model_name="entry", name="date_lo"),
        migrations.RemoveField(model_name="entry", name="date_hi"),
        migrations.AddField(
            model_name="entry",
            name="date_lo",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="date_hi",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_date_columns, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["status", "cx20", "cy20", "category", "verified", "area", "date_lo", "date_hi", "lat", "lng"],
                name="entry_status_cell",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["status", "date_lo"], name="entry_status_date_lo"),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["status", "date_hi"], name="entry_status_date_hi"),
        ),
        migrations.AddConstraint(
            model_name="datecell",
            constraint=models.UniqueConstraint(
                fields=("level", "edge", "x", "y", "category_id", "verified", "area_id", "month"), name="datecell_key"
            ),
        ),
        migrations.RunPython(finish, migrations.RunPython.noop),
    ]
