"""The categories' extra questions move to the shared `questions.Question` (generic owner). Ids are
kept where free; where one is taken, the entries' answers are re-keyed to the new id in this same
migration, so no answer is lost. Going back copies them into CategoryQuestion with the same ids
(kinds the map did not have become text, a scale a number)."""

from django.db import migrations

from squaremile.questions.migration_copy import copy_in, copy_out, rewrite_keys

OLD = ("mapping", "CategoryQuestion")
OWNER = ("mapping", "category")
MAP_KINDS = {"text", "number", "choice", "date", "yesno"}
BACK = {"longtext": "text", "multiple": "text", "scale": "number"}


def forward(apps, schema_editor):
    moved = copy_in(apps, schema_editor, old=OLD, owner_field="category", owner=OWNER)
    if not moved:
        return
    Entry = apps.get_model("mapping", "Entry")
    batch = []
    for entry in Entry.objects.exclude(answers={}).only("pk", "answers").iterator(chunk_size=2000):
        if any(str(k).isdigit() and int(k) in moved for k in entry.answers or {}):
            entry.answers = rewrite_keys(entry.answers, moved)
            batch.append(entry)
        if len(batch) >= 1000:
            Entry.objects.bulk_update(batch, ["answers"])
            batch = []
    if batch:
        Entry.objects.bulk_update(batch, ["answers"])


def backward(apps, schema_editor):
    copy_out(
        apps,
        schema_editor,
        old=OLD,
        owner_field="category",
        owner=OWNER,
        kinds=lambda q: {} if q.kind in MAP_KINDS else {"kind": BACK.get(q.kind, "text")},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0011_delete_entryphoto"),
        ("questions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
