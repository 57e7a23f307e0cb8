"""Form pieces shared by every app."""

from django import forms

from squaremile.core.geo import MILE_M


class LocationFieldsMixin(forms.Form):
    """Latitude/longitude typed or picked on the small map; both or neither."""

    lat = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90,
        help_text="Tap the map to set the point, or type it (for example 53.8008).",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lat": ""}),
    )  # fmt: skip
    lng = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lng": ""}),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if (lat is None) != (lng is None) and not self.has_error("lat") and not self.has_error("lng"):
            raise forms.ValidationError("Give both latitude and longitude, or leave both empty.")
        return cleaned


def grouped_skill_choices(queryset):
    """Skill choices grouped by family, for checkbox lists a person can scan."""
    groups: dict[str, list] = {}
    for skill in queryset.select_related("family").order_by("family__position", "family__name", "name"):
        groups.setdefault(skill.family.name, []).append((skill.pk, skill.name))
    return list(groups.items())


def radius_choices():
    miles = [0.25, 0.5, 1, 2, 3, 5, 10, 15, 25]
    return [(round(m * MILE_M), f"{m:g} mile" + ("" if m == 1 else "s")) for m in miles]
