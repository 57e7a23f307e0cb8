from django import forms

from squaremile.core.forms import Form
from squaremile.notifications.models import Delivery


class PreferencesForm(Form):
    """One choice per kind of notification this person may hear about."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = []
        for kind, current in choices:
            name = "kind_" + kind.key.replace(".", "__")
            self.fields[name] = forms.ChoiceField(
                label=kind.label, help_text=kind.description, choices=Delivery.choices,
                initial=current, widget=forms.RadioSelect,
            )  # fmt: skip
            self.kinds.append((name, kind))

    def choices(self) -> dict[str, str]:
        return {kind.key: self.cleaned_data[name] for name, kind in self.kinds}
