"""Civic forms: where a problem is, what it is, which side of a boundary; updates and statuses;
questions to representatives and their answers."""

from django import forms
from django.core.validators import MaxLengthValidator

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.civic.models import ProblemCategory, ReportStatus, Representative
from squaremile.core.forms import Form
from squaremile.places.forms import PlaceLookupMixin
from squaremile.questions.forms import add_question_fields, answers_from

TEXT_MAX = 5000
POINT_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def _lat(**attrs):
    return forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90,
        widget=forms.TextInput(attrs={**POINT_ATTRS, **attrs}),
    )  # fmt: skip


def _lng(**attrs):
    return forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180,
        widget=forms.TextInput(attrs={**POINT_ATTRS, **attrs}),
    )  # fmt: skip


class PointForm(PlaceLookupMixin, Form):
    """A place name, or a point: "who serves my square mile"."""

    lat = _lat(**{"data-map-lat": ""})
    lng = _lng(**{"data-map-lng": ""})
    field_order = ["place", "lat", "lng"]

    def clean(self):
        cleaned = super().clean()
        if self.has_error("place") or self.has_error("lat") or self.has_error("lng"):
            return cleaned
        if cleaned.get("lat") is None or cleaned.get("lng") is None:
            raise forms.ValidationError("Type a place name or postcode, or tap the map, or give both coordinates.")
        return cleaned


class LocateForm(PointForm):
    """Step one of a report: where, and what kind of problem (a GET form: it works without JavaScript
    and its answer is a link one can share)."""

    lat = _lat(**{"data-pick-lat": "", "data-map-lat": ""})
    lng = _lng(**{"data-pick-lng": "", "data-map-lng": ""})
    category = forms.ModelChoiceField(
        queryset=ProblemCategory.objects.none(), empty_label="Choose the kind of problem…",
        label="What is the problem?",
    )  # fmt: skip
    field_order = ["category", "place", "lat", "lng"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.filter(bodies__isnull=False).distinct()


class ReportForm(Form):
    """Step two: the details, and which side of the boundary when the point is near one."""

    lat = forms.FloatField(min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(min_value=-180, max_value=180, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(queryset=ProblemCategory.objects.all(), widget=forms.HiddenInput)
    body = forms.TypedChoiceField(
        label="Which side of the boundary is it on?", coerce=int, required=False, widget=forms.RadioSelect,
        help_text="The problem is close to where two bodies meet: choose the one whose side it is on.",
    )  # fmt: skip
    title = forms.CharField(max_length=200, label="Sum it up in a few words",
                            help_text="For example “Street light out outside number 12”.")  # fmt: skip
    description = forms.CharField(
        required=False, label="Describe it (optional)", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
        help_text="What is wrong, exactly where, since when. Please leave out anyone's personal details.",
    )  # fmt: skip
    photos = AttachmentsField(required=False, label="Photos (optional)", max_files=4)
    photo_alt = AltTextsField(for_field="photos")
    hide_name = forms.BooleanField(required=False, label="Don't show my name on the public page")

    def __init__(self, *args, choices=(), questions=(), anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        if anonymous:  # no account: who they are, and where the confirmation link goes
            self.fields["name"] = forms.CharField(
                max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}),
                help_text="Shown on the public page unless you tick “Don't show my name”.",
            )  # fmt: skip
            self.fields["email"] = forms.EmailField(
                max_length=254, label="Your e-mail address",
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                help_text="We e-mail you a link: the report is sent once you click it. Never shown in public.",
            )  # fmt: skip
        if choices:
            self.fields["body"].choices = [(b.pk, b.name) for b in choices]
            self.fields["body"].required = True
        else:
            del self.fields["body"]
        if self.questions:
            add_question_fields(self, self.questions, {})

    def answers(self) -> dict:
        return answers_from(self.cleaned_data, self.questions) if self.questions else {}


class StatusForm(Form):
    status = forms.ChoiceField(choices=ReportStatus.choices, label="Status")
    reason = forms.CharField(
        required=False, max_length=300, label="Reason (needed for “not responsible”)",
        help_text="Who is responsible instead, or why it is closed.",
    )  # fmt: skip
    text = forms.CharField(
        required=False, label="Update for the public page", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ReportStatus.NOT_RESPONSIBLE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why this body is not responsible, and who is.")
        return cleaned


class UpdateForm(Form):
    text = forms.CharField(
        label="Add an update", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )  # fmt: skip


class FixedForm(Form):
    fixed = forms.TypedChoiceField(
        label="Is it fixed?", choices=[("yes", "Yes, it is fixed"), ("no", "No, not yet")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )  # fmt: skip
    text = forms.CharField(
        required=False, label="Anything to add? (optional)", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX}),
    )  # fmt: skip


class QuestionForm(Form):
    representatives = forms.ModelMultipleChoiceField(
        queryset=Representative.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Who do you want to ask?",
    )  # fmt: skip
    title = forms.CharField(max_length=200, label="Your question in one line")
    text = forms.CharField(
        label="Your question in full", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
        help_text="It is published after a moderator checks it: no abuse, and no one's personal details.",
    )  # fmt: skip
    hide_name = forms.BooleanField(required=False, label="Don't show my name on the public page")

    def __init__(self, *args, representatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representatives"].queryset = Representative.objects.filter(
            pk__in=[r.pk for r in representatives]
        ).order_by("name")
        self.fields["representatives"].label_from_instance = lambda r: f"{r.name} ({r.role}, {r.party_label})"


class AnswerForm(Form):
    answer = forms.CharField(
        label="Your answer", validators=[MaxLengthValidator(TEXT_MAX)],
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX}),
        help_text="It is published under your name beside the question.",
    )  # fmt: skip


class StaffInviteForm(Form):
    email = forms.EmailField(max_length=254, label="E-mail address to invite",
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))  # fmt: skip
    role = forms.ChoiceField(
        label="As", initial="facilitator", widget=forms.RadioSelect,
        choices=[("facilitator", "Staff: updates reports and their status"),
                 ("organiser", "Administrator: also invites and removes staff")],
    )  # fmt: skip


class SupportForm(Form):
    """Adding one's voice without an account: who they are, and where the confirming link goes."""

    name = forms.CharField(
        max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="Never shown in public.",
    )  # fmt: skip
    email = forms.EmailField(
        max_length=254, label="Your e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text="We e-mail you a link: your voice is added once you open it. Then we tell you when the "
        "report's status changes (every e-mail has a link to stop them).",
    )  # fmt: skip
