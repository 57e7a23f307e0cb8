from django import forms
from django.core.validators import MaxLengthValidator

from squaremile.core.forms import (
    FastSelect,
    Form,
    LocationFieldsMixin,
    ModelForm,
    grouped_skill_choices,
    radius_choices,
)
from squaremile.directory import hours
from squaremile.directory.models import Organisation, Project, ResourceKind, Skill
from squaremile.places.forms import PlaceLookupMixin
from squaremile.places.models import Area

DESCRIPTION_MAX = 10_000


class _DirectoryForm(LocationFieldsMixin, ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "skills" in self.fields:
            self.fields["skills"].queryset = Skill.objects.all()
            self.fields["skills"].choices = grouped_skill_choices(Skill.objects.all())
            self.fields["skills"].widget = forms.CheckboxSelectMultiple(choices=self.fields["skills"].choices)
        for name in ("name",):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "maxlength": 200})
        if "description" in self.fields:
            # the same limit as the API; the widget's maxlength alone is only a hint to the browser
            self.fields["description"].max_length = DESCRIPTION_MAX
            self.fields["description"].validators.append(MaxLengthValidator(DESCRIPTION_MAX))


class OpeningHoursWidget(forms.MultiWidget):
    """Fourteen time boxes: opens and closes for each day, Monday first."""

    template_name = "directory/widgets/opening_hours.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        box = {"type": "time", "step": 300}
        boxes = [forms.TimeInput(attrs=box, format="%H:%M") for _ in range(2 * len(hours.DAYS))]
        super().__init__(boxes, attrs)

    def decompress(self, value):
        value = hours.well_formed(value)
        return [t for day in hours.DAYS for t in (list(value.get(day) or ["", ""]) + ["", ""])[:2]]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subs = context["widget"]["subwidgets"]
        context["widget"]["rows"] = [
            {"name": hours.DAY_NAMES[day], "opens": subs[2 * i], "closes": subs[2 * i + 1]}
            for i, day in enumerate(hours.DAYS)
        ]
        return context


class OpeningHoursField(forms.MultiValueField):
    """The form side of `directory.hours`: gives the stored dict, each day's problem named."""

    widget = OpeningHoursWidget

    def __init__(self, **kwargs):
        fields = [forms.CharField(required=False, max_length=8) for _ in range(2 * len(hours.DAYS))]
        for model_only in ("encoder", "decoder", "required", "max_length"):
            kwargs.pop(model_only, None)
        super().__init__(fields=fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        data_list = list(data_list or []) + [""] * (2 * len(hours.DAYS))
        out, problems = {}, []
        for i, day in enumerate(hours.DAYS):
            opens, closes = (str(v or "").strip()[:5] for v in data_list[2 * i : 2 * i + 2])
            if not opens and not closes:
                continue
            if not opens or not closes:
                problems.append(f"{hours.DAY_NAMES[day]}: give both the opening and the closing time, or neither.")
                continue
            out[day] = [opens, closes]
        if problems:
            raise forms.ValidationError(problems)
        hours.validate_hours(out)
        return out


class OrganisationForm(_DirectoryForm):
    areas_served = forms.ModelMultipleChoiceField(
        queryset=Area.objects.defer("boundary").order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text="The areas where you work, if more than where you are.",
    )  # fmt: skip
    resources = forms.ModelMultipleChoiceField(
        queryset=ResourceKind.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple,
        label="Resources you can share",
    )  # fmt: skip

    class Meta:
        model = Organisation
        fields = [
            "name", "stream", "org_type", "description", "website", "address", "lat", "lng",
            "areas_served", "skills", "resources", "email", "phone", "contact_visibility",
            "opening_hours", "hours_note",
        ]  # fmt: skip
        field_classes = {"opening_hours": OpeningHoursField}
        labels = {
            "skills": "Skills you offer", "stream": "Which kind of actor is it?",
            "opening_hours": "Opening hours (optional)", "hours_note": "About the opening hours (optional)",
        }  # fmt: skip
        help_texts = {
            "description": "What you do and how people can join in. You can use simple formatting (markdown).",
            "website": "Starting with https://",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6, "maxlength": 10000})}


class ProjectForm(_DirectoryForm):
    class Meta:
        model = Project
        fields = [
            "name", "status", "description", "organisations", "start_date", "end_date",
            "website", "lat", "lng", "skills",
        ]  # fmt: skip
        labels = {"skills": "Skills the project uses or needs"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 10000}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A directory can hold thousands of organisations: name them rather than scroll a list.
        self.fields["organisations"] = OrganisationSlugsField(required=False)
        if self.instance.pk and not self.is_bound:
            self.initial["organisations"] = list(self.instance.organisations.all())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return cleaned


class OrganisationSlugsField(forms.CharField):
    """Organisations named by their web address (slug) or exact name, one per line."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Organisations")
        kwargs.setdefault("help_text", "One per line: the organisation's name exactly as in the directory.")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)) or hasattr(value, "all"):
            items = value.all() if hasattr(value, "all") else value
            names = []
            for item in items:
                names.append(item.name if isinstance(item, Organisation) else str(item))
            return "\n".join(names)
        return value

    def clean(self, value):
        value = super().clean(value)
        names = [line.strip() for line in (value or "").splitlines() if line.strip()]
        found, missing = [], []
        if len(names) > 20:
            raise forms.ValidationError("Name at most 20 organisations.")
        for name in names:
            org = Organisation.objects.filter(name__iexact=name).order_by("id").first()
            if org is None:
                missing.append(name)
            else:
                found.append(org)
        if missing:
            raise forms.ValidationError("Not in the directory: " + ", ".join(missing))
        return found


class DirectoryFilterForm(Form):
    """The filters of a directory list; unknown values are ignored rather than failing."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    stream = forms.ChoiceField(required=False, widget=FastSelect)
    org_type = forms.ChoiceField(required=False, label="Type", widget=FastSelect)
    area = forms.ModelChoiceField(queryset=Area.objects.only("id", "name", "slug").order_by("name"), required=False,
                                  to_field_name="slug", empty_label="Anywhere", widget=FastSelect)  # fmt: skip
    skill = forms.ModelChoiceField(queryset=Skill.objects.only("id", "name", "slug").order_by("name"), required=False,
                                   to_field_name="slug", empty_label="Any skill", widget=FastSelect)  # fmt: skip

    def __init__(self, *args, **kwargs):
        from squaremile.directory.models import OrganisationType, Stream

        super().__init__(*args, **kwargs)
        self.fields["stream"].choices = [("", "All streams"), *Stream.choices]
        self.fields["org_type"].choices = [("", "Any type"), *OrganisationType.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            valid = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            valid = self.cleaned_data
        return {k: v for k, v in valid.items() if v not in (None, "")}


class PeopleFilterForm(PlaceLookupMixin, Form):
    """People who can…: a skill or a resource, how willing, and near a place (a name, a postcode or a
    point), all optional. A bad value is shown as an error, and what was typed is kept."""

    skill = forms.ModelChoiceField(
        queryset=Skill.objects.only("id", "name", "slug").order_by("name"), required=False,
        to_field_name="slug", empty_label="Any skill", label="Who can", widget=FastSelect,
    )  # fmt: skip
    resource = forms.ModelChoiceField(
        queryset=ResourceKind.objects.only("id", "name", "slug").order_by("name"), required=False,
        to_field_name="slug", empty_label="Any resource", label="Who could share", widget=FastSelect,
    )  # fmt: skip
    willing = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Willing to share", widget=FastSelect
    )
    lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput(attrs={"data-map-lat": ""})
    )
    lng = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput(attrs={"data-map-lng": ""})
    )
    radius = forms.TypedChoiceField(
        label="Within", coerce=int, required=False, empty_value=1609, initial=1609, widget=FastSelect
    )

    field_order = ["skill", "resource", "willing", "place", "radius", "lat", "lng"]

    def __init__(self, *args, **kwargs):
        from squaremile.accounts.models import Profile

        super().__init__(*args, **kwargs)
        self.fields["place"].label = "Near"
        self.fields["place"].help_text = "A street, a village or a postcode; leave empty for anywhere."
        self.fields["willing"].choices = [
            ("", "Any"),
            *[(v, f"{label} or more") for v, label in Profile.Willingness.choices if v],
        ]
        self.fields["radius"].choices = radius_choices()

    def near(self) -> tuple[float, float, float] | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        return data["lat"], data["lng"], data.get("radius") or 1609
