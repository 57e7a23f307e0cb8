"""An index for the "type" filter of the organisation lists (web and API), ordered like the lists:
without it a filter by type reads every organisation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_taxonomy")]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["org_type", "name", "id"], name="org_type_name"),
        ),
    ]
