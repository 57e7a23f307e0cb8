from django import forms

from squaremile.core.forms import Form, radius_choices


class NearForm(Form):
    lat = forms.FloatField(label="Latitude", min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))  # fmt: skip
    lng = forms.FloatField(label="Longitude", min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))  # fmt: skip
    radius = forms.TypedChoiceField(label="Within", coerce=int, initial=1609)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius"].choices = radius_choices()
