# An item may carry several skills and resources, or none (issue 17): the many-to-many links and the
# keys matching reads. The single term is copied over by 0003 and removed by 0004.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_organisation_external_id"),
        ("exchange", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40)),
                ("side", models.CharField(choices=[("want", "Want"), ("offer", "Offer")], max_length=5)),
                ("cell", models.BigIntegerField(default=-1)),
                ("tagged", models.BooleanField(default=True, help_text="The item has at least one taxonomy term.")),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="exchange.item"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["side", "key", "cell"], name="exch_key")],
                "constraints": [models.UniqueConstraint(fields=("item", "key"), name="exch_key_once")],
            },
        ),
        migrations.AddField(
            model_name="item",
            name="resources",
            field=models.ManyToManyField(blank=True, related_name="+", to="directory.resourcekind"),
        ),
        migrations.AddField(
            model_name="item",
            name="skills",
            field=models.ManyToManyField(blank=True, related_name="+", to="directory.skill"),
        ),
    ]
