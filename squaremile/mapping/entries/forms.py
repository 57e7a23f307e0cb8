"""Forms of the map's submission and moderation pages, and the anonymous visitor's bot guards
(a honeypot field and a signed start time; the rate limit per address and per email is
core/ratelimit.py's "map-submission" scope)."""

from __future__ import annotations

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.urls import reverse_lazy

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.core.forms import FastSelect, Form
from squaremile.directory.models import Organisation, Project
from squaremile.mapping.entries.services import DESCRIPTION_MAX, TITLE_MAX
from squaremile.mapping.models import Category, Entry
from squaremile.places.models import Area
from squaremile.questions.forms import add_question_fields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STARTED_SALT = "mapping.entry-form.started"
EMAIL_FIELDS = ("submitter_name", "submitter_email")


# ---- bot guards for anonymous visitors ------------------------------------------------------
def min_seconds() -> float:
    return float(getattr(settings, "MAP_MIN_SUBMIT_SECONDS", 3))


def sign_started() -> str:
    return signing.TimestampSigner(salt=STARTED_SALT).sign(str(int(time.time())))


def started_problem(value: str) -> str | None:
    """Why a signed start time is not acceptable, or None."""
    try:
        started = int(signing.TimestampSigner(salt=STARTED_SALT).unsign(value or "", max_age=24 * 3600))
    except signing.SignatureExpired:
        return "The form was open for more than a day. Please check it and send it again."
    except (signing.BadSignature, ValueError):
        return "The form could not be checked. Please send it again."
    if time.time() - started < min_seconds():
        return "That was faster than a person can fill in the form. Please check it and send it again."
    return None


# ---- picking an organisation or project by name ------------------------------------------
def find_by_name(model, text: str, chosen_id: str = ""):
    """The record whose name (or web address) is `text`; the id a suggestion chose breaks ties."""
    text = (text or "").strip()
    if not text:
        return None
    if chosen_id and chosen_id.isdigit():
        record = model.objects.filter(pk=int(chosen_id)).only("id", "name", "slug").first()
        if record is not None and record.name.casefold() == text.casefold():
            return record
    qs = model.objects.only("id", "name", "slug").order_by("id")
    return qs.filter(name=text).first() or qs.filter(name__iexact=text).first() or qs.filter(slug=text).first()


# ---- the entry form ------------------------------------------------------------------------
class EntryForm(Form):
    """Add or change an entry. `category` decides which extra questions are asked; without
    JavaScript the form is sent back with the chosen category's questions ("Show its questions")."""

    title = forms.CharField(
        max_length=TITLE_MAX, help_text="A short name people will recognise, such as “Friday food pantry”."
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), empty_label="Choose a category…")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
        help_text="What it is, who it is for, how to join in. You can use simple formatting (markdown).",
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
    )  # fmt: skip
    lat = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "data-pick-lat": ""}),
        help_text="Tap the map to set the point, or type it (for example 53.8008).",
    )  # fmt: skip
    lng = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "data-pick-lng": ""}),
        help_text="For example -1.5491.",
    )  # fmt: skip
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, to_field_name="slug", empty_label="No area chosen",
        label="Or pick an area", widget=FastSelect(attrs={"data-pick-area": ""}),
        help_text="Without a point, the entry goes in the middle of the area.",
    )  # fmt: skip
    start_date = forms.DateField(required=False, widget=DATE, label="Starts on")
    end_date = forms.DateField(required=False, widget=DATE, label="Ends on")
    announced_on = forms.DateField(required=False, widget=DATE, label="Announced on",
                                   help_text="For a threat or cut: when it was announced.")  # fmt: skip
    takes_effect_on = forms.DateField(required=False, widget=DATE, label="Takes effect on",
                                      help_text="For a threat or cut: when it happens.")  # fmt: skip
    organisation_name = forms.CharField(
        required=False, max_length=200, label="Organisation (optional)",
        help_text="Start typing a name from the directory and choose it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "organisation-suggestions",
                                      "data-suggest": "organisation"}),
    )  # fmt: skip
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)
    project_name = forms.CharField(
        required=False, max_length=200, label="Project (optional)",
        help_text="Start typing a project's name and choose it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "project-suggestions",
                                      "data-suggest": "project"}),
    )  # fmt: skip
    project = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = AttachmentsField(required=False, label="Photos (optional)")
    photo_alt = AltTextsField(for_field="photos")
    submitter_name = forms.CharField(required=False, max_length=120, label="Your name",
                                     widget=forms.TextInput(attrs={"autocomplete": "name"}))  # fmt: skip
    submitter_email = forms.EmailField(
        required=False, label="Your email address",
        help_text="Only the moderators see it; they may write to you about this entry.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    # Bot guards (anonymous visitors only): a field people never see, and when the form was opened.
    website = forms.CharField(required=False, label="Leave this empty",
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))  # fmt: skip
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, entry: Entry | None = None, anonymous: bool = False, removing: int = 0, **kwargs):
        """`removing`: how many of the entry's photos are being removed on the same page (the
        attachments app's ExistingAttachmentsForm, beside this one), which makes room for new ones."""
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.anonymous = anonymous
        open_categories = Q(is_active=True) | Q(pk=entry.category_id) if entry is not None else Q(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(open_categories).order_by("position", "name")
        self.fields["category"].widget.attrs.update({
            "hx-get": reverse_lazy("mapping:entry_questions"), "hx-trigger": "change",
            "hx-target": "#category-questions", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        })  # fmt: skip
        for kind in ("organisation", "project"):
            self.fields[f"{kind}_name"].widget.attrs.update({
                "hx-get": reverse_lazy("mapping:suggest", args=[kind]), "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{kind}-suggestions", "hx-swap": "innerHTML", "hx-sync": "this:replace",
            })  # fmt: skip
        self.fields["area"].queryset = Area.objects.only("id", "name", "slug", "centroid_lat", "centroid_lng")
        self.fields["area"].choices = [("", "No area chosen")] + list(
            Area.objects.filter(centroid_lat__isnull=False).order_by("name").values_list("slug", "name")
        )
        limit = int(getattr(settings, "MAP_PHOTOS_PER_ENTRY", 4))
        existing = entry.attachments.count() if entry is not None and entry.pk else 0
        photos = self.fields["photos"]
        photos.max_files = max(0, limit - existing + removing)
        photos.help_text = photos.default_help(limit)
        if entry is not None and entry.pk and not self.is_bound:
            self.initial.update(self._initial_from(entry))
        if not anonymous:
            for name in (*EMAIL_FIELDS, "website", "started"):
                del self.fields[name]
        else:
            self.fields["submitter_email"].required = True
            if not self.is_bound:
                self.initial["started"] = sign_started()
        self.chosen_category = self._chosen_category()
        self.question_names = []
        if self.chosen_category is not None:
            self.question_names = add_question_fields(
                self, self.chosen_category.questions.all(), entry.answers if entry is not None else None
            )

    @staticmethod
    def _initial_from(entry: Entry) -> dict:
        return {
            "title": entry.title, "category": entry.category_id, "description": entry.description,
            "lat": entry.lat, "lng": entry.lng, "start_date": entry.start_date, "end_date": entry.end_date,
            "announced_on": entry.announced_on, "takes_effect_on": entry.takes_effect_on,
            "organisation_name": entry.organisation.name if entry.organisation else "",
            "organisation": entry.organisation_id or "",
            "project_name": entry.project.name if entry.project else "", "project": entry.project_id or "",
        }  # fmt: skip

    def _chosen_category(self) -> Category | None:
        raw = self.data.get("category") if self.is_bound else self.initial.get("category")
        if raw in (None, ""):
            return None
        if isinstance(raw, Category):
            return raw
        try:
            return self.fields["category"].queryset.prefetch_related("questions").get(pk=int(raw))
        except (Category.DoesNotExist, TypeError, ValueError):
            return None

    # -- groups for the template
    def question_fields(self):
        return [self[name] for name in self.question_names]

    def _group(self, *names):
        return [self[name] for name in names if name in self.fields]

    @property
    def about_fields(self):
        return self._group("title")

    @property
    def description_fields(self):
        return self._group("description")

    @property
    def place_fields(self):
        return self._group("lat", "lng")

    @property
    def area_fields(self):
        return self._group("area")

    @property
    def dates_fields(self):
        return self._group("start_date", "end_date")

    @property
    def threat_fields(self):
        return self._group("announced_on", "takes_effect_on")

    @property
    def link_fields(self):
        return self._group("organisation_name", "project_name")

    @property
    def photo_fields(self):
        return self._group("photos", "photo_alt")

    @property
    def photos_to_choose_again(self) -> int:
        """How many photos were sent with a form that came back with errors: a browser cannot be
        given files back, so the page says plainly that they must be chosen again."""
        if not self.is_bound or not self.errors or self.errors.keys() == {"photos"}:
            return 0
        return len([f for f in self.files.getlist("photos") if getattr(f, "size", 0)])

    @property
    def contact_fields(self):
        return self._group(*EMAIL_FIELDS)

    # -- cleaning
    def _bot_problem(self) -> str | None:
        """Why an anonymous visitor's form looks sent by a program (shown above the form)."""
        if "website" not in self.fields:
            return None
        if self.data.get("website"):
            return "Your submission could not be accepted."
        problem = started_problem(self.data.get("started", ""))
        if problem:
            # a fresh start time, so that sending the form again (after a pause) works
            self.data = self.data.copy()
            self.data["started"] = sign_started()
        return problem

    def clean_organisation_name(self):
        return self._pick(Organisation, "organisation_name", "organisation", "organisation")

    def clean_project_name(self):
        return self._pick(Project, "project_name", "project", "project")

    def _pick(self, model, name_field, id_field, label):
        text = self.cleaned_data.get(name_field, "").strip()
        if not text:
            return None
        record = find_by_name(model, text, self.data.get(id_field, ""))
        if record is None:
            raise forms.ValidationError(
                f"No {label} called “{text}” in the directory. Choose one of the suggestions, or leave it empty."
            )
        return record

    def clean(self):
        cleaned = super().clean()
        problem = self._bot_problem()
        if problem:
            self.add_error(None, problem)
        lat, lng, area = cleaned.get("lat"), cleaned.get("lng"), cleaned.get("area")
        if not self.has_error("lat") and not self.has_error("lng"):
            if lat is None and lng is None:
                if area is not None and area.centroid_lat is not None:
                    cleaned["lat"], cleaned["lng"] = area.centroid_lat, area.centroid_lng
                else:
                    self.add_error("lat", "Choose the place: tap the map, type the coordinates, or pick an area.")
            elif lat is None or lng is None:
                self.add_error("lat" if lat is None else "lng", "Give both latitude and longitude.")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        announced, effect = cleaned.get("announced_on"), cleaned.get("takes_effect_on")
        if announced and effect and effect < announced:
            self.add_error("takes_effect_on", "It cannot take effect before it was announced.")
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        data = {
            "title": c["title"], "description": c.get("description", ""), "category": c["category"],
            "lat": c["lat"], "lng": c["lng"], "start_date": c.get("start_date"), "end_date": c.get("end_date"),
            "announced_on": c.get("announced_on"), "takes_effect_on": c.get("takes_effect_on"),
            "organisation": c.get("organisation_name"), "project": c.get("project_name"),
        }  # fmt: skip
        answers = {name.removeprefix("q_"): c.get(name) for name in self.question_names}
        return {
            "data": data,
            "answers": answers,
            "photos": c.get("photos") or [],
            "photo_alt": c.get("photo_alt") or [],
        }

    SERVICE_FIELDS = {"organisation": "organisation_name", "project": "project_name"}

    def add_service_errors(self, exc, **kwargs) -> None:
        """A service's ValidationError on the fields it names (answers.<pk> -> q_<pk>)."""
        super().add_service_errors(exc, field_for=self._field_for)

    def _field_for(self, name: str) -> str:
        if name.startswith("answers."):
            return "q_" + name.split(".", 1)[1]
        return self.SERVICE_FIELDS.get(name, name)


# ---- moderation --------------------------------------------------------------------------
class ReasonForm(Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the person who submitted it. Be kind and say what would make it publishable.",
    )  # fmt: skip


class NoteForm(Form):
    note = forms.CharField(label="Note for the history (optional)", required=False, max_length=2000)


class MergeForm(Form):
    into = forms.CharField(
        label="Merge into entry", max_length=300,
        help_text="The number of the entry to keep (for example 1234), or its exact title.",
    )  # fmt: skip

    def __init__(self, *args, entry: Entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry

    def clean_into(self):
        return find_entry(self.cleaned_data["into"], exclude=[self.entry.pk])


def find_entry(text: str, *, exclude=()) -> Entry:
    """The entry a moderator means by "1234", "#1234", its address, or its exact title."""
    text = (text or "").strip()
    match = re.fullmatch(r"#?(\d+)/?", text) or re.search(r"/map/entries/(\d+)/?", text)
    qs = Entry.objects.exclude(pk__in=list(exclude))
    target = qs.filter(pk=int(match[1])).first() if match and len(match[1]) < 19 else None
    if target is None and not match:
        found = list(qs.filter(title__iexact=text).order_by("-id")[:2])
        if len(found) > 1:
            raise forms.ValidationError("Several entries have this title: give the number of the one to keep.")
        target = found[0] if found else None
    if target is None:
        raise forms.ValidationError(f"No other entry “{text}”. Give its number, as shown in the queue.")
    return target
