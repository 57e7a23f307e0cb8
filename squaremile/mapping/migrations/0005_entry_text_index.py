"""Free-text search over entries' titles and descriptions, fast on a million entries.

* SQLite: an FTS5 table over mapping_entry (external content: nothing stored twice), kept in step by
  triggers; the `q` filter asks it for the matching ids.
* PostgreSQL: trigram GIN indexes on UPPER(title) and UPPER(description), which serve Django's
  `icontains` (UPPER(...) LIKE UPPER(...)).

`manage.py rebuild_map_cells` re-creates the SQLite triggers and the index if they went missing
(a later migration that rebuilds the mapping_entry table on SQLite drops its triggers).
"""

from django.db import migrations

from squaremile.mapping.cells.textindex import install, uninstall


def forwards(apps, schema_editor):
    install(schema_editor.connection)


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("mapping", "0004_entry_date_span")]

    operations = [migrations.RunPython(forwards, backwards)]
