# The single term is now in the many-to-many links and the keys (0003).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_copy_single_term")]

    operations = [
        # a default first, so that going back re-adds the column filled (0003 backwards then sets it)
        migrations.AlterField(
            model_name="item", name="term", field=models.CharField(max_length=12, editable=False, default="")
        ),
        migrations.RemoveIndex(model_name="item", name="exch_match"),
        migrations.RemoveField(model_name="item", name="resource"),
        migrations.RemoveField(model_name="item", name="skill"),
        migrations.RemoveField(model_name="item", name="term"),
    ]
