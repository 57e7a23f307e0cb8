"""The surveys' custom questions move to the shared `questions.Question` (generic owner). Ids are kept
where free; where one is taken (by a map category's question copied first), the responses' answers are
re-keyed to the new id in this same migration, so no answer is lost. Yes/no answers, stored as
"yes"/"no" here, become true/false as everywhere else; numbers keep the range the questionnaire
allowed (-1,000,000 to 1,000,000). Going back reverses both (kinds the network did not have become
text)."""

from django.db import migrations

from squaremile.questions.migration_copy import copy_in, copy_out, owner_type, rewrite_keys

OLD = ("network", "Question")
OWNER = ("network", "survey")
NETWORK_KINDS = {"text", "longtext", "number", "choice", "scale", "yesno"}
RANGE = 1_000_000


def _number_range(row):
    return {"min_value": -RANGE, "max_value": RANGE} if row.kind == "number" else {}


def _rewrite(apps, change) -> None:
    Response = apps.get_model("network", "Response")
    batch = []
    for response in Response.objects.exclude(answers={}).only("pk", "answers").iterator(chunk_size=2000):
        answers = change(response.answers or {})
        if answers != response.answers:
            response.answers = answers
            batch.append(response)
        if len(batch) >= 1000:
            Response.objects.bulk_update(batch, ["answers"])
            batch = []
    if batch:
        Response.objects.bulk_update(batch, ["answers"])


def forward(apps, schema_editor):
    moved = copy_in(apps, schema_editor, old=OLD, owner_field="survey", owner=OWNER, extra=_number_range)
    Question = apps.get_model("questions", "Question")
    yesno = {
        str(pk)
        for pk in Question.objects.filter(owner_type=owner_type(apps, *OWNER), kind="yesno").values_list(
            "pk", flat=True
        )
    }

    def change(answers):
        answers = rewrite_keys(answers, moved)
        return {k: (v == "yes" if k in yesno and v in ("yes", "no") else v) for k, v in answers.items()}

    _rewrite(apps, change)


def backward(apps, schema_editor):
    Question = apps.get_model("questions", "Question")
    yesno = {
        str(pk)
        for pk in Question.objects.filter(owner_type=owner_type(apps, *OWNER), kind="yesno").values_list(
            "pk", flat=True
        )
    }
    _rewrite(
        apps,
        lambda answers: {
            k: (("yes" if v else "no") if k in yesno and isinstance(v, bool) else v) for k, v in answers.items()
        },
    )
    copy_out(
        apps,
        schema_editor,
        old=OLD,
        owner_field="survey",
        owner=OWNER,
        kinds=lambda q: {} if q.kind in NETWORK_KINDS else {"kind": "text"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("questions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
