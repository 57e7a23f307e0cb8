"""The full-text index beside core_searchdocument: FTS5 on SQLite, tsvector + pg_trgm on
PostgreSQL. See squaremile/core/search.py."""

from django.db import migrations


def forwards(apps, schema_editor):
    from squaremile.core.search import install_index

    install_index(schema_editor)


def backwards(apps, schema_editor):
    from squaremile.core.search import uninstall_index

    uninstall_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
