import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from squaremile.core.admin import AdminRoleMixin
from squaremile.core.forms import ModelForm
from squaremile.places.geometry import parse_boundary
from squaremile.places.models import Area, Place


class AreaAdminForm(ModelForm):
    boundary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A GeoJSON Polygon or MultiPolygon ([longitude, latitude] pairs). Leave empty for none.",
    )  # fmt: skip

    class Meta:
        model = Area
        fields = ["name", "slug", "kind", "parent", "description", "boundary", "external_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.boundary and not self.is_bound:
            self.initial["boundary"] = json.dumps(self.instance.boundary)

    def clean_boundary(self):
        text = self.cleaned_data.get("boundary", "").strip()
        if not text:
            return None
        try:
            return parse_boundary(text)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def save(self, commit=True):
        facts = self.cleaned_data.get("boundary")
        area = super().save(commit=False)
        if facts is None:
            area.boundary = None
            area.min_lat = area.min_lng = area.max_lat = area.max_lng = area.area_sq_deg = None
        else:
            area.boundary = facts.geometry
            area.centroid_lat, area.centroid_lng = facts.centroid_lat, facts.centroid_lng
            area.min_lat, area.min_lng, area.max_lat, area.max_lng = (
                facts.min_lat,
                facts.min_lng,
                facts.max_lat,
                facts.max_lng,
            )
            area.area_sq_deg = facts.area_sq_deg
        if commit:
            area.save()
        return area


@admin.register(Area)
class AreaAdmin(AdminRoleMixin, admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("parent",)


@admin.register(Place)
class PlaceAdmin(AdminRoleMixin, admin.ModelAdmin):
    """The gazetteer: names people type for "where is your square mile?" and "near me"."""

    list_display = ("name", "kind", "context", "lat", "lng")
    list_filter = ("kind",)
    search_fields = ("name", "context")
    fields = ("name", "kind", "context", "lat", "lng")
