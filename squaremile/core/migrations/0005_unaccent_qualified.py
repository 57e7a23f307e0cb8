"""PostgreSQL: sqm_unaccent calls unaccent by its schema, so that a pg_dump of the database restores
(pg_restore runs with an empty search_path; see squaremile/core/backup.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from squaremile.core.search import install_unaccent_qualified

    install_unaccent_qualified(schema_editor)


def backwards(apps, schema_editor):
    from squaremile.core.search import uninstall_unaccent_qualified

    uninstall_unaccent_qualified(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_job")]
    operations = [migrations.RunPython(forwards, backwards)]
