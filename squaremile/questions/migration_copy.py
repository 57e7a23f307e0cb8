"""Helpers for the feature apps' data migrations that move their own question rows into
`questions.Question` (and back). Used from migrations, so they work on historical models only.

Ids are kept where they are free, so answers keyed by `str(question.pk)` stay as they are; a question
whose id is already taken (by another app's question copied first) gets a new id, and the returned
`{old: new}` tells the migration which answer keys to rewrite. Going back, the old table is empty
again, so every question gets back its shared id and no answer key changes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.color import no_style

FIELDS = ("label", "help_text", "kind", "choices", "required", "position")


def _reset_sequence(schema_editor, model) -> None:
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), [model])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def owner_type(apps, app_label: str, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def copy_in(
    apps,
    schema_editor,
    *,
    old: tuple[str, str],
    owner_field: str,
    owner: tuple[str, str],
    extra: Callable | None = None,
) -> dict[int, int]:
    """Copy every row of the `old` question model (owned through `owner_field`) into
    `questions.Question` with the owner's content type. `extra(row) -> dict` adds field values
    (such as a number's range). Returns `{old_id: new_id}` for the rows whose id changed."""
    Old = apps.get_model(*old)
    Question = apps.get_model("questions", "Question")
    ct = owner_type(apps, *owner)
    rows = list(Old.objects.order_by("pk"))
    if not rows:
        return {}
    taken = set(Question.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))

    def build(row, **pk):
        values = {name: getattr(row, name) for name in FIELDS}
        values.update(extra(row) if extra else {})
        return Question(owner_type_id=ct.pk, owner_id=getattr(row, f"{owner_field}_id"), **values, **pk)

    Question.objects.bulk_create([build(r, pk=r.pk) for r in rows if r.pk not in taken], batch_size=500)
    _reset_sequence(schema_editor, Question)
    moved = {}
    for row in rows:
        if row.pk in taken:
            question = build(row)
            question.save()
            moved[row.pk] = question.pk
    return moved


def copy_out(
    apps,
    schema_editor,
    *,
    old: tuple[str, str],
    owner_field: str,
    owner: tuple[str, str],
    kinds: Callable | None = None,
) -> None:
    """Going back: copy the owner type's shared questions into the (empty again) `old` model with the
    same ids, and delete them from `questions.Question`. `kinds(question) -> dict` adjusts values the
    old model cannot hold (a kind it did not have)."""
    Old = apps.get_model(*old)
    Question = apps.get_model("questions", "Question")
    ct = owner_type(apps, *owner)
    shared = list(Question.objects.filter(owner_type_id=ct.pk).order_by("pk"))
    rows = []
    for q in shared:
        values = {name: getattr(q, name) for name in FIELDS}
        values.update(kinds(q) if kinds else {})
        rows.append(Old(pk=q.pk, **{f"{owner_field}_id": q.owner_id}, **values))
    Old.objects.bulk_create(rows, batch_size=500)
    _reset_sequence(schema_editor, Old)
    Question.objects.filter(owner_type_id=ct.pk).delete()


def rewrite_keys(answers: dict, moved: dict[int, int]) -> dict:
    """Answers keyed by `str(old id)` keyed by `str(new id)` where the id changed."""
    return {str(moved.get(int(k), k)) if str(k).isdigit() else k: v for k, v in answers.items()}
