"""The one error summary (templates/core/includes/_error_summary.html): focusable, first on the page,
a link to each field with a problem (the first choice of a group), and nothing when all is well."""

from django import forms
from django.forms import formset_factory
from django.template.loader import render_to_string

from squaremile.core.forms import Form


class PlaceForm(Form):
    name = forms.CharField(label="Name")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    picks = forms.MultipleChoiceField(label="Picks", choices=[("1", "One")], widget=forms.CheckboxSelectMultiple)

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


class QuestionForm(Form):
    text = forms.CharField(label="Question", max_length=5)


def summary(**context):
    return render_to_string("core/includes/_error_summary.html", context)


def test_nothing_when_the_form_is_fine():
    form = Form(data={})
    assert form.is_valid()
    assert summary(form=form).strip() == ""


def test_links_to_each_field_and_is_focusable():
    form = PlaceForm(data={})
    assert not form.is_valid()
    html = summary(
        form=form, summary_title="Please check the place", summary_note="Everything you typed is still here."
    )
    assert 'role="alert" tabindex="-1" id="error-summary" autofocus' in html
    assert "<h2>Please check the place</h2>" in html and "Everything you typed is still here." in html
    assert "<li>Something about the whole form.</li>" in html
    assert 'href="#id_name">Name: This field is required.' in html
    assert 'href="#id_kind_0">Kind: This field is required.' in html  # the first radio, not the group
    assert 'href="#id_picks_0">Picks: This field is required.' in html
    assert "<h2>Please check the form</h2>" in summary(form=form, title="A page's own title")


def test_a_field_without_an_input_is_listed_without_a_link():
    form = PlaceForm(data={})
    form.is_valid()
    html = summary(form=form, summary_unlinked="picks")
    assert "<li>This field is required.</li>" in html and "#id_picks_0" not in html


def test_formset_errors_are_listed_with_their_number():
    form = Form(data={})
    form.is_valid()
    formset = formset_factory(QuestionForm, extra=0)(
        data={"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-text": "Fine", "form-1-text": "Far too long"}
    )
    assert not formset.is_valid()
    html = summary(form=form, summary_formset=formset, summary_formset_label="Custom question")
    assert 'href="#id_form-1-text">Custom question 2: Ensure this value has at most 5 characters' in html


class EntryLikeForm(Form):
    title = forms.CharField(label="Title")
    q_12 = forms.CharField(label="How many?", required=False)


def test_a_services_refusal_lands_on_the_fields_it_names():
    form = EntryLikeForm(data={"title": "Hall"})
    assert form.is_valid()
    form.add_service_errors(
        forms.ValidationError({"title": ["Too like another."], "answers.12": ["A number."], "area": ["Gone."]}),
        field_for=lambda name: "q_" + name.split(".", 1)[1] if name.startswith("answers.") else name,
    )
    assert form.errors["title"] == ["Too like another."]
    assert form.errors["q_12"] == ["A number."]
    assert form.non_field_errors() == ["Gone."]  # no such field: at the top of the form


def test_a_refusal_without_fields_goes_to_the_top():
    form = EntryLikeForm(data={"title": "Hall"})
    form.is_valid()
    form.add_service_errors(forms.ValidationError("This survey is closed."))
    assert form.non_field_errors() == ["This survey is closed."] and not form.is_valid()
