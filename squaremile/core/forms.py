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


class FastSelect(forms.Select):
    """A <select> whose options are built in Python rather than one template per option: the same
    HTML as Django's Select for flat choices, at a fraction of the cost on long lists (the directory
    filters render a hundred skills and every area on each page)."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(getattr(option_value, "value", option_value))
            pattern = (
                '<option value="{}" selected>{}</option>'
                if option_value == selected
                else '<option value="{}">{}</option>'
            )
            options.append(format_html(pattern, option_value, label))
        return format_html(
            "<select{}>{}</select>", flatatt(final_attrs), format_html_join("", "{}", ((o,) for o in options))
        )
