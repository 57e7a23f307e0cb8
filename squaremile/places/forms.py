from django import forms

from squaremile.core.forms import Form, radius_choices
from squaremile.places.selectors import PlaceMatch, resolve_place


class PlaceLookupMixin(Form):
    """A "place name or postcode" box beside a form's latitude and longitude. With JavaScript the
    box suggests places as one types (`static/js/placesearch.js`) and fills the point in; without
    it, the typed name is looked up when the form is sent, if no point was given."""

    place = forms.CharField(
        label="Place name or postcode", required=False, max_length=100,
        help_text="For example a street, a village or a postcode.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-place-input": "", "enterkeyhint": "search"}),
    )  # fmt: skip
    place_lat_field = "lat"
    place_lng_field = "lng"

    def clean(self):
        cleaned = super().clean()
        self.place_match: PlaceMatch | None = None
        self.place_candidates: list[PlaceMatch] = []
        text = (cleaned.get("place") or "").strip()
        lat_f, lng_f = self.place_lat_field, self.place_lng_field
        has_point = cleaned.get(lat_f) is not None and cleaned.get(lng_f) is not None
        if not text or has_point or self.has_error(lat_f) or self.has_error(lng_f):
            return cleaned
        match, candidates = resolve_place(text)
        if match is not None:
            cleaned[lat_f], cleaned[lng_f] = match.lat, match.lng
            self.place_match = match
        elif candidates:
            self.place_candidates = candidates
            names = "; ".join(m.label for m in candidates[:5])
            self.add_error("place", f"Several places match: {names}. Choose one, or type more of the name.")
        else:
            self.add_error("place", "We could not find that place. Try a nearby street, a postcode, or tap the map.")
        return cleaned


class NearForm(PlaceLookupMixin, Form):
    lat = forms.FloatField(
        label="Latitude", min_value=-90, max_value=90, required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lat": ""}),
    )  # fmt: skip
    lng = forms.FloatField(
        label="Longitude", min_value=-180, max_value=180, required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lng": ""}),
    )  # fmt: skip
    radius = forms.TypedChoiceField(label="Within", coerce=int, initial=1609)

    field_order = ["place", "radius", "lat", "lng"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius"].choices = radius_choices()

    def clean(self):
        cleaned = super().clean()
        if self.has_error("place") or self.has_error("lat") or self.has_error("lng"):
            return cleaned
        if cleaned.get("lat") is None or cleaned.get("lng") is None:
            raise forms.ValidationError(
                "Type a place name or postcode, or use your location, or give both latitude and longitude."
            )
        return cleaned
