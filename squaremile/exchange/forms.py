"""Forms of the exchange: an item, an alert, the list's filters, the done form."""

from __future__ import annotations

from django import forms

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.core.forms import FastSelect, Form, radius_choices
from squaremile.core.models import Visibility
from squaremile.exchange.models import ITEM_VISIBILITY, MAX_TERMS, AlertDelivery, Kind, Side, Where
from squaremile.places.forms import PlaceLookupMixin

AGE_CHOICES = [("", "Any time"), ("7", "Last week"), ("30", "Last month"), ("90", "Last 3 months")]


TERMS_CACHE_KEY = "exchange:term-choices"


def term_choices(*, blank: str = "Choose one") -> list:
    """Skills grouped by family, then resources: values "s<id>" / "r<id>" (kept five minutes in the
    shared cache: every list page shows them, and the taxonomy changes rarely)."""
    from django.core.cache import cache

    found = cache.get(TERMS_CACHE_KEY)
    if found is None:
        found = _term_groups()
        cache.set(TERMS_CACHE_KEY, found, 300)
    return [("", blank), *found]


def _term_groups() -> list:
    from squaremile.directory.models import ResourceKind, Skill

    groups: dict[str, list] = {}
    for skill in Skill.objects.select_related("family").order_by("family__position", "family__name", "name"):
        groups.setdefault(skill.family.name, []).append((f"s{skill.pk}", skill.name))
    choices: list = [("Things and spaces", [(f"r{r.pk}", r.name) for r in ResourceKind.objects.order_by("name")])]
    choices.extend((name, options) for name, options in groups.items())
    return choices


def split_terms(values) -> tuple[list, list, list]:
    """["s12", "r5"] -> ([Skill 12], [ResourceKind 5], [values not found]) in two queries."""
    from squaremile.directory.models import ResourceKind, Skill

    values = list(dict.fromkeys(v for v in values or [] if v))
    s_ids = {int(v[1:]) for v in values if v[0] == "s" and v[1:].isdigit()}
    r_ids = {int(v[1:]) for v in values if v[0] == "r" and v[1:].isdigit()}
    skills = list(Skill.objects.filter(pk__in=s_ids)) if s_ids else []
    resources = list(ResourceKind.objects.filter(pk__in=r_ids)) if r_ids else []
    known = {f"s{s.pk}" for s in skills} | {f"r{r.pk}" for r in resources}
    return skills, resources, [v for v in values if v not in known]


def split_term(value: str) -> tuple:
    """ "s12" -> (Skill 12, None); "r5" -> (None, ResourceKind 5); else (None, None)."""
    from squaremile.directory.models import ResourceKind, Skill

    if not value or value[0] not in "sr" or not value[1:].isdigit():
        return None, None
    pk = int(value[1:])
    if value[0] == "s":
        return Skill.objects.filter(pk=pk).first(), None
    return None, ResourceKind.objects.filter(pk=pk).first()


class ItemForm(PlaceLookupMixin, Form):
    side = forms.ChoiceField(label="Is this", choices=[(Side.WANT, "Something I need"),
                                                       (Side.OFFER, "Something I can offer")],
                             widget=forms.RadioSelect)  # fmt: skip
    title = forms.CharField(label="In a few words", max_length=140,
                            help_text="For example: “Need a lift to the hospital on Tuesday”.")  # fmt: skip
    what = forms.MultipleChoiceField(
        label="What is it about? (optional)",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=f"The closest skills or resources, up to {MAX_TERMS} (on a computer, hold Ctrl or ⌘ to choose "
        "more than one). They find matches; without one, the words you use do.",
    )
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    details = forms.CharField(label="More details (optional)", required=False, max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    when_note = forms.CharField(label="When (optional)", required=False, max_length=80,
                                help_text="For example “Tuesday morning” or “weekends”.")  # fmt: skip
    where = forms.ChoiceField(label="Where", choices=Where.choices, widget=forms.RadioSelect, initial=Where.MINE)
    lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput(attrs={"data-map-lat": ""})
    )
    lng = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput(attrs={"data-map-lng": ""}))  # fmt: skip
    radius_m = forms.TypedChoiceField(label="How far", coerce=int, initial=1609)
    ongoing = forms.BooleanField(label="Ongoing: do not let it expire", required=False,
                                 help_text="Otherwise it ends after 30 days; we remind you before.")  # fmt: skip
    ends_on = forms.DateField(label="Until (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    visibility = forms.ChoiceField(label="Who can see it", choices=ITEM_VISIBILITY, initial=Visibility.PUBLIC)
    organisation = forms.TypedChoiceField(label="Posted by", required=False, coerce=int, empty_value=None)
    on_behalf_of = forms.CharField(label="On behalf of (organisers)", required=False, max_length=80,
                                   help_text="A first name or initials of someone who is not online.")  # fmt: skip
    relay_note = forms.CharField(label="How you pass replies on (only you and moderators see this)", required=False,
                                 max_length=200)  # fmt: skip
    photos = AttachmentsField(required=False, label="A photo (optional)", max_files=1)
    photo_alt = AltTextsField(for_field="photos")

    field_order = ["side", "title", "what", "kind", "details", "when_note", "where", "place", "radius_m",
                   "ongoing", "ends_on", "visibility", "organisation", "on_behalf_of", "relay_note", "photos",
                   "photo_alt"]  # fmt: skip

    def __init__(self, *args, user=None, may_post_for_others=False, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["what"].choices = term_choices()
        self.fields["radius_m"].choices = [c for c in radius_choices() if c[0] <= 16093]
        self.fields["place"].help_text = "Only for “A place I choose”: a street, a village or a postcode."
        orgs = list(organisations)
        if orgs:
            self.fields["organisation"].choices = [("", "Myself")] + [(o.pk, o.name) for o in orgs]
        else:
            del self.fields["organisation"]
        self._orgs = {o.pk: o for o in orgs}
        if not may_post_for_others:
            del self.fields["on_behalf_of"]
            del self.fields["relay_note"]

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("what") or []
        skills, resources, _unknown = split_terms(chosen)
        if len(skills) + len(resources) > MAX_TERMS:
            self.add_error("what", f"Choose at most {MAX_TERMS} skills and resources.")
        cleaned["skills"], cleaned["resources"] = skills, resources
        where = cleaned.get("where")
        if where == Where.MINE:
            profile = getattr(self.user, "profile", None)
            if profile is None or profile.lat is None:
                self.add_error(
                    "where", "Your profile has no square mile yet: choose a place, or set it on your profile."
                )
            else:
                cleaned["lat"], cleaned["lng"] = profile.lat, profile.lng
                if not self.data.get("radius_m"):
                    cleaned["radius_m"] = profile.radius_m
        elif (
            where == Where.POINT
            and (cleaned.get("lat") is None or cleaned.get("lng") is None)
            and not self.has_error("place")
        ):
            self.add_error("place", "Type a place name or postcode.")
        return cleaned

    def fields_for_service(self) -> dict:
        c = self.cleaned_data
        out = {name: c.get(name) for name in ("side", "kind", "title", "details", "when_note", "where", "lat", "lng",
                                              "radius_m", "ongoing", "ends_on", "visibility")}  # fmt: skip
        out["skills"], out["resources"] = c.get("skills") or [], c.get("resources") or []
        out["details"] = out["details"] or ""
        out["when_note"] = out["when_note"] or ""
        out["organisation"] = self._orgs.get(c.get("organisation")) if "organisation" in self.fields else None
        if "on_behalf_of" in self.fields:
            out["on_behalf_of"] = c.get("on_behalf_of") or ""
            out["relay_note"] = c.get("relay_note") or ""
        return out


class FilterForm(Form):
    side = forms.ChoiceField(label="Show", required=False, widget=FastSelect,
                             choices=[("", "Wants and offers"), (Side.WANT, "Wants"),
                                      (Side.OFFER, "Offers")])  # fmt: skip
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices], widget=FastSelect)
    what = forms.ChoiceField(label="About", required=False, widget=FastSelect)
    q = forms.CharField(label="Words", required=False, max_length=100)
    radius = forms.TypedChoiceField(label="Within", required=False, coerce=int, empty_value=None, widget=FastSelect)
    age = forms.ChoiceField(label="Posted", required=False, choices=AGE_CHOICES, widget=FastSelect)
    online = forms.BooleanField(label="Only online or anywhere", required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        flat = []
        for value, label in term_choices(blank="Anything"):
            if isinstance(label, list):
                flat.extend(label)
            else:
                flat.append((value, label))
        self.fields["what"].choices = flat
        self.fields["radius"].choices = [("", "Anywhere")] + [c for c in radius_choices() if c[0] <= 16093]

    def render_fields(self) -> str:
        """The visible fields as label + control (+ error), in Python: the list page draws this form
        on every view, and Django's per-field templates cost more than the rest of the page."""
        from django.utils.html import format_html, format_html_join

        parts = []
        for field in self:
            if field.is_hidden:
                parts.append(str(field))
                continue
            error_id = f"{field.auto_id}_error"
            attrs = {"aria-invalid": "true", "aria-describedby": error_id} if field.errors else None
            error = (
                format_html('<p class="error" id="{}">{}</p>', error_id, " ".join(field.errors)) if field.errors else ""
            )
            if isinstance(field.field.widget, forms.CheckboxInput):
                parts.append(format_html('<div class="field checkbox">{}<label for="{}">{}</label>{}</div>',
                                         field.as_widget(attrs=attrs), field.auto_id, field.label, error))  # fmt: skip
                continue
            parts.append(format_html('<div class="field"><label for="{}">{}</label>{}{}</div>', field.auto_id,
                                     field.label, error, field.as_widget(attrs=attrs)))  # fmt: skip
        return format_html_join("", "{}", ((p,) for p in parts))


class AlertForm(Form):
    side = forms.ChoiceField(label="Tell me about new", choices=[(Side.OFFER, "Offers"), (Side.WANT, "Wants")])
    what = forms.ChoiceField(label="About", required=False)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices])
    words = forms.CharField(label="Mentioning (optional)", required=False, max_length=80)
    where = forms.ChoiceField(label="Where", choices=[("mine", "Within my square mile"), ("area", "In an area"),
                                                      ("any", "Anywhere")], initial="mine")  # fmt: skip
    area = forms.ModelChoiceField(label="Area", required=False, queryset=None)
    delivery = forms.ChoiceField(label="How", choices=AlertDelivery.choices, initial=AlertDelivery.DAILY)

    def __init__(self, *args, **kwargs):
        from squaremile.places.models import Area

        super().__init__(*args, **kwargs)
        self.fields["what"].choices = term_choices(blank="Anything")
        self.fields["area"].queryset = Area.objects.defer("boundary").order_by("name")

    def clean(self):
        cleaned = super().clean()
        cleaned["skill"], cleaned["resource"] = split_term(cleaned.get("what") or "")
        if cleaned.get("where") == "area" and not cleaned.get("area"):
            self.add_error("area", "Choose an area.")
        return cleaned


class DoneForm(Form):
    thanks = forms.CharField(label="Say thank you (optional, shown on the page)", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
