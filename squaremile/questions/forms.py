"""Forms for custom questions: the fields that ask them (`fields_for`, `add_question_fields`) and the
organisers' editor (`QuestionForm`, `QuestionFormSet`, `question_initial`, `questions_from`).

Each question is one form field named `q_<id>` (stable: the same name on the page, in the POST, in
error lists). The field shows the right control for its kind and reads what is sent through
`answers.parse_answer`, so a form stores exactly what the API and the import store.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from squaremile.core.forms import Form, question_label
from squaremile.questions.answers import LONGTEXT_MAX, TEXT_MAX, initial_value, parse_answer
from squaremile.questions.models import HELP_MAX, LABEL_MAX, MAX_CHOICES, Kind, Question

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RADIO_MAX = 6  # a "one of" question with more options is a drop-down list
SCALE_CHOICES = [(str(i), str(i)) for i in range(5)]


class AnswerField(forms.Field):
    """One question's field: the widget suits the kind, `clean()` is `parse_answer`."""

    def __init__(self, question: Question, **kwargs):
        self.question = question
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return parse_answer(self.question, value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


def _widget(question: Question) -> forms.Widget:
    kind = question.kind
    if kind == Kind.LONGTEXT:
        return forms.Textarea(attrs={"rows": 3, "maxlength": LONGTEXT_MAX})
    if kind == Kind.NUMBER:
        return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40})
    if kind == Kind.DATE:
        return DATE_INPUT
    if kind == Kind.YESNO:
        return forms.RadioSelect(choices=[("yes", "Yes"), ("no", "No")])
    if kind == Kind.SCALE:
        return forms.RadioSelect(choices=SCALE_CHOICES)
    if kind == Kind.CHOICE:
        options = [(c, c) for c in question.choice_list]
        if len(options) > RADIO_MAX:
            return forms.Select(choices=[("", "Choose…"), *options])
        return forms.RadioSelect(choices=options)
    if kind == Kind.MULTIPLE:
        return forms.CheckboxSelectMultiple(choices=[(c, c) for c in question.choice_list])
    return forms.TextInput(attrs={"maxlength": TEXT_MAX})


def field_for(question: Question) -> AnswerField:
    """The form field that asks `question`: its label says "(required)" when it is; the help text
    is plain text (escaped where it is shown)."""
    return AnswerField(
        question,
        label=question_label(question.label, required=question.required),
        required=question.required,
        help_text=question.help_text,
        widget=_widget(question),
    )


def fields_for(questions: Iterable[Question]) -> dict[str, AnswerField]:
    """`{"q_<id>": field}` for these questions, in their order."""
    return {question.field_name: field_for(question) for question in questions}


def add_question_fields(form: forms.BaseForm, questions: Iterable[Question], answers: dict | None = None) -> list[str]:
    """Add the questions' fields to a form (after its own), with the stored `answers` (keyed by
    `str(question.pk)`) as initial values when the form is not bound. Returns the field names."""
    names = []
    for question in questions:
        name = question.field_name
        form.fields[name] = field_for(question)
        names.append(name)
        if answers and not form.is_bound and str(question.pk) in answers:
            form.initial[name] = initial_value(question, answers[str(question.pk)])
    return names


def answers_from(cleaned_data: dict, questions: Iterable[Question]) -> dict:
    """The answered questions of a valid form, keyed by `str(question.pk)`, as stored."""
    out = {}
    for question in questions:
        value = cleaned_data.get(question.field_name)
        if value is not None:
            out[str(question.pk)] = value
    return out


# ---------------------------------------------------------------- the organisers' editor


class QuestionForm(Form):
    """One row of the question editor. An empty row (no text) is left out."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label="Question", max_length=LABEL_MAX, required=False)
    kind = forms.ChoiceField(label="Kind of answer", choices=Kind.choices, initial=Kind.TEXT)
    help_text = forms.CharField(label="Hint (optional)", max_length=HELP_MAX, required=False)
    choices = forms.CharField(
        label="Options (for “one of” or “any of”: one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_CHOICES * 200,
    )
    min_value = forms.FloatField(label="Smallest number (optional)", required=False)
    max_value = forms.FloatField(label="Largest number (optional)", required=False)
    required = forms.BooleanField(label="An answer is required", required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("label") or "").strip() or "kind" not in cleaned:
            return cleaned
        question = Question(
            label=cleaned["label"],
            kind=cleaned["kind"],
            choices=cleaned.get("choices") or "",
            min_value=cleaned.get("min_value"),
            max_value=cleaned.get("max_value"),
        )
        try:
            question.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


# At most 40 questions, and never more forms built than that whatever the management form claims
# (absolute_max; Django's default would build up to 1,040, each checked and shown with its errors).
QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, can_delete=True, can_order=True, max_num=40, absolute_max=40, validate_max=True
)


def question_initial(questions: Iterable[Question]) -> list[dict]:
    """The editor's rows for existing questions."""
    return [
        {"id": q.pk, "label": q.label, "kind": q.kind, "help_text": q.help_text, "choices": q.choices,
         "min_value": q.min_value, "max_value": q.max_value, "required": q.required, "ORDER": i + 1}
        for i, q in enumerate(questions)
    ]  # fmt: skip


def questions_from(formset) -> list[dict]:
    """The formset's questions in the chosen order, without deleted or empty rows (for
    `services.save_questions`)."""
    rows = []
    for i, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not (data.get("label") or "").strip():
            continue
        order = data.get("ORDER")
        rows.append((order if order is not None else 10_000 + i, i, data))
    return [data for _order, _i, data in sorted(rows, key=lambda r: (r[0], r[1]))]
