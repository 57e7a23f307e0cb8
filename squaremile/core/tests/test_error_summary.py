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
