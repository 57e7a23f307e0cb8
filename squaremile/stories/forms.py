"""The forms of stories: telling one (short, for a phone), a reply, filing a linked story, a feed,
and the booklet's choice. Every form derives from `core.forms` (text cleaned at the door)."""

from __future__ import annotations

from django import forms

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.core.forms import Form, LocationFieldsMixin
from squaremile.places.models import Area
from squaremile.stories.models import StoryTag

ABOUT_HELP = (
    "Search for a map entry, an organisation, a project, a person or an area and choose it; or paste "
    "the address of its page here, one a line."
)


class _AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _areas():
    return Area.objects.defer("boundary").order_by("name")


class StoryForm(LocationFieldsMixin, Form):
    title = forms.CharField(max_length=200, label="Title", help_text="A few words: what happened?")
    body = forms.CharField(
        label="Your story",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What did people do, and why does it matter to them? You can use **bold**, lists and links.",
    )
    photos = AttachmentsField(required=False, label="Photos (optional)", max_files=6)
    photo_alt = AltTextsField(for_field="photos", label="Describe the photos (for people who cannot see them)")
    about = forms.CharField(
        label="What is it about? (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "data-about-refs": ""}),
        help_text=ABOUT_HELP,
    )
    area = _AreaChoice(
        queryset=_areas(),
        required=False,
        label="Where did it happen? (optional)",
        empty_label="Choose an area",
        widget=forms.Select(),
    )
    happened_on = forms.DateField(
        label="When? (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tags = forms.CharField(
        label="Tags (optional)",
        required=False,
        max_length=600,
        help_text="Words people can find it by, separated by commas: food, young people.",
    )
    media_links = forms.CharField(
        label="Video or audio elsewhere (optional)",
        required=False,
        max_length=3100,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "url"}),
        help_text="Addresses of a video or a recording on another site, one a line. Shown as links.",
    )
    organisation = forms.ModelChoiceField(
        queryset=None, required=False, label="On behalf of (optional)", empty_label="Just me"
    )
    draft = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-draft-id": ""}))

    field_order = [
        "title",
        "body",
        "photos",
        "photo_alt",
        "about",
        "area",
        "happened_on",
        "tags",
        "media_links",
        "organisation",
        "lat",
        "lng",
        "draft",
    ]

    def __init__(self, *args, organisations=None, photo_limit: int = 6, **kwargs):
        super().__init__(*args, **kwargs)
        photos = self.fields["photos"]
        photos.widget.attrs["capture"] = "environment"
        photos.max_files = photo_limit
        photos.help_text = photos.default_help(photo_limit)
        if organisations is None or not organisations.exists():
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
        self.fields["lat"].widget.attrs["data-pick-lat"] = ""
        self.fields["lng"].widget.attrs["data-pick-lng"] = ""

    def about_lines(self) -> list[str]:
        text = self.cleaned_data.get("about") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]

    def story_data(self) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in ("title", "body", "area", "lat", "lng", "happened_on", "media_links", "tags")
        }
        data["body"] = data["body"] or ""
        data["media_links"] = data["media_links"] or ""
        data["tags"] = data["tags"] or ""
        if "organisation" in self.fields:
            data["organisation"] = self.cleaned_data.get("organisation")
        return data


class CommentForm(Form):
    body = forms.CharField(
        label="Your reply",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short reply; be kind. At most 1,000 characters.",
    )


class FileStoryForm(Form):
    area = _AreaChoice(queryset=_areas(), required=False, label="File it under an area", empty_label="No change")
    about = forms.CharField(
        label="Link it to (addresses of pages on this site, one a line)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "data-about-refs": ""}),
    )

    def about_lines(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("about") or "").splitlines() if line.strip()]


class FeedForm(Form):
    title = forms.CharField(max_length=200, label="The site's name", help_text="As people know it: “Kettleby Gazette”.")
    url = forms.CharField(
        max_length=500,
        label="Feed address",
        help_text="The RSS or Atom address of the site's news (often ending in /feed or .rss).",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    area = _AreaChoice(
        queryset=_areas(), required=False, label="File its stories under (optional)", empty_label="No area"
    )


class BookletForm(Form):
    tag = forms.ModelChoiceField(
        queryset=StoryTag.objects.order_by("name"),
        required=False,
        label="Tag",
        empty_label="Any tag",
        to_field_name="slug",
    )
    area = _AreaChoice(queryset=_areas(), required=False, label="Area", empty_label="Any area", to_field_name="slug")
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ids = forms.CharField(label="Or only these stories (numbers, separated by commas)", required=False, max_length=2000)
    title = forms.CharField(label="Booklet title", required=False, max_length=120, initial="Stories of our square mile")

    def clean_ids(self):
        text = self.cleaned_data.get("ids") or ""
        parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
        if any(not p.isdigit() or len(p) > 12 for p in parts):
            raise forms.ValidationError("Give story numbers only, separated by commas.")
        return [int(p) for p in parts][:200]

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("date_from"), cleaned.get("date_to")
        if a and b and a > b:
            raise forms.ValidationError("The “from” date is after the “to” date.")
        return cleaned
