"""Faster typo-tolerant name lookups: an fts5vocab table to pick a query's rarest trigrams
(SQLite), and a GiST trigram index for nearest-neighbour ordering (PostgreSQL)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from squaremile.core.search import install_index_v2

    install_index_v2(schema_editor)


def backwards(apps, schema_editor):
    from squaremile.core.search import uninstall_index_v2

    uninstall_index_v2(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]
