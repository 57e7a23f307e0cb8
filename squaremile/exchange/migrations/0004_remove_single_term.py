# The single term is now in the many-to-many links and the keys (0003).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_copy_single_term")]

    operations = [
        migrations.RemoveIndex(model_name="item", name="exch_match"),
        migrations.RemoveField(model_name="item", name="resource"),
        migrations.RemoveField(model_name="item", name="skill"),
        migrations.RemoveField(model_name="item", name="term"),
    ]
