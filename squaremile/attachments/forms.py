"""Form pieces for "add photos" (or files) on any page: one file input that takes several files
(on a phone it offers the camera and the photo library: `accept="image/*"`, `capture` not forced),
and a description (alt text) per photo. Without JavaScript one description is asked for them all;
with it (static/js/attachments.js) one box per chosen photo appears, named after its file.

    photos = AttachmentsField(required=False, label="Photos (optional)")
    photo_alt = AltTextsField(for_field="photos")

`AttachmentsField` cleans to a list of `uploads.Prepared` (checked by content, images re-encoded),
ready for `services.attach_all(files=..., alts=...)`; set `field.max_files` for the room left.

On an edit page, `ExistingAttachmentsForm` (a form of its own, sent with the page's form) offers,
for each attachment the record already has, its description to write or change and a box to remove
it; `services.update_existing(owner=..., remove=form.removals(), describe=form.descriptions(), ...)`
applies it. Show it with `{% include "attachments/includes/_existing.html" with form=existing %}`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from squaremile.attachments import images
from squaremile.attachments.services import ALT_MAX
from squaremile.attachments.uploads import FILE, IMAGE, prepare_all
from squaremile.core.forms import Form

ACCEPT = {
    (IMAGE,): "image/*",
    (FILE,): "application/pdf,text/plain,text/csv,.pdf,.txt,.csv",
    (IMAGE, FILE): "image/*,application/pdf,text/plain,text/csv,.pdf,.txt,.csv",
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *, kinds: tuple[str, ...] = (IMAGE,), max_files: int | None = None, **kwargs):
        self.kinds = tuple(kinds)
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT[self.kinds], "data-attachments": ""}))
        kwargs.setdefault("help_text", self.default_help())
        super().__init__(**kwargs)

    @property
    def noun(self) -> str:
        return "photos" if self.kinds == (IMAGE,) else "files"

    def default_help(self, limit: int | None = None) -> str:
        """What may be sent, in words: "Up to 4 photos. JPEG, PNG or WebP, each at most 5 MB. …"."""
        what = {
            (IMAGE,): "JPEG, PNG or WebP",
            (FILE,): "PDF, plain text or CSV",
            (IMAGE, FILE): "photos (JPEG, PNG or WebP), PDF, plain text or CSV",
        }[self.kinds]
        text = f"Up to {limit} {self.noun}. " if limit is not None else ""
        text += f"{what}, each at most {images.megabytes(images.max_bytes())}."
        if IMAGE in self.kinds:
            text += " Location details inside photos are removed."
        return text

    def uploads(self, data) -> list:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in items if f is not None and getattr(f, "name", "")]

    def clean(self, data, initial=None):
        uploads = self.uploads(data)
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if self.max_files is not None and len(uploads) > self.max_files:
            raise ValidationError(f"At most {self.max_files} {self.noun} can be added here.")
        try:
            return prepare_all(uploads, kinds=self.kinds)
        except ValidationError as exc:
            raise ValidationError(
                exc.messages + [f"The rest of the form is kept: choose the {self.noun} again."]
            ) from None

    def has_changed(self, initial, data):
        return bool(self.uploads(data))


class AltTextsInput(forms.TextInput):
    """One text box; the script adds one per chosen photo, all with this name."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            value = next((v for v in value if v), "")
        return super().format_value(value)


class AltTextsField(forms.Field):
    """Descriptions of the photos, in the order they were chosen (or one for them all)."""

    widget = AltTextsInput

    def __init__(self, *, for_field: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Describe the photos")
        kwargs.setdefault(
            "help_text",
            "For people who cannot see them, for example “Volunteers sorting food in the hall”.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"data-alt-for": for_field, "maxlength": str(ALT_MAX)})

    def to_python(self, value) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value]
        texts = [str(v or "").strip() for v in values if v is not None]
        for text in texts:
            if len(text) > ALT_MAX:
                raise ValidationError(f"Keep each description to {ALT_MAX} characters or fewer.")
        return texts


class ExistingAttachmentsForm(Form):
    """The attachments a record already has, on its edit page: for each, its description (alt
    text) and "remove it". Bound to the same POST as the page's own form (use a `prefix`)."""

    remove = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Remove"
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attachments = list(attachments)
        self.fields["remove"].choices = [(a.pk, a.alt or f"Photo {i + 1}") for i, a in enumerate(self.attachments)]
        for i, a in enumerate(self.attachments):
            noun = "photo" if a.is_image else "file"
            self.fields[f"alt_{a.pk}"] = forms.CharField(
                required=False, max_length=ALT_MAX, initial=a.alt, label=f"Describe {noun} {i + 1}",
                help_text="" if a.alt else "It has no description yet: say what it shows.",
            )  # fmt: skip

    def rows(self) -> list[tuple]:
        """(attachment, its description's bound field, whether "remove" is ticked, its name: "photo 2")
        per attachment."""
        ticked = {str(v) for v in (self["remove"].value() or [])}
        return [
            (a, self[f"alt_{a.pk}"], str(a.pk) in ticked, f"{'photo' if a.is_image else 'file'} {i + 1}")
            for i, a in enumerate(self.attachments)
        ]

    def removals(self) -> list[int]:
        return list(self.cleaned_data.get("remove") or [])

    def removals_asked(self) -> int:
        """How many "remove" boxes were ticked (before validation: to know the room for new photos)."""
        known = {str(a.pk) for a in self.attachments}
        return len({v for v in (self["remove"].value() or []) if str(v) in known}) if self.is_bound else 0

    def descriptions(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"alt_{a.pk}") or "" for a in self.attachments}
