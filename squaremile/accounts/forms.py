from django import forms

from squaremile.accounts.models import Profile
from squaremile.core.forms import (
    ChipsSelectMultiple,
    Form,
    LocationFieldsMixin,
    ModelForm,
    grouped_skill_choices,
    radius_choices,
)
from squaremile.places.forms import PlaceLookupMixin
from squaremile.places.models import Area


def _related(name: str):
    """The model at the other end of a profile relation. `profile.skills` and `profile.resources` are
    declared by the directory on its taxonomy (pointing down at Profile), so this form asks the relation
    for the model rather than importing the directory, which sits above accounts."""
    return Profile._meta.get_field(name).related_model


class ProfileForm(PlaceLookupMixin, LocationFieldsMixin, ModelForm):
    """A short form on a phone: the square mile first (a place name, or a tap on the map), then
    skills and resources as chips, then who sees what (templates: accounts/profile_form.html)."""

    skills = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                            label="Skills you have", widget=ChipsSelectMultiple)  # fmt: skip
    resources = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Resources you could share", widget=ChipsSelectMultiple,
    )  # fmt: skip
    radius_m = forms.TypedChoiceField(label="How far does your square mile reach?", coerce=int,
                                      help_text="In the countryside your patch may be many miles.")  # fmt: skip
    home_area = forms.ModelChoiceField(queryset=Area.objects.defer("boundary").order_by("name"), required=False,
                                       label="Home area", empty_label="Not set")  # fmt: skip

    class Meta:
        model = Profile
        fields = [
            "display_name", "bio", "home_area", "lat", "lng", "radius_m", "skills", "resources", "willingness",
            "profile_visibility", "place_visibility", "skills_visibility",
        ]  # fmt: skip
        labels = {"display_name": "Your name as others see it"}
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "willingness": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = _related("skills").objects.all()
        self.fields["resources"].queryset = _related("resources").objects.order_by("name")
        self.fields["skills"].choices = grouped_skill_choices(self.fields["skills"].queryset)
        self.fields["skills"].widget.choices = self.fields["skills"].choices
        choices = radius_choices()
        current = self.instance.radius_m if self.instance and self.instance.pk else None
        if current and current not in dict(choices):
            choices.append((current, f"{current / 1609.344:.1f} miles"))
        self.fields["radius_m"].choices = choices
        self.fields["lat"].help_text = "The centre of your square mile, if you would rather type it."
        self.fields["place"].label = "Where is your square mile?"
        self.fields["place"].help_text = "Type a street, a village or a postcode, or tap the map below."
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["skills"] = list(self.instance.skills.values_list("pk", flat=True))
            self.initial["resources"] = list(self.instance.resources.values_list("pk", flat=True))


class ApiTokenForm(Form):
    name = forms.CharField(max_length=80, label="What is this token for?",
                           help_text="For example: “our website’s events feed”.")  # fmt: skip


class DeleteAccountForm(Form):
    password = forms.CharField(
        label="Your password, to confirm", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
