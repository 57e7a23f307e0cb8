"""Moderators' e-mail choices move to the one notification system: "at once" / "daily digest" / "no
e-mail" become the choice for the kind "mapping.entry_waiting" (immediate / daily / off)."""

from django.db import migrations

KIND = "mapping.entry_waiting"
FORWARD = {"immediate": "immediate", "digest": "daily", "off": "off"}
BACK = {"immediate": "immediate", "daily": "digest", "weekly": "digest", "off": "off"}


def forward(apps, schema_editor):
    Old = apps.get_model("mapping", "ModerationPreference")
    Preference = apps.get_model("notifications", "Preference")
    rows = [
        Preference(user_id=user_id, kind=KIND, delivery=FORWARD.get(mode, "immediate"))
        for user_id, mode in Old.objects.values_list("user_id", "mode")
    ]
    Preference.objects.bulk_create(rows, ignore_conflicts=True)


def backward(apps, schema_editor):
    Old = apps.get_model("mapping", "ModerationPreference")
    Preference = apps.get_model("notifications", "Preference")
    Old.objects.bulk_create(
        [
            Old(user_id=user_id, mode=BACK.get(delivery, "immediate"))
            for user_id, delivery in Preference.objects.filter(kind=KIND).values_list("user_id", "delivery")
        ],
        ignore_conflicts=True,
    )
    Preference.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0008_entry_history_to_audit"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="ModerationPreference"),
    ]
