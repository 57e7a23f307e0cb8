"""Forms of the method library: a method (with its steps), the filters, the helper, "we used
this", a collection."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.core.forms import Form, ModelForm
from squaremile.methods.models import Method, Purpose, Setting

SETTING_FILTER = [("", "Any"), (Setting.FACE, "Face to face"), (Setting.ONLINE, "Online")]


class MethodForm(ModelForm):
    purposes = forms.MultipleChoiceField(
        choices=Purpose.choices, widget=forms.CheckboxSelectMultiple, required=True, label="What is it for?"
    )

    class Meta:
        model = Method
        fields = [
            "name", "summary", "purposes", "description", "min_people", "max_people", "minutes", "setting",
            "difficulty", "materials", "facilitator_skills", "tips", "variations", "origin", "licence", "links",
        ]  # fmt: skip
        labels = {"min_people": "Smallest group", "max_people": "Largest group"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "materials": forms.Textarea(attrs={"rows": 3}),
            "facilitator_skills": forms.Textarea(attrs={"rows": 2}),
            "tips": forms.Textarea(attrs={"rows": 4}),
            "variations": forms.Textarea(attrs={"rows": 3}),
            "origin": forms.Textarea(attrs={"rows": 2}),
            "links": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "licence": "How others may reuse the words. CC BY-SA 4.0 unless you choose otherwise.",
            "origin": "Who devised it, where it comes from; credit them.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["purposes"] = self.instance.purpose_list

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_people"), data.get("max_people")
        if lo and hi and hi < lo:
            self.add_error("max_people", "The largest group must be at least the smallest.")
        return data

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StepForm(Form):
    title = forms.CharField(max_length=160, required=False, label="Step")
    minutes = forms.IntegerField(min_value=0, max_value=1440, required=False, label="Minutes")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What happens")


StepFormSet = formset_factory(StepForm, extra=3, max_num=30, validate_max=True)


class EditNoteForm(Form):
    note = forms.CharField(max_length=300, required=False, label="What did you change, and why?")


class FilterForm(Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    purpose = forms.ChoiceField(choices=[("", "Any")] + list(Purpose.choices), required=False, label="For")
    people = forms.IntegerField(required=False, min_value=1, max_value=100000, label="How many people")
    minutes = forms.IntegerField(required=False, min_value=1, max_value=100000, label="Minutes we have")
    setting = forms.ChoiceField(choices=SETTING_FILTER, required=False, label="Where")
    sort = forms.ChoiceField(choices=[("name", "A to Z"), ("used", "Most used")], required=False, label="Order")


class HelperForm(Form):
    people = forms.IntegerField(min_value=1, max_value=100000, label="How many people?")
    minutes = forms.IntegerField(min_value=5, max_value=100000, label="How many minutes do you have?")
    setting = forms.ChoiceField(
        choices=[(Setting.FACE, "Face to face"), (Setting.ONLINE, "Online")], label="Where?", widget=forms.RadioSelect
    )
    words = forms.CharField(
        max_length=300,
        label="What do you want to do?",
        help_text="In your own words, e.g. “find out what skills we have” or “decide what to do with the garden”.",
    )


class UsageReportForm(Form):
    used_on = forms.DateField(
        label="When did you use it?", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    place = forms.CharField(max_length=160, required=False, label="Where?")
    people = forms.IntegerField(min_value=1, max_value=100000, label="How many people took part?")
    worked = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What worked?")
    did_not_work = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What didn’t?")
    link = forms.CharField(
        max_length=300, required=False, label="An event or story about it (optional)",
        help_text="Paste the address of its page on this site.",
    )  # fmt: skip
    photos = AttachmentsField(required=False, label="Photos (optional)", max_files=4)
    photo_alt = AltTextsField(for_field="photos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("used_on", timezone.localdate())


class CollectionForm(Form):
    title = forms.CharField(max_length=140)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    methods = forms.ModelMultipleChoiceField(
        queryset=Method.objects.none(), widget=forms.CheckboxSelectMultiple, label="Methods in it"
    )

    def __init__(self, *args, methods_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods"].queryset = methods_qs if methods_qs is not None else Method.objects.none()


class ImportForm(Form):
    file = forms.FileField(label="A JSON or CSV file exported from a Square Mile library")
