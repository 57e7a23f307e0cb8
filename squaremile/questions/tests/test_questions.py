"""The question model's checks, the form builder, the organisers' editor and `save_questions`. The
owner here is an area (any model can own questions); the map and the network have their own tests."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.forms import Form
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions import services
from squaremile.questions.forms import QuestionFormSet, add_question_fields, answers_from, questions_from
from squaremile.questions.models import Kind, Question
from squaremile.questions.selectors import questions_of
from squaremile.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert(1)</script>"'


@pytest.fixture
def area():
    return AreaFactory()


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


# ---- the model ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"label": "  "}, "label"),
        ({"kind": "colour"}, "kind"),
        ({"kind": Kind.CHOICE, "choices": "Only one"}, "choices"),
        ({"kind": Kind.MULTIPLE, "choices": "A\na"}, "choices"),
        ({"kind": Kind.NUMBER, "min_value": 5, "max_value": 1}, "max_value"),
        ({"kind": Kind.NUMBER, "min_value": float("inf")}, "min_value"),
    ],
)
def test_clean_refuses_what_cannot_be_asked(values, field):
    with pytest.raises(ValidationError) as err:
        Question(**{"label": "Q", **values}).clean()
    assert field in err.value.message_dict


def test_clean_tidies_choices_and_drops_a_range_that_does_not_apply():
    question = Question(label=" Q ", kind=Kind.CHOICE, choices="\n A \n\nB\n", min_value=1)
    question.clean()
    assert (question.label, question.choices, question.min_value) == ("Q", "A\nB", None)


# ---- the form builder --------------------------------------------------------------------
class _Form(Form):
    def __init__(self, *args, questions, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.names = add_question_fields(self, questions, answers)


def test_fields_have_stable_names_labels_and_controls(area):
    made = [
        QuestionFactory(owner=area, label="Name", kind=Kind.TEXT, required=True, help_text=HOSTILE),
        QuestionFactory(owner=area, label="Story", kind=Kind.LONGTEXT),
        QuestionFactory(owner=area, label="Seats", kind=Kind.NUMBER),
        QuestionFactory(owner=area, label="Since", kind=Kind.DATE),
        QuestionFactory(owner=area, label="Step-free?", kind=Kind.YESNO),
        QuestionFactory(owner=area, label="How often", kind=Kind.CHOICE, choices="Weekly\nMonthly"),
        QuestionFactory(owner=area, label="Which days", kind=Kind.MULTIPLE, choices="Mon\nTue\nWed"),
        QuestionFactory(owner=area, label="Willing", kind=Kind.SCALE),
        QuestionFactory(owner=area, label="Ward", kind=Kind.CHOICE, choices="\n".join(f"W{i}" for i in range(8))),
    ]
    form = _Form(questions=list(questions_of(area)))
    assert form.names == [f"q_{q.pk}" for q in made]
    html = form.as_div()
    assert "Name (required)" in html and "Story (required)" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html  # organisers' help text is text
    widgets = [form[name].widget_type for name in form.names]
    assert widgets == ["text", "textarea", "text", "date", "radioselect", "radioselect", "checkboxselectmultiple",
                       "radioselect", "select"]  # fmt: skip
    assert 'inputmode="decimal"' in str(form[form.names[2]])
    assert "required" in str(form[form.names[0]]) and "required" not in str(form[form.names[1]])


def test_posted_answers_go_through_the_parser(area):
    seats = QuestionFactory(owner=area, label="Seats", kind=Kind.NUMBER, required=True, min_value=0)
    step = QuestionFactory(owner=area, label="Step-free?", kind=Kind.YESNO)
    days = QuestionFactory(owner=area, label="Days", kind=Kind.MULTIPLE, choices="Mon\nTue")
    questions = [seats, step, days]
    form = _Form({f"q_{seats.pk}": "-1", f"q_{step.pk}": "maybe"}, questions=questions)
    assert not form.is_valid()
    assert form.errors[f"q_{seats.pk}"] == ["Give a number of 0 or more."]
    assert form.errors[f"q_{step.pk}"] == ["Answer yes or no."]
    form = _Form({f"q_{seats.pk}": "1,200", f"q_{step.pk}": "yes", f"q_{days.pk}": ["Tue", "Mon"]}, questions=questions)
    assert form.is_valid(), form.errors
    assert answers_from(form.cleaned_data, questions) == {str(seats.pk): 1200, str(step.pk): True,
                                                          str(days.pk): ["Mon", "Tue"]}  # fmt: skip
    form = _Form({f"q_{seats.pk}": ""}, questions=questions)
    assert form.errors[f"q_{seats.pk}"] == ["This question needs an answer."]


def test_stored_answers_are_shown_again(area):
    step = QuestionFactory(owner=area, label="Step-free?", kind=Kind.YESNO)
    days = QuestionFactory(owner=area, label="Days", kind=Kind.MULTIPLE, choices="Mon\nTue")
    form = _Form(questions=[step, days], answers={str(step.pk): False, str(days.pk): ["Tue"]})
    assert form.initial == {f"q_{step.pk}": "no", f"q_{days.pk}": ["Tue"]}
    html = str(form[f"q_{step.pk}"])
    assert html.count("checked") == 1 and 'value="no" id="id_q_' in html and html.index("checked") > html.index('"no"')


# ---- the organisers' editor and the service ----------------------------------------------
def _rows(*rows, initial=0):
    data = {"q-TOTAL_FORMS": str(len(rows)), "q-INITIAL_FORMS": str(initial), "q-MAX_NUM_FORMS": "40"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"q-{i}-{key}"] = value
    return data


def test_editor_checks_rows_and_orders_them():
    formset = QuestionFormSet(_rows({"label": "Colour", "kind": "choice", "choices": "Red"}), prefix="q")
    assert not formset.is_valid()
    assert formset.forms[0].errors["choices"] == ["Give at least two options, one per line."]
    formset = QuestionFormSet(_rows({"label": "Age", "kind": "number", "min_value": "9", "max_value": "1"}), prefix="q")
    assert not formset.is_valid() and "max_value" in formset.forms[0].errors
    formset = QuestionFormSet(
        _rows({"label": "B", "kind": "text", "ORDER": "2"}, {"label": "", "kind": "text"},
              {"label": "A", "kind": "yesno", "ORDER": "1"}, {"label": "Gone", "kind": "text", "DELETE": "on"}),
        prefix="q",
    )  # fmt: skip
    assert formset.is_valid(), formset.errors
    assert [row["label"] for row in questions_from(formset)] == ["A", "B"]


def test_save_questions_keeps_ids_reorders_and_deletes(area, admin):
    first, second = services.save_questions(
        owner=area, by=admin, action="area.change",
        items=[{"label": "Ward?", "kind": "text"}, {"label": "Colour", "kind": "choice", "choices": "Red\nBlue"}],
    )  # fmt: skip
    services.save_questions(
        owner=area, by=admin, action="area.change",
        items=[{"id": second.pk, "label": "Colour", "kind": "choice", "choices": "Red\nBlue\nGreen"},
               {"label": "Age", "kind": "number", "min_value": 0, "max_value": 120}],
    )  # fmt: skip
    assert [(q.label, q.position) for q in questions_of(area)] == [("Colour", 0), ("Age", 1)]
    assert questions_of(area).get(label="Colour").pk == second.pk
    assert not Question.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError) as err:
        services.save_questions(owner=area, by=admin, action="area.change",
                                items=[{"label": "C", "kind": "choice"}, {"label": "", "kind": "text"}])  # fmt: skip
    assert err.value.message_dict["questions"] == [
        "Question 1: Give at least two options, one per line.",
        "Question 2: Give the question's text.",
    ]
    assert questions_of(area).count() == 2  # nothing saved


def test_save_questions_is_permission_checked_and_ids_of_other_owners_are_not_taken(area, admin):
    other = QuestionFactory(owner=AreaFactory(), label="Theirs")
    with pytest.raises(PermissionDenied):
        services.save_questions(owner=area, by=UserFactory(), action="area.change", items=[])
    (mine,) = services.save_questions(
        owner=area, by=admin, action="area.change", items=[{"id": other.pk, "label": "Mine", "kind": "text"}]
    )
    assert mine.pk != other.pk and Question.objects.get(pk=other.pk).label == "Theirs"
