"""Forms for events: parse and check what people typed (every 4xx is decided here or in the views)."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.core.forms import Form, ModelForm
from squaremile.events.models import ActionStatus, Answer, Event, Mode
from squaremile.questions.forms import add_question_fields

DATETIME = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME, **kwargs)


class EventForm(ModelForm):
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput(), input_formats=[DATETIME, "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput(), input_formats=[DATETIME, "%Y-%m-%d %H:%M"])
    lat = forms.FloatField(
        label="Latitude (optional)",
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label="Longitude (optional)",
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "starts_at",
            "ends_at",
            "mode",
            "venue_name",
            "venue_address",
            "lat",
            "lng",
            "access_info",
            "online_url",
            "area",
            "organisation",
            "group",
            "capacity",
            "open_space",
            "proceedings_to",
            "survey",
        ]
        widgets = {
            "mode": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "access_info": forms.Textarea(attrs={"rows": 3}),
            "proceedings_to": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "venue_name": "Venue",
            "venue_address": "Venue's address",
            "organisation": "Organised by",
            "group": "Organised by a group (optional)",
            "mode": "How people take part",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from squaremile.network.models import Survey

        surveys = Survey.objects.none()
        if user is not None and getattr(user, "pk", None):
            surveys = Survey.objects.filter(owner=user)
        if self.instance.survey_id:
            surveys = surveys | Survey.objects.filter(pk=self.instance.survey_id)
        self.fields["survey"].queryset = surveys
        self.fields["survey"].label = "Network questionnaire (optional)"
        self.fields["organisation"].widget = forms.Select(choices=self.fields["organisation"].widget.choices)
        from squaremile.events.selectors import groups_to_organise

        groups = groups_to_organise(user)
        if self.instance.group_id:
            groups = groups | type(self.instance.group).objects.filter(pk=self.instance.group_id)
        self.fields["group"].queryset = groups.distinct().order_by("name")
        self.fields["group"].widget = forms.Select(choices=self.fields["group"].widget.choices)
        if not self.fields["group"].queryset.exists():
            del self.fields["group"]  # nobody to choose: only facilitators of a group see the choice

    def clean_proceedings_to(self):
        lines = [line.strip() for line in (self.cleaned_data.get("proceedings_to") or "").splitlines() if line.strip()]
        bad = []
        for line in lines:
            try:
                validate_email(line)
            except forms.ValidationError:
                bad.append(line)
        if bad:
            raise forms.ValidationError(f"Not an e-mail address: {', '.join(bad[:3])}. Write one address a line.")
        if len(lines) > 20:
            raise forms.ValidationError("At most 20 addresses.")
        return "\n".join(lines)

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", "The end is before the start.")
        if mode in (Mode.IN_PERSON, Mode.HYBRID) and not cleaned.get("venue_name"):
            self.add_error("venue_name", "Say where it happens (or choose online).")
        if mode in (Mode.ONLINE, Mode.HYBRID) and not cleaned.get("online_url"):
            self.add_error("online_url", "Give the link people join by (only registered people see it).")
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            self.add_error("lng", "Give both latitude and longitude, or neither.")
        return cleaned


ANSWER_CHOICES = [(Answer.GOING, "Going"), (Answer.MAYBE, "Maybe"), (Answer.CANT, "Can't go")]


class RegisterForm(Form):
    answer = forms.ChoiceField(label="Will you come?", choices=ANSWER_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.question_names = add_question_fields(self, self.questions, answers or {})


class GuestForm(RegisterForm):
    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Your e-mail address", help_text="We send you a link to confirm your place.")

    field_order = ["name", "email", "answer"]


class CancelForm(Form):
    reason = forms.CharField(
        label="Why (sent to everyone registered)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PitchForm(Form):
    title = forms.CharField(label="Your topic", max_length=200)
    description = forms.CharField(
        label="A line or two about it (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    convener_name = forms.CharField(
        label="Convener's name (for a pitch from paper)",
        required=False,
        max_length=120,
        help_text="Leave empty when you convene it yourself.",
    )

    def __init__(self, *args, facilitator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not facilitator:
            del self.fields["convener_name"]


class RoomForm(Form):
    name = forms.CharField(label="Room, table or breakout", max_length=80)
    link = forms.URLField(label="Online link (optional)", required=False, max_length=500)


class SlotForm(Form):
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput(), input_formats=[DATETIME, "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput(), input_formats=[DATETIME, "%Y-%m-%d %H:%M"])
    label = forms.CharField(label="Label (optional)", required=False, max_length=80)


class PlaceForm(Form):
    """The grid without JavaScript: a session, a time and a place from select boxes."""

    session = forms.TypedChoiceField(label="Session", coerce=int)
    place = forms.ChoiceField(label="Time and place", required=False)

    def __init__(self, *args, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = [s for _, row in agenda.rows for _, s in row if s] + list(agenda.unplaced)
        self.fields["session"].choices = [(s.pk, s.title) for s in sessions]
        places = [("", "Off the grid")]
        for slot in agenda.slots:
            for room in agenda.rooms:
                places.append((f"{slot.pk}-{room.pk}", f"{slot} · {room}"))
        self.fields["place"].choices = places

    def clean_place(self):
        value = self.cleaned_data.get("place") or ""
        if not value:
            return None
        slot, _, room = value.partition("-")
        return int(slot), int(room)


class ReportForm(Form):
    participant_count = forms.IntegerField(
        label="How many were there?",
        min_value=0,
        max_value=10000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    participant_names = forms.CharField(
        label="Names of those who agree to be named (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line.",
    )
    summary = forms.CharField(label="What was said", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)
    recommendations = forms.CharField(
        label="Recommendations (optional)", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    requests = forms.CharField(
        label="Requests to others (optional)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you ask of the council, funders, other groups.",
    )
    resources = forms.CharField(
        label="Resources shared (optional)", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    methods = forms.CharField(
        label="Methods used (optional)",
        required=False,
        max_length=500,
        help_text="Such as World Café, fishbowl, dot voting: separate them with commas.",
    )
    photos = AttachmentsField(required=False, label="Photos of flip-charts (optional)", max_files=6)
    photo_alt = AltTextsField(for_field="photos", required=False)

    ACTION_ROWS = 3

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        owner_choices = [("", "Choose…")] + [(str(p.pk), str(p)) for p in people] + [("other", "Someone else")]
        for i in range(1, self.ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=f"Action {i}: what will be done", required=False, max_length=300
            )
            self.fields[f"action_{i}_owner"] = forms.ChoiceField(
                label="Who does it", required=False, choices=owner_choices
            )
            self.fields[f"action_{i}_owner_name"] = forms.CharField(
                label="…their name, if someone else", required=False, max_length=120
            )
            self.fields[f"action_{i}_due"] = forms.DateField(
                label="By when", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def clean(self):
        cleaned = super().clean()
        actions = []
        for i in range(1, self.ACTION_ROWS + 1):
            text = (cleaned.get(f"action_{i}") or "").strip()
            owner_key = cleaned.get(f"action_{i}_owner") or ""
            name = (cleaned.get(f"action_{i}_owner_name") or "").strip()
            due = cleaned.get(f"action_{i}_due")
            if not text:
                if owner_key or name or due:
                    self.add_error(f"action_{i}", "Say what will be done, or leave the row empty.")
                continue
            owner = self.people.get(owner_key)
            if owner is None and not name:
                self.add_error(f"action_{i}_owner", "Every action needs an owner: choose one or type a name.")
            if due is None:
                self.add_error(f"action_{i}_due", "Every action needs a date.")
            actions.append({"description": text, "owner": owner, "owner_name": name, "due": due})
        cleaned["actions"] = actions
        cleaned["method_list"] = [m.strip() for m in (cleaned.get("methods") or "").split(",") if m.strip()]
        return cleaned


class NoReportForm(Form):
    reason = forms.CharField(label="Why is there no report?", max_length=300)


class RemoteNoteForm(Form):
    body = forms.CharField(label="Your note from online", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ActionStatusForm(Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="A note (optional)", required=False, max_length=300)


class ActionForm(Form):
    description = forms.CharField(label="What will be done", max_length=300)
    owner_name = forms.CharField(label="Who does it", max_length=120)
    due = forms.DateField(label="By when", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class UpdateForm(Form):
    body = forms.CharField(label="What happened next", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class ImportForm(Form):
    url = forms.URLField(label="Address of an iCalendar feed (.ics)", required=False, max_length=500)
    file = forms.FileField(label="…or an .ics file", required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError("Give the address of a calendar, or choose an .ics file.")
        url = cleaned.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            self.add_error("url", "Only http and https addresses can be fetched.")
        return cleaned


class GameTablesForm(Form):
    """Tables of the skills game for an event: a deck the first time, then how many tables of each kind."""

    deck = forms.ModelChoiceField(queryset=None, empty_label=None, required=False, label="Deck of cards")
    phones = forms.IntegerField(min_value=0, max_value=40, initial=2, label="Tables playing on phones")
    screen = forms.IntegerField(min_value=0, max_value=40, initial=0, label="Tables sharing one screen")
    paper = forms.IntegerField(min_value=0, max_value=40, initial=0, label="Tables playing on paper")

    def __init__(self, *args, first: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        from squaremile.methods.game.selectors import decks

        self.fields["deck"].queryset = decks()
        if not first:
            del self.fields["deck"]

    def clean(self):
        data = super().clean()
        total = sum(data.get(k) or 0 for k in ("phones", "screen", "paper"))
        if not self.errors and total == 0:
            raise forms.ValidationError("Add at least one table.")
        if total > 40:
            raise forms.ValidationError("At most 40 tables in one game.")
        if "deck" in self.fields and not data.get("deck") and not self.errors:
            self.add_error("deck", "Choose a deck of cards.")
        return data
